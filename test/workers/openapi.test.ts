// /openapi.json lists every /v1 route the app serves with schemas that accept real requests; /docs is an escaped, CSP'd page with no external assets.
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createApp } from "../../src/app";
import { openApiPath } from "../../src/api/openapi";
import { ACCOUNT } from "./fixtures";
import { BASE } from "./simulations-helpers";

interface Doc {
  openapi: string;
  paths: Record<string, Record<string, { requestBody?: { content: { "application/json": { schema: unknown } } } }>>;
}

const requestSchema = (doc: Doc, path: string) => {
  const schema = doc.paths[path]?.post?.requestBody?.content["application/json"].schema;
  expect(schema).toBeDefined();
  return z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
};

describe("OpenAPI", () => {
  it("describes every /v1 route the app serves", async () => {
    const res = await SELF.fetch(`${BASE}/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Doc;
    expect(doc.openapi).toBe("3.1.0");
    const served = createApp()
      .routes.filter((r) => r.path.startsWith("/v1/") && ["GET", "POST", "PUT", "PATCH", "DELETE"].includes(r.method))
      .map((r) => `${r.method.toLowerCase()} ${openApiPath(r.path)}`);
    expect(served.length).toBeGreaterThanOrEqual(7);
    for (const route of served) {
      const [method, path] = route.split(" ") as [string, string];
      expect(doc.paths[path]?.[method], route).toBeDefined();
    }
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/v1/simulations", "/v1/simulations/{id}"]));
  });

  it("its request schemas accept a sample request and refuse a malformed one", async () => {
    const doc = (await (await SELF.fetch(`${BASE}/openapi.json`)).json()) as Doc;
    const simulations = requestSchema(doc, "/v1/simulations");
    const sample = {
      principal: `arn:aws:iam::${ACCOUNT}:user/alice`,
      whatIf: {
        attachPolicies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
        putInlinePolicies: [{ name: "x", document: { Version: "2012-10-17", Statement: [] } }],
        permissionsBoundary: null,
        context: { "aws:SourceIp": "10.0.0.1" },
      },
      actions: ["s3:Get*"],
      resources: ["arn:aws:s3:::b/*"],
      expiresInDays: 30,
    };
    expect(simulations.safeParse(sample).success).toBe(true);
    expect(simulations.safeParse({ ...sample, actions: [] }).success).toBe(false);
    expect(simulations.safeParse({ ...sample, expiresInDays: 1000 }).success).toBe(false);
    expect(simulations.safeParse({ ...sample, surprise: 1 }).success).toBe(false);
    const simulate = requestSchema(doc, "/v1/simulate");
    expect(
      simulate.safeParse({
        policies: { identity: [{ Version: "2012-10-17", Statement: [] }] },
        requests: [{ principal: `arn:aws:iam::${ACCOUNT}:user/alice`, action: "s3:GetObject" }],
      }).success,
    ).toBe(true);
  });

  it("serves /docs as an escaped page under a strict CSP with no external assets", async () => {
    const res = await SELF.fetch(`${BASE}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(res.headers.get("content-security-policy")).not.toContain("unsafe");
    const page = await res.text();
    expect(page).toContain("POST /v1/simulations");
    expect(page).toContain("DELETE /v1/simulations/{id}");
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toMatch(/(src|href)="(https?:)?\/\//i);
    // Schema text is escaped: quotes in JSON come out as entities, never raw markup.
    expect(page).toContain("&quot;type&quot;");
  });
});
