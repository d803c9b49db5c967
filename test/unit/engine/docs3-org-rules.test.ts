// Pins the organization-policy rule added from the Organizations User Guide: service-linked roles are not restricted.
import { describe, expect, it } from "vitest";
import { compilePolicySet, evaluate, parsePrincipal } from "../../../src/engine/index.ts";

const doc = (...Statement: object[]) => ({ document: { Version: "2012-10-17", Statement } });
const admin = doc({ Effect: "Allow", Action: "*", Resource: "*" });
const denyAll = doc({ Effect: "Deny", Action: "*", Resource: "*" });
const rcpDenyAll = doc({ Effect: "Deny", Principal: "*", Action: "*", Resource: "*" });
const slr = "arn:aws:iam::111122223333:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig";

describe("service-linked roles and organization policies", () => {
  it("recognises a role under the /aws-service-role/ path as service-linked", () => {
    expect(parsePrincipal(slr).serviceLinked).toBe(true);
    expect(parsePrincipal("arn:aws:iam::111122223333:role/service-role/MyRole").serviceLinked).toBeUndefined();
  });

  it("skips SCPs and RCPs for a service-linked role but keeps its identity policies", () => {
    const set = compilePolicySet({ identity: [admin], scps: [[denyAll]], rcps: [[rcpDenyAll]] });
    const d = evaluate(set, { principal: slr, action: "s3:GetBucketAcl", resource: "arn:aws:s3:::b" });
    expect(d.decision).toBe("Allowed");
    expect(d.policyTypes).not.toHaveProperty("scp");
    expect(d.policyTypes).not.toHaveProperty("rcp");
  });

  it("still applies SCPs to an ordinary role with a path", () => {
    const set = compilePolicySet({ identity: [admin], scps: [[denyAll]] });
    const d = evaluate(set, {
      principal: "arn:aws:iam::111122223333:role/service-role/MyRole",
      action: "s3:GetBucketAcl",
      resource: "arn:aws:s3:::b",
    });
    expect(d.decision).toBe("ExplicitDeny");
    expect(d.decidedBy).toBe("scp");
  });

  it("does not exempt a service-linked role from its own (missing) permissions", () => {
    const set = compilePolicySet({ identity: [] });
    expect(evaluate(set, { principal: slr, action: "s3:GetBucketAcl", resource: "arn:aws:s3:::b" }).decision).toBe(
      "ImplicitDeny",
    );
  });
});
