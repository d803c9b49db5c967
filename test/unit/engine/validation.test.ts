// validatePolicyDocument: AWS-like messages for each kind of policy, with the location of every problem.
import { describe, expect, it } from "vitest";
import { compilePolicySet, PolicyValidationError, validatePolicyDocument } from "../../../src/engine/index.ts";
import type { PolicyKind } from "../../../src/engine/index.ts";

const doc = (...statements: object[]): string => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const ok = { Effect: "Allow", Action: "s3:GetObject", Resource: "*" };

function message(text: string, kind: PolicyKind = "identity"): string | undefined {
  const r = validatePolicyDocument(text, kind);
  return r.ok ? undefined : r.message;
}

describe("validatePolicyDocument messages", () => {
  const cases: [string, string, PolicyKind, string][] = [
    ["invalid JSON", "{not json", "identity", "Syntax errors in policy."],
    ["trailing comma", '{"Version":"2012-10-17","Statement":[],}', "identity", "Syntax errors in policy."],
    [
      "duplicate key",
      '{"Version":"2012-10-17","Version":"2012-10-17","Statement":[]}',
      "identity",
      "Syntax errors in policy.",
    ],
    [
      "Principal in identity policy",
      doc({ ...ok, Principal: "*" }),
      "identity",
      "Policy document should not specify a principal.",
    ],
    [
      "NotPrincipal in a boundary",
      doc({ ...ok, NotPrincipal: { AWS: "*" } }),
      "boundary",
      "Policy document should not specify a principal.",
    ],
    ["Principal in an SCP", doc({ ...ok, Principal: "*" }), "scp", "Policy document should not specify a principal."],
    ["missing Action", doc({ Effect: "Allow", Resource: "*" }), "identity", "Policy statement must contain actions."],
    [
      "empty Action list",
      doc({ Effect: "Allow", Action: [], Resource: "*" }),
      "identity",
      "Policy statement must contain actions.",
    ],
    [
      "missing Resource",
      doc({ Effect: "Allow", Action: "s3:*" }),
      "identity",
      "Policy statement must contain resources.",
    ],
    [
      "missing Resource in a session policy",
      doc({ Effect: "Allow", Action: "s3:*" }),
      "session",
      "Policy statement must contain resources.",
    ],
    [
      "trust policy without Principal",
      doc({ Effect: "Allow", Action: "sts:AssumeRole" }),
      "trust",
      "Missing required field Principal",
    ],
    ["resource policy without Principal", doc(ok), "resource", "Missing required field Principal"],
    [
      "trust policy with Resource",
      doc({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole", Resource: "*" }),
      "trust",
      "Has prohibited field Resource",
    ],
    [
      "duplicate Sid",
      doc({ ...ok, Sid: "A" }, { ...ok, Sid: "A" }),
      "identity",
      "Statement IDs (SID) in a single policy must be unique.",
    ],
    [
      "unknown top-level element",
      JSON.stringify({ Version: "2012-10-17", Statement: [ok], Extra: 1 }),
      "identity",
      "Syntax errors in policy.",
    ],
    ["unknown statement element", doc({ ...ok, Actions: "s3:*" }), "identity", "Syntax errors in policy."],
    ["bad Effect", doc({ ...ok, Effect: "allow" }), "identity", "Syntax errors in policy."],
    ["bad Version", JSON.stringify({ Version: "2012-10-18", Statement: [ok] }), "identity", "Syntax errors in policy."],
    ["missing Statement", JSON.stringify({ Version: "2012-10-17" }), "identity", "Syntax errors in policy."],
    [
      "action without vendor",
      doc({ ...ok, Action: "GetObject" }),
      "identity",
      "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
    ],
    [
      "resource not an ARN",
      doc({ ...ok, Resource: "bucket" }),
      "identity",
      'Resource bucket must be in ARN format or "*".',
    ],
    [
      "unknown condition operator",
      doc({ ...ok, Condition: { StringEqualz: { "aws:x": "1" } } }),
      "identity",
      "Invalid Condition type : StringEqualz.",
    ],
    [
      "NullIfExists is not an operator",
      doc({ ...ok, Condition: { NullIfExists: { "aws:x": "true" } } }),
      "identity",
      "Invalid Condition type : NullIfExists.",
    ],
    ["Action and NotAction together", doc({ ...ok, NotAction: "s3:*" }), "identity", "Syntax errors in policy."],
    ["a statement that is not an object", doc("s3:*" as unknown as object), "identity", "Syntax errors in policy."],
    ["a non-string action", doc({ ...ok, Action: 5 }), "identity", "Syntax errors in policy."],
    [
      "a null condition value",
      doc({ ...ok, Condition: { StringEquals: { "aws:x": null } } }),
      "identity",
      "Syntax errors in policy.",
    ],
    [
      "a wildcard inside a principal ARN",
      doc({ ...ok, Principal: { AWS: "arn:aws:iam::*:root" } }),
      "resource",
      'Invalid principal in policy: "AWS":"arn:aws:iam::*:root"',
    ],
  ];
  for (const [name, text, kind, expected] of cases) {
    it(name, () => expect(message(text, kind)).toBe(expected));
  }

  it("accepts valid documents of every kind", () => {
    expect(message(doc(ok))).toBeUndefined();
    expect(message(doc({ ...ok, Principal: { AWS: "111122223333" } }), "resource")).toBeUndefined();
    expect(
      message(doc({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }), "trust"),
    ).toBeUndefined();
    expect(message(doc({ Effect: "Deny", Action: "*", Resource: "*", Principal: "*" }), "rcp")).toBeUndefined();
    expect(message(JSON.stringify({ Statement: ok }))).toBeUndefined();
    // IAM stores a condition key without a vendor prefix (issue 8 §3, tried against AWS).
    expect(message(doc({ ...ok, Condition: { StringEquals: { SourceIp: "x" } } }))).toBeUndefined();
  });

  it("returns the parsed policy", () => {
    const r = validatePolicyDocument(doc({ ...ok, Sid: "Read" }), "identity");
    expect(r.ok && r.policy.statements[0]?.sid).toBe("Read");
    expect(r.ok && r.policy.version).toBe("2012-10-17");
  });
});

describe("validation issue locations", () => {
  it("locates a JSON syntax error", () => {
    const r = validatePolicyDocument('{\n  "Version": "2012-10-17",\n  "Statement": [}\n', "identity");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toMatchObject({ message: "Syntax errors in policy.", line: 3, column: 17 });
  });

  it("locates a duplicate key", () => {
    const r = validatePolicyDocument('{"Statement": [],\n "Statement": []}', "identity");
    if (r.ok) throw new Error("expected an error");
    expect(r.errors[0]).toMatchObject({ line: 2, column: 2 });
    expect(r.errors[0]?.detail).toContain("Statement");
  });

  it("names the statement and element of a bad operator", () => {
    const text = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
    {"Effect": "Allow", "Action": "s3:*", "Resource": "*",
     "Condition": {"StringEqualz": {"aws:x": "1"}}}
  ]
}`;
    const r = validatePolicyDocument(text, "identity");
    if (r.ok) throw new Error("expected an error");
    expect(r.errors[0]).toMatchObject({ statement: 1, element: "Condition.StringEqualz", line: 6, column: 20 });
  });

  it("reports every problem, not only the first", () => {
    const r = validatePolicyDocument(
      doc({ Effect: "Allow", Resource: "*" }, { Effect: "Allow", Action: "x" }),
      "identity",
    );
    if (r.ok) throw new Error("expected an error");
    expect(r.errors.map((e) => [e.statement, e.message])).toEqual([
      [0, "Policy statement must contain actions."],
      [1, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."],
      [1, "Policy statement must contain resources."],
    ]);
  });
});

describe("compilePolicySet errors", () => {
  it("names the policy and the statement", () => {
    const bad = doc(ok, { Effect: "Allow", Resource: "*" });
    try {
      compilePolicySet({ identity: [{ document: doc(ok) }, { document: bad }] });
      expect.fail("should throw");
    } catch (e) {
      expect(e).toBeInstanceOf(PolicyValidationError);
      const err = e as PolicyValidationError;
      expect(err.policy).toBe("identity[1]");
      expect(err.statement).toBe(1);
      expect(err.awsMessage).toBe("Policy statement must contain actions.");
      expect(err.message).toContain("identity[1] statement 1");
    }
  });

  it("labels SCP levels", () => {
    expect(() => compilePolicySet({ identity: [], scps: [[{ document: doc(ok) }], [{ document: "{" }]] })).toThrow(
      /scps\[1\]\[0\]/,
    );
  });

  it("accepts documents given as objects", () => {
    expect(() =>
      compilePolicySet({ identity: [{ document: { Version: "2012-10-17", Statement: [ok] } }] }),
    ).not.toThrow();
  });
});
