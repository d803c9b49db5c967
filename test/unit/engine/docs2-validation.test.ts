// Policy validation rules from the IAM User Guide (grammar, Sid, NotPrincipal, Version, Condition pages), per kind.
import { describe, expect, it } from "vitest";
import { compilePolicySet, evaluate, POLICY_MESSAGES, validatePolicyDocument } from "../../../src/engine/index.ts";
import type { PolicyKind } from "../../../src/engine/index.ts";

const doc = (...statements: object[]): string => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const ok = { Effect: "Allow", Action: "s3:GetObject", Resource: "*" };
const bucketPolicy = { ...ok, Principal: { AWS: "arn:aws:iam::111122223333:root" } };

function message(text: string, kind: PolicyKind = "identity"): string | undefined {
  const r = validatePolicyDocument(text, kind);
  return r.ok ? undefined : r.message;
}

describe("validation rules from the AWS docs", () => {
  const rejected: [string, string, PolicyKind, string][] = [
    ["Sid page: an IAM Sid with a space", doc({ ...ok, Sid: "Read Objects" }), "identity", POLICY_MESSAGES.sidChars],
    ["Sid page: an IAM Sid with a dash", doc({ ...ok, Sid: "read-objects" }), "identity", POLICY_MESSAGES.sidChars],
    ["Sid page: a boundary Sid with a dash", doc({ ...ok, Sid: "a-b" }), "boundary", POLICY_MESSAGES.sidChars],
    [
      "Sid page: a role trust policy Sid with a dot",
      doc({ Sid: "a.b", Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }),
      "trust",
      POLICY_MESSAGES.sidChars,
    ],
    [
      "Sid page: Sids must be unique in a policy",
      doc({ ...ok, Sid: "A1" }, { ...ok, Sid: "A1" }),
      "identity",
      POLICY_MESSAGES.duplicateSid,
    ],
    [
      "NotPrincipal page: NotPrincipal with Allow is not supported",
      doc({ ...ok, NotPrincipal: { AWS: "arn:aws:iam::111122223333:user/Bob" } }),
      "resource",
      POLICY_MESSAGES.syntax,
    ],
    [
      "NotPrincipal page: not usable in a role trust policy",
      doc({ Effect: "Deny", NotPrincipal: { AWS: "111122223333" }, Action: "sts:AssumeRole" }),
      "trust",
      POLICY_MESSAGES.syntax,
    ],
    [
      "NotPrincipal page: RCPs do not support NotPrincipal",
      doc({ Effect: "Deny", NotPrincipal: { AWS: "111122223333" }, Action: "s3:*", Resource: "*" }),
      "rcp",
      POLICY_MESSAGES.syntax,
    ],
    [
      "grammar: Principal in an identity policy",
      doc({ ...ok, Principal: "*" }),
      "identity",
      POLICY_MESSAGES.principalNotAllowed,
    ],
    [
      "grammar: Action and NotAction together",
      doc({ ...ok, NotAction: "s3:PutObject" }),
      "identity",
      POLICY_MESSAGES.syntax,
    ],
    [
      "grammar: Resource and NotResource together",
      doc({ ...ok, NotResource: "arn:aws:s3:::b" }),
      "identity",
      POLICY_MESSAGES.syntax,
    ],
    ["grammar: Effect is case sensitive (allow)", doc({ ...ok, Effect: "allow" }), "identity", POLICY_MESSAGES.syntax],
    ["grammar: Effect DENY is invalid", doc({ ...ok, Effect: "DENY" }), "identity", POLICY_MESSAGES.syntax],
    ["grammar: an empty Action array", doc({ ...ok, Action: [] }), "identity", POLICY_MESSAGES.noActions],
    ["grammar: an empty Resource array", doc({ ...ok, Resource: [] }), "identity", POLICY_MESSAGES.noResources],
    [
      "Version page: only 2012-10-17 and 2008-10-17",
      JSON.stringify({ Version: "2012-10-18", Statement: [ok] }),
      "identity",
      POLICY_MESSAGES.syntax,
    ],
    [
      "Version page: a date-like number is not a version",
      JSON.stringify({ Version: 20121017, Statement: [ok] }),
      "identity",
      POLICY_MESSAGES.syntax,
    ],
    [
      "grammar: an unknown top-level element",
      JSON.stringify({ Version: "2012-10-17", Statement: [ok], Comment: "x" }),
      "identity",
      POLICY_MESSAGES.syntax,
    ],
    [
      "grammar: element names are case sensitive (effect)",
      doc({ effect: "Allow", Action: "s3:*", Resource: "*" }),
      "identity",
      POLICY_MESSAGES.syntax,
    ],
    [
      "grammar: an unknown condition operator",
      doc({ ...ok, Condition: { StringMatches: { "aws:x": "a" } } }),
      "identity",
      POLICY_MESSAGES.conditionType("StringMatches"),
    ],
    [
      "grammar: IfExists cannot follow a negation twice (StringNotEqualsIfExistsIfExists)",
      doc({ ...ok, Condition: { StringNotEqualsIfExistsIfExists: { "aws:x": "a" } } }),
      "identity",
      POLICY_MESSAGES.conditionType("StringNotEqualsIfExistsIfExists"),
    ],
    [
      "grammar: Null takes no set operator",
      doc({ ...ok, Condition: { "ForAnyValue:Null": { "aws:x": "true" } } }),
      "identity",
      POLICY_MESSAGES.conditionType("ForAnyValue:Null"),
    ],
    [
      "grammar: a condition value cannot be an object",
      doc({ ...ok, Condition: { StringEquals: { "aws:x": { a: 1 } } } }),
      "identity",
      POLICY_MESSAGES.syntax,
    ],
    [
      "grammar: a nested array condition value",
      doc({ ...ok, Condition: { StringEquals: { "aws:x": [["a"]] } } }),
      "identity",
      POLICY_MESSAGES.syntax,
    ],
    [
      "grammar: a Resource that is not an ARN",
      doc({ ...ok, Resource: "my-bucket" }),
      "identity",
      POLICY_MESSAGES.resourceArn("my-bucket"),
    ],
  ];
  for (const [name, text, kind, expected] of rejected) it(name, () => expect(message(text, kind)).toBe(expected));

  const accepted: [string, string, PolicyKind][] = [
    ["Sid page: letters and digits", doc({ ...ok, Sid: "ReadObjects2024" }), "identity"],
    ["IAM accepts an underscore in a Sid (issue 8 §3)", doc({ ...ok, Sid: "Allow_Read_Only" }), "boundary"],
    [
      "Sid page: other services accept spaces in a resource policy Sid",
      doc({ ...bucketPolicy, Sid: "Read objects" }),
      "resource",
    ],
    [
      "NotPrincipal page: NotPrincipal with Deny in a resource policy",
      doc({ ...ok, Effect: "Deny", NotPrincipal: { AWS: "111122223333" } }),
      "resource",
    ],
    ["Version page: 2008-10-17", JSON.stringify({ Version: "2008-10-17", Statement: [ok] }), "identity"],
    ["Version page: Version may be omitted", JSON.stringify({ Statement: [ok] }), "identity"],
    ["grammar: Statement may be a single object", JSON.stringify({ Version: "2012-10-17", Statement: ok }), "identity"],
    [
      "grammar: Id is allowed at the top level",
      JSON.stringify({ Version: "2012-10-17", Id: "my policy", Statement: [ok] }),
      "identity",
    ],
    [
      "grammar: condition values may be strings, numbers and booleans",
      doc({
        ...ok,
        Condition: { NumericLessThan: { "s3:max-keys": [10, "20"] }, Bool: { "aws:SecureTransport": true } },
      }),
      "identity",
    ],
    [
      "grammar: action names are case-insensitive and may hold wildcards",
      doc({ ...ok, Action: ["S3:Get*", "iam:*AccessKey*", "*"] }),
      "identity",
    ],
    [
      "grammar: ForAllValues and IfExists together",
      doc({ ...ok, Condition: { "ForAllValues:StringLikeIfExists": { "aws:TagKeys": "a*" } } }),
      "identity",
    ],
  ];
  for (const [name, text, kind] of accepted) it(name, () => expect(message(text, kind)).toBeUndefined());
});

describe("store-only rules do not block simulation", () => {
  const user = "arn:aws:iam::111122223333:user/alice";
  it("a Sid with spaces still evaluates", () => {
    const set = compilePolicySet({ identity: [{ document: doc({ ...ok, Sid: "Read objects" }) }] });
    expect(evaluate(set, { principal: user, action: "s3:GetObject", resource: "arn:aws:s3:::b/k" }).decision).toBe(
      "Allowed",
    );
  });

  it("NotPrincipal with Allow names everyone but the listed principal", () => {
    const resource = { document: doc({ ...ok, NotPrincipal: { AWS: "arn:aws:iam::111122223333:user/Bob" } }) };
    const set = compilePolicySet({ identity: [], resource });
    const req = { action: "s3:GetObject", resource: "arn:aws:s3:::b/k" };
    expect(evaluate(set, { ...req, principal: user }).decision).toBe("Allowed");
    expect(evaluate(set, { ...req, principal: "arn:aws:iam::111122223333:user/Bob" }).decision).toBe("ImplicitDeny");
  });
});
