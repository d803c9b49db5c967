// Pins the engine rules changed to follow the AWS IAM User Guide (variables with no value, NotPrincipal, sessions).
import { describe, expect, it } from "vitest";
import { compilePolicySet, evaluate } from "../../../src/engine/index.ts";
import type { EvalRequest, PolicySetInput } from "../../../src/engine/index.ts";

const user = "arn:aws:iam::111122223333:user/alice";
const doc = (...Statement: object[]) => ({ document: { Version: "2012-10-17", Statement } });
const run = (set: PolicySetInput, request: Partial<EvalRequest>) =>
  evaluate(compilePolicySet(set), {
    principal: user,
    action: "s3:GetObject",
    resource: "arn:aws:s3:::b/k",
    ...request,
  });

describe("rules from the AWS docs", () => {
  it("a negated operator matches against a variable with no value", () => {
    const set = {
      identity: [
        doc(
          { Effect: "Allow", Action: "s3:*", Resource: "*" },
          {
            Effect: "Deny",
            Action: "s3:*",
            Resource: "*",
            Condition: { StringNotEquals: { "s3:ExistingObjectTag/Team": ["${aws:PrincipalTag/Team}", "red"] } },
          },
        ),
      ],
    };
    expect(run(set, { context: { "s3:ExistingObjectTag/Team": "blue" } }).decision).toBe("ExplicitDeny");
    // The resolved policy value still counts: "red" equals it, so the Deny does not apply.
    expect(run(set, { context: { "s3:ExistingObjectTag/Team": "red" } }).decision).toBe("Allowed");
  });

  it("Bool takes no policy variables", () => {
    const set = {
      identity: [
        doc({
          Effect: "Allow",
          Action: "s3:*",
          Resource: "*",
          Condition: { Bool: { "aws:SecureTransport": "${x:y}" } },
        }),
      ],
    };
    expect(run(set, { context: { "aws:SecureTransport": "true", "x:y": "true" } }).decision).toBe("ImplicitDeny");
  });

  it("a NotResource entry with an unresolved variable excludes nothing", () => {
    const set = {
      identity: [
        doc(
          { Effect: "Allow", Action: "s3:*", Resource: "*" },
          { Effect: "Deny", Action: "s3:*", NotResource: "arn:aws:s3:::b/${aws:PrincipalTag/team}/*" },
        ),
      ],
    };
    const d = run(set, {});
    expect(d.decision).toBe("ExplicitDeny");
    expect(d.missingContextKeys).toEqual(["aws:PrincipalTag/team"]);
  });

  it("an anonymous caller has aws:userid anonymous", () => {
    const set = {
      identity: [],
      resource: doc({
        Effect: "Allow",
        Principal: "*",
        Action: "s3:GetObject",
        Resource: "*",
        Condition: { StringEquals: { "aws:userid": "anonymous" } },
      }),
    };
    expect(run(set, { principal: "anonymous" }).decision).toBe("Allowed");
  });

  it("a federated user session needs a session policy", () => {
    const fed = "arn:aws:sts::111122223333:federated-user/carol";
    const identity = [doc({ Effect: "Allow", Action: "s3:*", Resource: "*" })];
    expect(run({ identity }, { principal: fed })).toMatchObject({ decision: "ImplicitDeny", decidedBy: "session" });
    expect(
      run({ identity, session: [doc({ Effect: "Allow", Action: "*", Resource: "*" })] }, { principal: fed }).decision,
    ).toBe("Allowed");
  });

  it("an account entry in NotPrincipal exempts the account, not its other principals", () => {
    const set = {
      identity: [doc({ Effect: "Allow", Action: "s3:*", Resource: "*" })],
      resource: doc({
        Effect: "Deny",
        NotPrincipal: { AWS: ["arn:aws:iam::111122223333:user/bob", "arn:aws:iam::111122223333:root"] },
        Action: "s3:*",
        Resource: "*",
      }),
    };
    expect(run(set, {}).decision).toBe("ExplicitDeny");
    expect(run(set, { principal: "arn:aws:iam::111122223333:user/bob" }).decision).toBe("Allowed");
    expect(run(set, { principal: "arn:aws:iam::111122223333:root" }).decision).toBe("Allowed");
  });
});
