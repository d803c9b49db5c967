// POST /v1/whatif over stored state, the links it saves (KV), their pages (escaping, CSP, 404) and re-runs against the current state.
import {
  AttachUserPolicyCommand,
  CreatePolicyCommand,
  CreateUserCommand,
  DetachUserPolicyCommand,
  PutUserPolicyCommand,
} from "@aws-sdk/client-iam";
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { signRequest } from "../../src/aws/sigv4";
import { ACCOUNT } from "./fixtures";
import { iamClient } from "./sdk";

const root = iamClient();
const BASE = "http://127.0.0.1:8787";

async function signedPost(path: string, body: unknown): Promise<Response> {
  const text = JSON.stringify(body);
  const url = new URL(BASE + path);
  const base = { "content-type": "application/json" };
  const headers = await signRequest({
    method: "POST",
    url,
    headers: base,
    body: text,
    accessKeyId: "test",
    secret: "test",
    region: "us-east-1",
    service: "iam",
    now: new Date(),
  });
  return SELF.fetch(url, { method: "POST", headers, body: text });
}

const policy = (...statements: Record<string, unknown>[]) =>
  JSON.stringify({ Version: "2012-10-17", Statement: statements }, null, 2);
const userArn = (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`;

interface WhatIfOut {
  id: string;
  url: string;
  actions: string[];
  warnings: string[];
  cells: {
    action: string;
    resource: string;
    before: { decision: string };
    after?: { decision: string };
    changed: boolean;
  }[];
  diff: { action: string; before: string; after: string }[];
  changedSinceSaved?: unknown[];
}

describe("POST /v1/whatif", () => {
  it("answers the grid before and after attaching a policy, without writing it, and saves a link", async () => {
    await root.send(new CreateUserCommand({ UserName: "wi-alice" }));
    await root.send(
      new PutUserPolicyCommand({
        UserName: "wi-alice",
        PolicyName: "read",
        PolicyDocument: policy({ Sid: "Read", Effect: "Allow", Action: "s3:GetObject", Resource: "*" }),
      }),
    );
    const res = await signedPost("/v1/whatif", {
      principals: [userArn("wi-alice")],
      actions: ["s3:GetObject", "s3:PutObject", "s3:NoSuchThing"],
      resources: ["arn:aws:s3:::b/k"],
      change: { attachPolicies: ["arn:aws:iam::aws:policy/AmazonS3FullAccess"] },
    });
    expect(res.status).toBe(200);
    const out = (await res.json()) as WhatIfOut;
    expect(out.cells.map((c) => [c.action, c.before.decision, c.after?.decision, c.changed])).toEqual([
      ["s3:GetObject", "Allowed", "Allowed", false],
      ["s3:PutObject", "ImplicitDeny", "Allowed", true],
      ["s3:NoSuchThing", "ImplicitDeny", "Allowed", true],
    ]);
    expect(out.diff.map((d) => d.action)).toEqual(["s3:PutObject", "s3:NoSuchThing"]);
    expect(out.warnings.some((w) => w.includes("s3:NoSuchThing"))).toBe(true);
    expect(out.id).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(out.url).toBe(`${BASE}/s/${out.id}`);

    // Nothing was written: a plain what-if without the change still denies PutObject.
    const again = (await (
      await signedPost("/v1/whatif", { principals: [userArn("wi-alice")], actions: ["s3:PutObject"] })
    ).json()) as WhatIfOut;
    expect(again.cells[0]?.before.decision).toBe("ImplicitDeny");

    const page = await SELF.fetch(out.url);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(page.headers.get("content-security-policy")).not.toContain("script-src");
    const text = await page.text();
    expect(text).toContain("newly allowed");
    expect(text).toContain("AmazonS3FullAccess");
    expect(text).toContain("Sid <code>Read</code>");
    expect(text).not.toMatch(/<script/i);

    const json = await SELF.fetch(`${out.url}.json`);
    expect(((await json.json()) as { kind: string }).kind).toBe("whatif");
  });

  it("expands wildcards and refuses unknown principals, malformed documents and oversized grids", async () => {
    await root.send(new CreateUserCommand({ UserName: "wi-bob" }));
    const expanded = (await (
      await signedPost("/v1/whatif", { principals: [userArn("wi-bob")], actions: ["s3:GetObject*"] })
    ).json()) as WhatIfOut;
    expect(expanded.actions).toContain("s3:GetObjectAcl");

    const missing = await signedPost("/v1/whatif", { principals: [userArn("wi-nobody")], actions: ["s3:GetObject"] });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("NoSuchEntity");

    const malformed = await signedPost("/v1/whatif", {
      principals: [userArn("wi-bob")],
      actions: ["s3:GetObject"],
      change: {
        attachPolicies: [{ id: "bad", document: { Version: "2012-10-17", Statement: [{ Effect: "Allow" }] } }],
      },
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe("MalformedPolicyDocument");

    const huge = await signedPost("/v1/whatif", {
      principals: [userArn("wi-bob")],
      actions: ["ec2:*"],
      resources: Array.from({ length: 20 }, (_, i) => `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-${i}`),
    });
    expect(huge.status).toBe(400);
    expect(((await huge.json()) as { error: { message: string } }).error.message).toContain("10000");

    const unsigned = await SELF.fetch(`${BASE}/v1/whatif`, { method: "POST", body: "{}" });
    expect(unsigned.status).toBe(403);
  });

  it("escapes everything stored policies put on the page", async () => {
    await root.send(new CreateUserCommand({ UserName: "wi-evil" }));
    await root.send(
      new PutUserPolicyCommand({
        UserName: "wi-evil",
        PolicyName: "evil",
        PolicyDocument: policy({
          Effect: "Allow",
          Action: "s3:GetObject",
          Resource: "arn:aws:s3:::<script>alert(1)</script>/*",
        }),
      }),
    );
    const out = (await (
      await signedPost("/v1/whatif", {
        principals: [userArn("wi-evil")],
        actions: ["s3:GetObject"],
        resources: ['arn:aws:s3:::"><img src=x onerror=alert(1)>'],
      })
    ).json()) as WhatIfOut;
    const text = await (await SELF.fetch(out.url)).text();
    expect(text).not.toContain("<script>alert(1)</script>");
    expect(text).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(text).not.toContain("<img src=x");
  });

  it("re-runs a link against the state as it is now and says which cells changed", async () => {
    await root.send(new CreateUserCommand({ UserName: "wi-carol" }));
    const { Policy } = await root.send(
      new CreatePolicyCommand({
        PolicyName: "wi-put",
        PolicyDocument: policy({ Effect: "Allow", Action: "s3:PutObject", Resource: "*" }),
      }),
    );
    const first = (await (
      await signedPost("/v1/whatif", { principals: [userArn("wi-carol")], actions: ["s3:PutObject"] })
    ).json()) as WhatIfOut;
    expect(first.cells[0]?.before.decision).toBe("ImplicitDeny");
    await root.send(new AttachUserPolicyCommand({ UserName: "wi-carol", PolicyArn: Policy?.Arn }));
    const rerun = await signedPost(`/v1/links/${first.id}/rerun`, {});
    expect(rerun.status).toBe(200);
    const out = (await rerun.json()) as WhatIfOut & { rerunOf: string };
    expect(out.rerunOf).toBe(first.id);
    expect(out.id).not.toBe(first.id);
    expect(out.cells[0]?.before.decision).toBe("Allowed");
    expect(out.changedSinceSaved).toHaveLength(1);
    await root.send(new DetachUserPolicyCommand({ UserName: "wi-carol", PolicyArn: Policy?.Arn }));

    const unknown = await signedPost(`/v1/links/${"x".repeat(32)}/rerun`, {});
    expect(unknown.status).toBe(404);
  });
});

describe("links", () => {
  it("saves /v1/simulate results when asked and renders them", async () => {
    const res = await signedPost("/v1/simulate", {
      save: true,
      policies: { identity: [policy({ Sid: "S", Effect: "Allow", Action: "s3:*", Resource: "*" })] },
      requests: [{ principal: userArn("x"), action: "s3:GetObject", resource: "arn:aws:s3:::b/k" }],
    });
    expect(res.status).toBe(200);
    const out = (await res.json()) as { url: string; results: { decision: string }[] };
    expect(out.results[0]?.decision).toBe("Allowed");
    const text = await (await SELF.fetch(out.url)).text();
    expect(text).toContain("Policy simulation");
    expect(text).toContain("Sid <code>S</code>");

    const plain = (await (
      await signedPost("/v1/simulate", {
        policies: { identity: [] },
        requests: [{ principal: userArn("x"), action: "s3:GetObject" }],
      })
    ).json()) as { url?: string };
    expect(plain.url).toBeUndefined();
  });

  it("answers unknown ids with a 404 page and serves the stylesheet", async () => {
    const page = await SELF.fetch(`${BASE}/s/${"A".repeat(32)}`);
    expect(page.status).toBe(404);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(await page.text()).toContain("Simulation not found");
    expect((await SELF.fetch(`${BASE}/s/not-an-id`)).status).toBe(404);
    expect((await SELF.fetch(`${BASE}/s/${"A".repeat(32)}.json`)).status).toBe(404);
    const css = await SELF.fetch(`${BASE}/s/style.css`);
    expect(css.headers.get("content-type")).toContain("text/css");
  });
});
