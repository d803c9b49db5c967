// POST/GET/DELETE /v1/simulations: stored principals, role sessions and pasted policies; what-if changes and the diff; links with expiry, creator-only deletion, the grid limit and nothing stored on failure.
import {
  AttachRolePolicyCommand,
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  PutUserPolicyCommand,
} from "@aws-sdk/client-iam";
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ACCOUNT, TRUST } from "./fixtures";
import { iamClient } from "./sdk";
import { BASE, policy, signed, type Answer } from "./simulations-helpers";

const root = iamClient();
const linkCount = async () => (await env.KV.list({ prefix: "link:" })).keys.length;

describe("POST /v1/simulations", () => {
  it("answers a stored user's grid with the what-if applied, the diff, and an absolute link", async () => {
    await root.send(new CreateUserCommand({ UserName: "sims-alice" }));
    await root.send(
      new PutUserPolicyCommand({
        UserName: "sims-alice",
        PolicyName: "read",
        PolicyDocument: policy({ Sid: "Read", Effect: "Allow", Action: "s3:GetObject", Resource: "*" }),
      }),
    );
    const res = await signed("POST", "/v1/simulations", {
      principal: `arn:aws:iam::${ACCOUNT}:user/sims-alice`,
      whatIf: {
        attachPolicies: ["arn:aws:iam::aws:policy/AmazonS3FullAccess"],
        deleteInlinePolicies: ["read"],
        putInlinePolicies: [
          { name: "deny-delete", document: { Statement: [{ Effect: "Deny", Action: "s3:Delete*", Resource: "*" }] } },
        ],
      },
      actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
      resources: ["arn:aws:s3:::b/k"],
      expiresInDays: 7,
    });
    expect(res.status).toBe(200);
    const out = (await res.json()) as Answer;
    expect(out.link).toBe(`${BASE}/s/${out.id}`);
    expect(out.id).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(Date.parse(out.expiresAt) - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    expect(Date.parse(out.expiresAt) - Date.now()).toBeLessThan(7.1 * 86_400_000);
    expect(out.results.map((r) => [r.action, r.before?.decision, r.decision])).toEqual([
      ["s3:GetObject", "Allowed", "Allowed"],
      ["s3:PutObject", "ImplicitDeny", "Allowed"],
      ["s3:DeleteObject", "ImplicitDeny", "ExplicitDeny"],
    ]);
    // The GetObject cell is now allowed by the attached policy, no longer by the deleted inline one.
    expect(out.results[0]?.matched.map((m) => m.policyId)).toEqual(["arn:aws:iam::aws:policy/AmazonS3FullAccess"]);
    expect(out.diff).toEqual([
      { action: "s3:PutObject", resource: "arn:aws:s3:::b/k", before: "ImplicitDeny", after: "Allowed" },
      { action: "s3:DeleteObject", resource: "arn:aws:s3:::b/k", before: "ImplicitDeny", after: "ExplicitDeny" },
    ]);

    const got = await SELF.fetch(`${BASE}/v1/simulations/${out.id}`); // no credentials: the id is the capability
    expect(got.status).toBe(200);
    const again = (await got.json()) as Answer;
    expect(again.results).toEqual(out.results);
    expect(again.link).toBe(out.link);
    const page = await SELF.fetch(out.link);
    const body = await page.text();
    expect(body).toContain("anyone who holds it can read this page");
    expect(body).toContain(out.expiresAt);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
  });

  it("simulates a role session with session policies that cut the role's policies", async () => {
    await root.send(new CreateRoleCommand({ RoleName: "sims-worker", AssumeRolePolicyDocument: TRUST }));
    await root.send(
      new AttachRolePolicyCommand({ RoleName: "sims-worker", PolicyArn: "arn:aws:iam::aws:policy/AmazonS3FullAccess" }),
    );
    const session = `arn:aws:sts::${ACCOUNT}:assumed-role/sims-worker/job-1`;
    const out = (await (
      await signed("POST", "/v1/simulations", {
        principal: session,
        whatIf: { sessionPolicies: [{ Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] }] },
        actions: ["s3:GetObject", "s3:PutObject"],
      })
    ).json()) as Answer;
    expect(out.principal).toBe(session);
    expect(out.results.map((r) => [r.action, r.before?.decision, r.decision, r.decidedBy])).toEqual([
      ["s3:GetObject", "Allowed", "Allowed", "identity"],
      ["s3:PutObject", "Allowed", "ImplicitDeny", "session"],
    ]);
  });

  it("takes pasted policies alone, with SCP and context changes", async () => {
    const out = (await (
      await signed("POST", "/v1/simulations", {
        policies: { identity: [{ Statement: [{ Effect: "Allow", Action: "ec2:*", Resource: "*" }] }] },
        whatIf: {
          scps: [
            [
              {
                Statement: [
                  {
                    Effect: "Deny",
                    Action: "ec2:*",
                    Resource: "*",
                    Condition: { StringNotEquals: { "aws:RequestedRegion": "eu-west-1" } },
                  },
                  { Effect: "Allow", Action: "*", Resource: "*" },
                ],
              },
            ],
          ],
          context: { "aws:RequestedRegion": "us-east-1" },
        },
        actions: ["ec2:RunInstances"],
      })
    ).json()) as Answer;
    expect(out.results[0]).toMatchObject({
      decision: "ExplicitDeny",
      decidedBy: "scp",
      before: { decision: "Allowed" },
    });
  });

  it("refuses unknown principals (404), bad bodies and malformed what-if policies (400), storing nothing", async () => {
    const before = await linkCount();
    const missing = await signed("POST", "/v1/simulations", {
      principal: `arn:aws:iam::${ACCOUNT}:user/sims-nobody`,
      actions: ["s3:GetObject"],
    });
    expect(missing.status).toBe(404);
    const noRole = await signed("POST", "/v1/simulations", {
      principal: `arn:aws:sts::${ACCOUNT}:assumed-role/sims-none/s`,
      actions: ["s3:GetObject"],
    });
    expect(noRole.status).toBe(404);
    const nothing = await signed("POST", "/v1/simulations", { actions: ["s3:GetObject"] });
    expect(nothing.status).toBe(400);
    expect(((await nothing.json()) as Answer).error?.message).toContain("principal");
    const tooLong = await signed("POST", "/v1/simulations", {
      policies: { identity: [] },
      actions: ["s3:GetObject"],
      expiresInDays: 400,
    });
    expect(tooLong.status).toBe(400);
    expect(((await tooLong.json()) as Answer).error?.message).toContain("expiresInDays");
    const malformed = await signed("POST", "/v1/simulations", {
      policies: { identity: [] },
      whatIf: { putInlinePolicies: [{ name: "bad", document: { Statement: [{ Effect: "Maybe", Action: "s3:*" }] } }] },
      actions: ["s3:GetObject"],
    });
    expect(malformed.status).toBe(400);
    const problem = ((await malformed.json()) as Answer).error;
    expect(problem?.code).toBe("MalformedPolicyDocument");
    // The message names the policy by its id, the statement and the problem.
    expect(problem?.message).toMatch(/policy inline\/bad, identity\[\d+\] statement \d+/);
    expect(problem?.message).toContain("Effect");
    const huge = await signed("POST", "/v1/simulations", {
      policies: { identity: [] },
      actions: ["s3:*"],
      resources: Array.from({ length: 200 }, (_, i) => `arn:aws:s3:::b/${i}`),
    });
    expect(huge.status).toBe(400);
    expect(huge.headers.get("x-d1-round-trips")).toBe("0");
    expect(((await huge.json()) as Answer).error?.message).toMatch(/the limit is 10000 cells/);
    expect(await linkCount()).toBe(before);
  });

  it("lets only the creator delete a link; unknown ids are 404", async () => {
    await root.send(new CreateUserCommand({ UserName: "sims-mallory" }));
    const { AccessKey } = await root.send(new CreateAccessKeyCommand({ UserName: "sims-mallory" }));
    const mallory = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
    const out = (await (
      await signed("POST", "/v1/simulations", { policies: { identity: [] }, actions: ["s3:GetObject"] })
    ).json()) as Answer;
    const denied = await signed("DELETE", `/v1/simulations/${out.id}`, undefined, mallory);
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as Answer).error?.code).toBe("AccessDenied");
    expect((await SELF.fetch(`${BASE}/v1/simulations/${out.id}`)).status).toBe(200);
    const deleted = await signed("DELETE", `/v1/simulations/${out.id}`);
    expect(deleted.status).toBe(204);
    expect((await SELF.fetch(`${BASE}/v1/simulations/${out.id}`)).status).toBe(404);
    expect((await SELF.fetch(`${BASE}/s/${out.id}`)).status).toBe(404);
    expect((await signed("DELETE", `/v1/simulations/${out.id}`)).status).toBe(404);
    expect((await SELF.fetch(`${BASE}/v1/simulations/${"y".repeat(32)}`)).status).toBe(404);
  });

  it("re-runs a saved simulation against the current state", async () => {
    await root.send(new CreateUserCommand({ UserName: "sims-carol" }));
    const first = (await (
      await signed("POST", "/v1/simulations", {
        principal: `arn:aws:iam::${ACCOUNT}:user/sims-carol`,
        actions: ["s3:PutObject"],
      })
    ).json()) as Answer;
    expect(first.results[0]?.decision).toBe("ImplicitDeny");
    await root.send(
      new PutUserPolicyCommand({
        UserName: "sims-carol",
        PolicyName: "put",
        PolicyDocument: policy({ Effect: "Allow", Action: "s3:PutObject", Resource: "*" }),
      }),
    );
    const rerun = (await (await signed("POST", `/v1/links/${first.id}/rerun`, {})).json()) as Answer & {
      rerunOf: string;
      changedSinceSaved: unknown[];
    };
    expect(rerun.rerunOf).toBe(first.id);
    expect(rerun.id).not.toBe(first.id);
    expect(rerun.results[0]?.decision).toBe("Allowed");
    expect(rerun.changedSinceSaved).toEqual([{ action: "s3:PutObject", resource: "*" }]);
  });

  it("stores a full 10,000-cell grid compressed and still reads links saved as plain JSON", async () => {
    const statements = Array.from({ length: 20 }, (_, i) => ({
      Sid: `S${i}`,
      Effect: "Allow",
      Action: "s3:Get*",
      Resource: "*",
    }));
    const out = (await (
      await signed("POST", "/v1/simulations", {
        policies: { identity: [{ Version: "2012-10-17", Statement: statements }] },
        whatIf: { sessionPolicies: [{ Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] }] },
        actions: Array.from({ length: 100 }, (_, i) => `s3:GetThing${i}`),
        resources: Array.from({ length: 100 }, (_, i) => `arn:aws:s3:::b/${i}`),
      })
    ).json()) as Answer;
    expect(out.results).toHaveLength(10_000);
    expect(out.results[0]?.before?.decision).toBe("Allowed");
    const stored = await env.KV.getWithMetadata<{ encoding?: string }>(`link:${out.id}`, "arrayBuffer");
    expect(stored.metadata?.encoding).toBe("gzip");
    expect(stored.value!.byteLength).toBeLessThan(2_000_000);
    const again = (await (await SELF.fetch(`${BASE}/v1/simulations/${out.id}`)).json()) as Answer;
    expect(again.results).toHaveLength(10_000);

    const brief = (await (
      await signed("POST", "/v1/simulations", {
        policies: { identity: [{ Version: "2012-10-17", Statement: statements }] },
        actions: Array.from({ length: 100 }, (_, i) => `s3:GetThing${i}`),
        resources: Array.from({ length: 100 }, (_, i) => `arn:aws:s3:::b/${i}`),
        explain: "decision",
      })
    ).json()) as Answer;
    expect(brief.results).toHaveLength(10_000);
    expect(brief.results[0]).toMatchObject({ decision: "Allowed", decidedBy: "identity", matched: [], missing: [] });

    const id = "z".repeat(32);
    const legacy = {
      kind: "simulate",
      id,
      createdAt: new Date().toISOString(),
      createdBy: "arn:aws:iam::123456789012:root",
      accountId: "123456789012",
      request: {},
      result: { results: [] },
    };
    await env.KV.put(`link:${id}`, JSON.stringify(legacy));
    const json = await SELF.fetch(`${BASE}/s/${id}.json`);
    expect(json.status).toBe(200);
    expect(((await json.json()) as { id: string }).id).toBe(id);
  }, 60_000); // 20,000 explained decisions and a multi-megabyte answer: slow on a shared machine
});
