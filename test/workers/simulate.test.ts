// POST /v1/simulate through the Worker: signed JSON in, AWS decisions with explanations out, bad input as 4xx.
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { signRequest } from "../../src/aws/sigv4";

const ENDPOINT = "http://127.0.0.1:8787/v1/simulate";

async function simulate(body: unknown, opts: { sign?: boolean; raw?: string } = {}): Promise<Response> {
  const text = opts.raw ?? JSON.stringify(body);
  const url = new URL(ENDPOINT);
  const base = { "content-type": "application/json" };
  const headers =
    opts.sign === false
      ? new Headers(base)
      : await signRequest({
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

const allowS3Read = {
  Version: "2012-10-17",
  Statement: [{ Sid: "Read", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/*" }],
};
const alice = "arn:aws:iam::111111111111:user/alice";

describe("POST /v1/simulate", () => {
  it("answers each request in order with decision, deciding type and matched statements", async () => {
    const res = await simulate({
      policies: { identity: [allowS3Read] },
      requests: [
        { principal: alice, action: "s3:GetObject", resource: "arn:aws:s3:::bucket/key" },
        { principal: alice, action: "s3:PutObject", resource: "arn:aws:s3:::bucket/key" },
      ],
    });
    expect(res.status).toBe(200);
    const out = (await res.json()) as { results: Record<string, unknown>[] };
    expect(out.results).toHaveLength(2);
    expect(out.results[0]).toMatchObject({ decision: "Allowed", decidedBy: "identity" });
    expect(out.results[0]?.matchedStatements).toEqual([expect.objectContaining({ sid: "Read" })]);
    expect(out.results[1]).toMatchObject({ decision: "ImplicitDeny" });
  });

  it("lets an explicit deny in an SCP win over an identity allow", async () => {
    const res = await simulate({
      policies: {
        identity: [JSON.stringify(allowS3Read)],
        scps: [[{ Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "s3:*", Resource: "*" }] }]],
      },
      requests: [{ principal: alice, action: "s3:GetObject", resource: "arn:aws:s3:::bucket/key" }],
    });
    const out = (await res.json()) as { results: { decision: string; decidedBy: string }[] };
    expect(out.results[0]).toMatchObject({ decision: "ExplicitDeny", decidedBy: "scp" });
  });

  it("names the missing context keys a condition needed", async () => {
    const res = await simulate({
      policies: {
        identity: [
          {
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Action: "s3:*",
                Resource: "*",
                Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } },
              },
            ],
          },
        ],
      },
      requests: [
        { principal: alice, action: "s3:GetObject", resource: "*" },
        { principal: alice, action: "s3:GetObject", resource: "*", context: { "aws:SourceIp": "10.1.2.3" } },
      ],
    });
    const out = (await res.json()) as { results: { decision: string; missingContextKeys: string[] }[] };
    expect(out.results[0]).toMatchObject({ decision: "ImplicitDeny", missingContextKeys: ["aws:SourceIp"] });
    expect(out.results[1]).toMatchObject({ decision: "Allowed", missingContextKeys: [] });
  });

  it("refuses unsigned calls", async () => {
    const res = await simulate({ policies: { identity: [] }, requests: [] }, { sign: false });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("MissingAuthenticationToken");
  });

  it("answers a malformed policy with a 400 naming the policy and statement", async () => {
    const res = await simulate({
      policies: { identity: [{ Version: "2012-10-17", Statement: [{ Effect: "Allow", Resource: "*" }] }] },
      requests: [{ principal: alice, action: "s3:GetObject", resource: "*" }],
    });
    expect(res.status).toBe(400);
    const out = (await res.json()) as { error: { code: string; message: string } };
    expect(out.error.code).toBe("MalformedPolicyDocument");
    expect(out.error.message).toContain("policies.identity[0]");
  });

  it("answers bad JSON, a bad shape and more than 10,000 requests with 400s, never a 500", async () => {
    const bad = await simulate(null, { raw: "{not json" });
    expect(bad.status).toBe(400);
    const shape = await simulate({ policies: { identity: "nope" }, requests: [] });
    expect(shape.status).toBe(400);
    expect(((await shape.json()) as { error: { code: string } }).error.code).toBe("ValidationError");
    const request = { principal: alice, action: "s3:GetObject", resource: "*" };
    const many = await simulate({ policies: { identity: [allowS3Read] }, requests: Array(10_001).fill(request) });
    expect(many.status).toBe(400);
    expect(((await many.json()) as { error: { message: string } }).error.message).toContain("10000");
  });
});
