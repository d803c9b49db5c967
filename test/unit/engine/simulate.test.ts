// runSimulation: the validating outer layer of POST /v1/simulate.
import { describe, expect, it } from "vitest";
import { AwsError } from "../../../src/aws/errors.ts";
import type { Decision } from "../../../src/engine/index.ts";
import { runSimulation } from "../../../src/simulator/custom.ts";

const USER = "arn:aws:iam::111111111111:user/alice";
const allowS3 = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] };
const request = { principal: USER, action: "s3:GetObject", resource: "arn:aws:s3:::bucket/key" };

function error(body: unknown): AwsError {
  try {
    runSimulation(body);
  } catch (e) {
    expect(e).toBeInstanceOf(AwsError);
    return e as AwsError;
  }
  throw new Error("expected an AwsError");
}

describe("runSimulation", () => {
  it("evaluates every request against the policy set", () => {
    const { results } = runSimulation({
      policies: { identity: [allowS3, JSON.stringify(allowS3)] },
      requests: [request, { ...request, action: "ec2:RunInstances", context: { "aws:TagKeys": ["a", "b"] } }],
    });
    expect(results.map((r) => r.decision)).toEqual(["Allowed", "ImplicitDeny"]);
  });

  it('evaluates a request that names no resource against "*", as AWS\'s simulator does', () => {
    const onlyBucket = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::bucket/*" }],
    };
    const { results } = runSimulation({
      policies: { identity: [allowS3, onlyBucket] },
      requests: [{ principal: USER, action: "s3:ListAllMyBuckets" }],
    });
    expect(results[0]?.decision).toBe("Allowed");
    expect((results[0] as Decision | undefined)?.matchedStatements.map((m) => m.policyIndex)).toEqual([0]);
  });

  it("answers hostile nesting in a text or object policy as malformed, not by exhausting the stack", () => {
    const deepText = `{"Version":"2012-10-17","Statement":${"[".repeat(100_000)}${"]".repeat(100_000)}}`;
    let deepObject: unknown = "x";
    for (let i = 0; i < 100_000; i++) deepObject = { a: deepObject };
    const condition = { StringEquals: { "aws:username": deepObject } };
    const objectPolicy = { Version: "2012-10-17", Statement: [{ ...allowS3.Statement[0], Condition: condition }] };
    for (const doc of [deepText, objectPolicy]) {
      const e = error({ policies: { identity: [doc] }, requests: [request] });
      expect(e.code).toBe("MalformedPolicyDocument");
      expect(e.message).toContain("Nesting deeper than 64 levels");
    }
  });

  it("accepts every policy type", () => {
    const full = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };
    const rcp = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "*", Resource: "*" }] };
    const { results } = runSimulation({
      policies: {
        identity: [allowS3],
        boundary: full,
        scps: [[full], [full]],
        rcps: [[rcp]],
        resource: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: USER }, Action: "s3:*" }] },
        resourceAccount: "111111111111",
        session: [full],
      },
      requests: [{ ...request, context: { "aws:SourceIp": "10.0.0.1", "aws:MultiFactorAuthPresent": true, n: 3 } }],
    });
    expect(results[0]?.decision).toBe("Allowed");
  });

  it("rejects a body that is not an object", () => {
    expect(error("nope")).toMatchObject({ code: "ValidationError" });
    expect(error(null)).toMatchObject({ code: "ValidationError" });
  });

  it("names the path of a bad field", () => {
    const e = error({ policies: { identity: [allowS3] }, requests: [{ ...request, action: 5 }] });
    expect(e.code).toBe("ValidationError");
    expect(e.message).toContain("requests[0].action");
  });

  it("rejects unknown fields", () => {
    const e = error({ policies: { identity: [allowS3], extra: 1 }, requests: [] });
    expect(e.code).toBe("ValidationError");
    expect(e.message).toContain("policies");
  });

  it("requires identity and requests", () => {
    expect(error({ policies: {}, requests: [] }).message).toContain("policies.identity");
    expect(error({ policies: { identity: [] } }).message).toContain("requests");
  });

  it("rejects a policy that is neither an object nor a string", () => {
    expect(error({ policies: { identity: [[1]] }, requests: [] }).message).toContain("policies.identity[0]");
  });

  it("rejects more than 10,000 requests", () => {
    const e = error({ policies: { identity: [allowS3] }, requests: new Array(10_001).fill(request) });
    expect(e.code).toBe("ValidationError");
    expect(e.message).toContain("exceeds the limit of 10000 requests");
  });

  it("accepts exactly 10,000 requests", () => {
    const { results } = runSimulation({ policies: { identity: [allowS3] }, requests: new Array(10_000).fill(request) });
    expect(results).toHaveLength(10_000);
  });

  it("names a malformed policy, its statement and the problem", () => {
    const bad = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Resource: "*" }] };
    const e = error({ policies: { identity: [allowS3, bad] }, requests: [request] });
    expect(e.code).toBe("MalformedPolicyDocument");
    expect(e.message).toContain("policies.identity[1]");
    expect(e.message).toContain("statement 0");
    expect(e.message).toContain("Policy statement must contain actions.");
  });

  it("reports invalid JSON text as a malformed policy", () => {
    const e = error({ policies: { identity: [], boundary: "{oops" }, requests: [request] });
    expect(e).toMatchObject({ code: "MalformedPolicyDocument" });
    expect(e.message).toContain("policies.boundary");
  });

  it("rejects a bad resourceAccount", () => {
    expect(error({ policies: { identity: [], resourceAccount: "abc" }, requests: [] }).message).toContain(
      "policies.resourceAccount",
    );
  });

  it('returns only what "results" asks for: the decision, or the decision and the deciding type', () => {
    const body = { policies: { identity: [allowS3] }, requests: [request, { ...request, action: "ec2:RunInstances" }] };
    expect(runSimulation({ ...body, results: "decision" }).results).toEqual([
      { decision: "Allowed" },
      { decision: "ImplicitDeny" },
    ]);
    expect(runSimulation({ ...body, results: "summary" }).results).toEqual([
      { decision: "Allowed", decidedBy: "identity" },
      { decision: "ImplicitDeny", decidedBy: "identity" },
    ]);
    expect(runSimulation({ ...body, results: "full" }).results[0]).toHaveProperty("matchedStatements");
    expect(error({ ...body, results: "everything" }).message).toContain("results");
  });

  it("lets each request name its resource's account, overriding the policies' resourceAccount", () => {
    const { results } = runSimulation({
      policies: { identity: [allowS3], resourceAccount: "111111111111" },
      requests: [request, { ...request, resourceAccount: "222222222222" }],
      results: "summary",
    });
    // Across accounts the resource's owner must allow too, and no resource policy does.
    expect(results).toEqual([
      { decision: "Allowed", decidedBy: "identity" },
      { decision: "ImplicitDeny", decidedBy: "resource" },
    ]);
    expect(error({ policies: { identity: [] }, requests: [{ ...request, resourceAccount: "12" }] }).message).toContain(
      "requests[0].resourceAccount",
    );
  });
});
