// The documented exceptions as an API: resourceKind for trust and key policies, /v1/simulate deciding them alike.
import { describe, expect, it } from "vitest";
import {
  compilePolicySet,
  evaluate,
  PolicyValidationError,
  resourceKindOf,
  type Decision,
} from "../../../src/engine/index.ts";
import { runSimulation } from "../../../src/simulator/custom.ts";

const ACCOUNT = "111122223333";
const USER = `arn:aws:iam::${ACCOUNT}:user/alice`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/Deploy`;
const allowAssume = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: ROLE }],
};
const trustBob = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/bob` }, Action: "sts:AssumeRole" }],
};

describe("resourceKindOf", () => {
  it("recognizes the AssumeRole actions on a role ARN and any action on a KMS key ARN", () => {
    expect(resourceKindOf("sts:assumerole", ROLE)).toBe("role-trust");
    expect(resourceKindOf("sts:assumerolewithsaml", `arn:aws-cn:iam::${ACCOUNT}:role/x/y`)).toBe("role-trust");
    expect(resourceKindOf("sts:assumerole", "*")).toBe("ordinary");
    expect(resourceKindOf("sts:getsessiontoken", ROLE)).toBe("ordinary");
    expect(resourceKindOf("kms:decrypt", `arn:aws:kms:eu-west-1:${ACCOUNT}:key/abc`)).toBe("kms-key");
    expect(resourceKindOf("kms:decrypt", `arn:aws:kms:eu-west-1:${ACCOUNT}:alias/abc`)).toBe("ordinary");
  });
});

describe("PolicySetInput.resourceKind", () => {
  it('"role-trust" requires the trust policy to allow whatever the action and resource look like', () => {
    const request = { principal: USER, action: "sts:TagSession", resource: ROLE };
    const ordinary = compilePolicySet({
      identity: [{ document: { ...allowAssume, Statement: [{ Effect: "Allow", Action: "sts:*", Resource: "*" }] } }],
    });
    expect(evaluate(ordinary, request).decision).toBe("Allowed");
    const trust = compilePolicySet({
      identity: [
        { document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:*", Resource: "*" }] } },
      ],
      resource: { document: trustBob },
      resourceKind: "role-trust",
    });
    expect(evaluate(trust, request)).toMatchObject({ decision: "ImplicitDeny", decidedBy: "resource" });
  });

  it('"role-trust" validates the resource policy with the trust-policy grammar (no Resource element)', () => {
    const withResource = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { AWS: USER }, Action: "sts:AssumeRole", Resource: "*" }],
    };
    expect(() => compilePolicySet({ identity: [], resource: { document: withResource } })).not.toThrow();
    expect(() =>
      compilePolicySet({ identity: [], resource: { document: withResource }, resourceKind: "role-trust" }),
    ).toThrow(PolicyValidationError);
  });

  it('"ordinary" turns the detection off: the identity Allow alone decides', () => {
    const set = compilePolicySet({ identity: [{ document: allowAssume }], resourceKind: "ordinary" });
    expect(evaluate(set, { principal: USER, action: "sts:AssumeRole", resource: ROLE }).decision).toBe("Allowed");
  });
});

describe("/v1/simulate decides the exceptions as AWS does", () => {
  it("an AssumeRole on a role whose trust policy names someone else is denied despite the identity Allow", () => {
    const { results } = runSimulation({
      policies: { identity: [allowAssume], resource: trustBob, resourceAccount: ACCOUNT },
      requests: [
        { principal: USER, action: "sts:AssumeRole", resource: ROLE },
        { principal: `arn:aws:iam::${ACCOUNT}:user/bob`, action: "sts:AssumeRole", resource: ROLE },
        { principal: USER, action: "sts:GetCallerIdentity" },
      ],
    });
    expect(results.map((r) => [r.decision, (r as Decision).decidedBy])).toEqual([
      ["ImplicitDeny", "resource"],
      ["Allowed", "resource"],
      ["Allowed", null],
    ]);
  });
});
