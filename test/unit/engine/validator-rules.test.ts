// The stored-policy validator, rule by rule (src/engine/policy-rules.ts): what AWS accepts and refuses, with its
// exact message, which problem it reports first, and that nothing it stores is refused by simulation.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  compilePolicySet,
  evaluate,
  parsePolicy,
  POLICY_RULES,
  validatePolicyDocument,
} from "../../../src/engine/index.ts";
import type { PolicyKind, RuleId } from "../../../src/engine/index.ts";

const SRC = {
  grammar: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html",
  elements: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html",
  version: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html",
  sid: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html",
  resource: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html",
  action: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html",
  condition: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html",
  principal: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html",
  notPrincipal: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html",
  troubleshoot: "https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_policies.html",
  arns: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html",
  s3Arns: "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html",
} as const;

/** A fact of issue 8 §3 (IAM's validator tried against AWS), with the documentation page of the element. */
const seen = (page: string) => `${page}; issue 8 §3, tried against AWS IAM`;

type Scope = PolicyKind | "managed";

interface Case {
  rule: RuleId;
  name: string;
  scope: Scope;
  document: string;
  /** AWS's message, or undefined when AWS stores the document. */
  expected: string | undefined;
  source: string;
}

const doc = (...statements: object[]): string => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const ok = { Effect: "Allow", Action: "s3:GetObject", Resource: "*" };
const on = (Resource: unknown) => doc({ ...ok, Resource });
const act = (Action: unknown) => doc({ ...ok, Action });
const trust = (extra: object = {}) =>
  doc({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole", ...extra });

function validate(text: string, scope: Scope) {
  return scope === "managed"
    ? validatePolicyDocument(text, "identity", { managed: true })
    : validatePolicyDocument(text, scope);
}

function message(text: string, scope: Scope): string | undefined {
  const r = validate(text, scope);
  return r.ok ? undefined : r.message;
}

const SYNTAX = "Syntax errors in policy.";
const LEGACY = "The policy failed legacy parsing";
const VERSION = "Policy document must be version 2012-10-17 or greater.";

const CASES: Case[] = [
  // json
  {
    rule: "json",
    name: "text that is not JSON",
    scope: "identity",
    document: "{",
    expected: SYNTAX,
    source: SRC.troubleshoot,
  },
  {
    rule: "json",
    name: "two objects at the top",
    scope: "identity",
    document: `${doc(ok)} ${doc(ok)}`,
    expected: SYNTAX,
    source: SRC.troubleshoot,
  },
  {
    rule: "json",
    name: "the JSON null",
    scope: "managed",
    document: "null",
    expected: SYNTAX,
    source: SRC.troubleshoot,
  },
  // element-known
  {
    rule: "element-known",
    name: "a Statement element named in lower case",
    scope: "identity",
    document: doc({ ...ok, action: "s3:*" }),
    expected: SYNTAX,
    source: SRC.grammar,
  },
  {
    rule: "element-known",
    name: "an unknown top-level element",
    scope: "managed",
    document: JSON.stringify({ Version: "2012-10-17", Statement: [ok], Comment: "x" }),
    expected: SYNTAX,
    source: SRC.grammar,
  },
  // version-value
  {
    rule: "version-value",
    name: "a Version that is no policy language",
    scope: "identity",
    document: JSON.stringify({ Version: "2012-10-18", Statement: [ok] }),
    expected: SYNTAX,
    source: SRC.version,
  },
  // value-types
  {
    rule: "value-types",
    name: "a number in an Action list",
    scope: "identity",
    document: act(["s3:GetObject", 5]),
    expected: SYNTAX,
    source: SRC.grammar,
  },
  {
    rule: "value-types",
    name: "a null in an Action list",
    scope: "identity",
    document: act(["s3:GetObject", null]),
    expected: SYNTAX,
    source: SRC.grammar,
  },
  {
    rule: "value-types",
    name: "a condition block that is a string (no operator)",
    scope: "managed",
    document: doc({ ...ok, Condition: { "servicecatalog:accountLevel": "self" } }),
    expected: SYNTAX,
    source: SRC.condition,
  },
  {
    rule: "value-types",
    name: "AWS stores a null entry in a Resource list",
    scope: "managed",
    document: on(["arn:aws:s3:::bucket/*", null]),
    expected: undefined,
    source: seen(SRC.resource),
  },
  // statement-present
  {
    rule: "statement-present",
    name: "no Statement",
    scope: "identity",
    document: JSON.stringify({ Version: "2012-10-17" }),
    expected: SYNTAX,
    source: SRC.grammar,
  },
  {
    rule: "statement-present",
    name: "a statement that is a string",
    scope: "identity",
    document: JSON.stringify({ Version: "2012-10-17", Statement: ["s3:*"] }),
    expected: SYNTAX,
    source: SRC.grammar,
  },
  // statement-nonempty
  {
    rule: "statement-nonempty",
    name: "an empty Statement list",
    scope: "identity",
    document: JSON.stringify({ Version: "2012-10-17", Statement: [] }),
    expected: SYNTAX,
    source: seen(SRC.grammar),
  },
  {
    rule: "statement-nonempty",
    name: "an empty Statement list in a trust policy",
    scope: "trust",
    document: JSON.stringify({ Version: "2012-10-17", Statement: [] }),
    expected: SYNTAX,
    source: seen(SRC.grammar),
  },
  // element-pairs
  {
    rule: "element-pairs",
    name: "Resource and NotResource together",
    scope: "identity",
    document: doc({ ...ok, NotResource: "arn:aws:s3:::b" }),
    expected: SYNTAX,
    source: SRC.grammar,
  },
  // effect-required
  {
    rule: "effect-required",
    name: "a statement without Effect",
    scope: "identity",
    document: doc({ Action: "s3:*", Resource: "*" }),
    expected: "Missing required field Effect",
    source: SRC.elements,
  },
  // effect-value
  {
    rule: "effect-value",
    name: "Effect Permit",
    scope: "identity",
    document: doc({ ...ok, Effect: "Permit" }),
    expected: SYNTAX,
    source: SRC.elements,
  },
  // condition-operator
  {
    rule: "condition-operator",
    name: "an unknown operator with keys",
    scope: "identity",
    document: doc({ ...ok, Condition: { StringEqualz: { "aws:x": "1" } } }),
    expected: "Invalid Condition type : StringEqualz.",
    source: SRC.condition,
  },
  {
    rule: "condition-operator",
    name: "AWS stores an empty condition-operator block",
    scope: "managed",
    document: doc({ ...ok, Condition: { StringEquals: {} } }),
    expected: undefined,
    source: seen(SRC.condition),
  },
  {
    rule: "condition-operator",
    name: "AWS stores an empty block whatever the operator's name",
    scope: "identity",
    document: doc({ ...ok, Condition: { StringEqualz: {} } }),
    expected: undefined,
    source: seen(SRC.condition),
  },
  {
    rule: "condition-operator",
    name: "AWS stores a condition key without a vendor prefix",
    scope: "managed",
    document: doc({ ...ok, Condition: { DateGreaterThan: { a: "01T" } } }),
    expected: undefined,
    source: seen(SRC.condition),
  },
  // principal-shape
  {
    rule: "principal-shape",
    name: "a principal string other than *",
    scope: "trust",
    document: doc({ Effect: "Allow", Principal: "ec2.amazonaws.com", Action: "sts:AssumeRole" }),
    expected: 'Invalid principal in policy: "ec2.amazonaws.com"',
    source: SRC.principal,
  },
  // not-principal-use, not-principal-deny
  {
    rule: "not-principal-use",
    name: "NotPrincipal in a role trust policy",
    scope: "trust",
    document: doc({ Effect: "Deny", NotPrincipal: { AWS: "111122223333" }, Action: "sts:AssumeRole" }),
    expected: SYNTAX,
    source: SRC.notPrincipal,
  },
  {
    rule: "not-principal-deny",
    name: "NotPrincipal with Allow in a resource-based policy",
    scope: "resource",
    document: doc({ ...ok, NotPrincipal: { AWS: "111122223333" } }),
    expected: SYNTAX,
    source: SRC.notPrincipal,
  },
  // managed-version
  {
    rule: "managed-version",
    name: "a managed policy without Version",
    scope: "managed",
    document: JSON.stringify({ Statement: [ok] }),
    expected: VERSION,
    source: seen(SRC.version),
  },
  {
    rule: "managed-version",
    name: "a managed policy in the 2008-10-17 language",
    scope: "managed",
    document: JSON.stringify({ Version: "2008-10-17", Statement: [ok] }),
    expected: VERSION,
    source: seen(SRC.version),
  },
  {
    rule: "managed-version",
    name: "a permissions boundary is a managed policy",
    scope: "boundary",
    document: JSON.stringify({ Statement: [ok] }),
    expected: VERSION,
    source: SRC.version,
  },
  {
    rule: "managed-version",
    name: "an inline policy may omit Version",
    scope: "identity",
    document: JSON.stringify({ Statement: [ok] }),
    expected: undefined,
    source: SRC.version,
  },
  {
    rule: "managed-version",
    name: "an inline policy may use 2008-10-17",
    scope: "identity",
    document: JSON.stringify({ Version: "2008-10-17", Statement: [ok] }),
    expected: undefined,
    source: SRC.version,
  },
  {
    rule: "managed-version",
    name: "a trust policy may omit Version",
    scope: "trust",
    document: JSON.stringify({
      Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
    }),
    expected: undefined,
    source: SRC.version,
  },
  // legacy-arn
  {
    rule: "legacy-arn",
    name: "an ARN with an empty service",
    scope: "identity",
    document: on("arn:aws::us-east-1:111122223333:thing"),
    expected: LEGACY,
    source: seen(SRC.arns),
  },
  {
    rule: "legacy-arn",
    name: 'an ARN that skips a field ("::") without having six',
    scope: "managed",
    document: on("arn:aws:s3::bucket"),
    expected: LEGACY,
    source: SRC.arns,
  },
  {
    rule: "legacy-arn",
    name: "AWS stores a short ARN",
    scope: "managed",
    document: on("arn:aws:fdsasf"),
    expected: undefined,
    source: seen(SRC.arns),
  },
  // legacy-date
  {
    rule: "legacy-date",
    name: "a Date value that is no date",
    scope: "identity",
    document: doc({ ...ok, Condition: { DateGreaterThan: { "aws:CurrentTime": "yesterday" } } }),
    expected: LEGACY,
    source: SRC.condition,
  },
  {
    rule: "legacy-date",
    name: "a Date value with month 13",
    scope: "managed",
    document: doc({ ...ok, Condition: { DateLessThan: { "aws:CurrentTime": "2020-13-01T00:00:00Z" } } }),
    expected: LEGACY,
    source: SRC.condition,
  },
  {
    rule: "legacy-date",
    name: "Date values as a date-time, a date, epoch seconds and a variable",
    scope: "managed",
    document: doc({
      ...ok,
      Condition: {
        DateGreaterThan: { "aws:CurrentTime": ["2020-01-01T00:00:00Z", "2020-06-30", "1600000000"] },
        DateLessThanIfExists: { "aws:TokenIssueTime": "${aws:CurrentTime}" },
      },
    }),
    expected: undefined,
    source: SRC.condition,
  },
  // sid-chars
  {
    rule: "sid-chars",
    name: "a Sid with a space",
    scope: "identity",
    document: doc({ ...ok, Sid: "Read Only" }),
    expected:
      "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*",
    source: SRC.sid,
  },
  {
    rule: "sid-chars",
    name: "AWS stores a Sid with underscores",
    scope: "managed",
    document: doc({ ...ok, Sid: "Allow_Read_Only" }),
    expected: undefined,
    source: seen(SRC.sid),
  },
  {
    rule: "sid-chars",
    name: "a resource-based policy Sid may hold spaces",
    scope: "resource",
    document: doc({ ...ok, Sid: "Read objects", Principal: "*" }),
    expected: undefined,
    source: SRC.sid,
  },
  // sid-unique
  {
    rule: "sid-unique",
    name: "two statements with one Sid",
    scope: "identity",
    document: doc({ ...ok, Sid: "A" }, { ...ok, Sid: "A" }),
    expected: "Statement IDs (SID) in a single policy must be unique.",
    source: SRC.sid,
  },
  {
    rule: "sid-unique",
    name: "AWS stores several statements with an empty Sid",
    scope: "managed",
    document: doc({ ...ok, Sid: "" }, { ...ok, Sid: "" }, { ...ok, Sid: "" }),
    expected: undefined,
    source: seen(SRC.sid),
  },
  // principal-prohibited
  {
    rule: "principal-prohibited",
    name: "Principal in a managed policy",
    scope: "managed",
    document: doc({ ...ok, Principal: "*" }),
    expected: "Policy document should not specify a principal.",
    source: SRC.principal,
  },
  // actions-required
  {
    rule: "actions-required",
    name: "a statement without Action",
    scope: "identity",
    document: doc({ Effect: "Allow", Resource: "*" }),
    expected: "Policy statement must contain actions.",
    source: SRC.action,
  },
  // resource-prohibited
  {
    rule: "resource-prohibited",
    name: "NotResource in a trust policy",
    scope: "trust",
    document: trust({ NotResource: "*" }),
    expected: "Has prohibited field NotResource",
    source: SRC.elements,
  },
  // resources-required
  {
    rule: "resources-required",
    name: "a statement without Resource",
    scope: "managed",
    document: doc({ Effect: "Allow", Action: "s3:*" }),
    expected: "Policy statement must contain resources.",
    source: SRC.resource,
  },
  {
    rule: "resources-required",
    name: "a Resource list holding only null",
    scope: "identity",
    document: on([null]),
    expected: "Policy statement must contain resources.",
    source: SRC.resource,
  },
  // principal-required
  {
    rule: "principal-required",
    name: "a trust statement without Principal",
    scope: "trust",
    document: doc({ Effect: "Allow", Action: "sts:AssumeRole" }),
    expected: "Missing required field Principal",
    source: SRC.principal,
  },
  // resource-arn
  {
    rule: "resource-arn",
    name: "a Resource that is a bucket name",
    scope: "identity",
    document: on("my-bucket"),
    expected: 'Resource my-bucket must be in ARN format or "*".',
    source: SRC.resource,
  },
  {
    rule: "resource-arn",
    name: "an empty Resource",
    scope: "identity",
    document: on(""),
    expected: 'Resource  must be in ARN format or "*".',
    source: SRC.resource,
  },
  // resource-partition
  {
    rule: "resource-partition",
    name: "partition b",
    scope: "identity",
    document: on("arn:b:s3:::bucket"),
    expected: 'Partition "b" is not valid for resource "arn:b:s3:::bucket".',
    source: SRC.arns,
  },
  {
    rule: "resource-partition",
    name: "a partition of another region group, with the missing fields shown as *",
    scope: "managed",
    document: on("arn:aws-cn:s3"),
    expected: 'Partition "aws-cn" is not valid for resource "arn:aws-cn:s3:*:*:*".',
    source: SRC.arns,
  },
  {
    rule: "resource-partition",
    name: "an unresolved template variable as partition",
    scope: "identity",
    document: on("arn:${ARN_PARTITION}:s3:::bucket"),
    expected: 'Partition "${ARN_PARTITION}" is not valid for resource "arn:${ARN_PARTITION}:s3:::bucket".',
    source: SRC.arns,
  },
  {
    rule: "resource-partition",
    name: "the partition * names every partition",
    scope: "managed",
    document: on("arn:*:s3:::bucket"),
    expected: undefined,
    source: SRC.arns,
  },
  // resource-vendor
  {
    rule: "resource-vendor",
    name: "an ARN that stops after the partition",
    scope: "identity",
    document: on("arn:aws"),
    expected: "Resource vendor must be fully qualified and cannot contain regexes.",
    source: seen(SRC.arns),
  },
  {
    rule: "resource-vendor",
    name: "a wildcard in the service",
    scope: "managed",
    document: on("arn:aws:s3*:::bucket"),
    expected: "Resource vendor must be fully qualified and cannot contain regexes.",
    source: SRC.arns,
  },
  // resource-region-iam
  {
    rule: "resource-region-iam",
    name: "an IAM ARN with a region",
    scope: "identity",
    document: on("arn:aws:iam:us-east-1:111122223333:role/*"),
    expected: "IAM resource arn:aws:iam:us-east-1:111122223333:role/* cannot contain region information.",
    source: SRC.arns,
  },
  // resource-region-s3
  {
    rule: "resource-region-s3",
    name: "an S3 bucket path with a region",
    scope: "managed",
    document: on("arn:aws:s3:us-west-2:111122223333:bucket/athena"),
    expected: "Resource arn:aws:s3:us-west-2:111122223333:bucket/athena can not contain region information.",
    source: SRC.s3Arns,
  },
  {
    rule: "resource-region-s3",
    name: "an S3 access point ARN carries its region",
    scope: "managed",
    document: on("arn:aws:s3:us-west-2:111122223333:accesspoint/reports"),
    expected: undefined,
    source: SRC.s3Arns,
  },
  // action-vendor
  {
    rule: "action-vendor",
    name: "an action without a vendor",
    scope: "identity",
    document: act("GetObject"),
    expected: "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
    source: SRC.action,
  },
  // action-one-colon
  {
    rule: "action-one-colon",
    name: "an action with two colons",
    scope: "managed",
    document: act("s3:Get:Object"),
    expected: "Actions/Condition can contain only one colon.",
    source: SRC.action,
  },
  {
    rule: "action-one-colon",
    name: "a trust policy action with two colons",
    scope: "trust",
    document: doc({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts::AssumeRole" }),
    expected: "Actions/Condition can contain only one colon.",
    source: SRC.action,
  },
  // action-vendor-chars
  {
    rule: "action-vendor-chars",
    name: "a vendor with a space",
    scope: "identity",
    document: act("s 3:GetObject"),
    expected: "Vendor s 3 is not valid",
    source: seen(SRC.action),
  },
  {
    rule: "action-vendor-chars",
    name: "vendors with dashes and dots, and the * vendor",
    scope: "managed",
    document: act(["cognito-idp:ListUsers", "*:Get*", "execute-api:Invoke"]),
    expected: undefined,
    source: SRC.action,
  },
  // principal-aws
  {
    rule: "principal-aws",
    name: "a wildcard inside a principal ARN",
    scope: "trust",
    document: doc({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::*:root" }, Action: "sts:AssumeRole" }),
    expected: 'Invalid principal in policy: "AWS":"arn:aws:iam::*:root"',
    source: SRC.principal,
  },
];

describe("each rule of the validator, as AWS applies it", () => {
  for (const c of CASES) {
    it(`${c.rule}: ${c.name} (${c.source})`, () => expect(message(c.document, c.scope)).toBe(c.expected));
  }

  it("every rule of the table has a case that it refuses", () => {
    const refused = new Set(CASES.filter((c) => c.expected !== undefined).map((c) => c.rule));
    expect(POLICY_RULES.map((r) => r.id).filter((id) => !refused.has(id))).toEqual([]);
  });

  it("every rule names its source and AWS's message", () => {
    for (const r of POLICY_RULES) {
      expect(r.source).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
      expect(typeof r.message === "string" ? r.message : r.message("x", "y")).not.toBe("");
    }
  });
});

describe("AWS reports the first problem in its own order of checks", () => {
  const order: [string, Scope, string, string][] = [
    [
      "syntax before the managed Version",
      "managed",
      JSON.stringify({ Statement: [{ ...ok, Effect: "Permit" }] }),
      SYNTAX,
    ],
    [
      "the managed Version before a legacy parsing failure",
      "managed",
      JSON.stringify({ Statement: [{ ...ok, Resource: "arn:aws::x" }] }),
      VERSION,
    ],
    [
      "legacy parsing before a duplicate Sid",
      "identity",
      doc({ ...ok, Sid: "A" }, { ...ok, Sid: "A", Resource: "arn:aws::x" }),
      LEGACY,
    ],
    [
      "a duplicate Sid before missing actions",
      "identity",
      doc({ Effect: "Allow", Resource: "*" }, { ...ok, Sid: "A" }, { ...ok, Sid: "A" }),
      "Statement IDs (SID) in a single policy must be unique.",
    ],
    [
      "missing actions before missing resources",
      "identity",
      doc({ Effect: "Allow", Action: "s3:*" }, { Effect: "Allow", Resource: "*" }),
      "Policy statement must contain actions.",
    ],
    [
      "missing resources before a bad resource elsewhere",
      "identity",
      doc({ ...ok, Resource: "arn:b:s3:::x" }, { Effect: "Allow", Action: "s3:*" }),
      "Policy statement must contain resources.",
    ],
    [
      "a resource partition before an action's vendor",
      "identity",
      doc({ ...ok, Action: "s 3:Get" }, { ...ok, Resource: "arn:b:s3:::x" }),
      'Partition "b" is not valid for resource "arn:b:s3:::x".',
    ],
    [
      "a missing vendor and two colons: the earlier action in the document",
      "identity",
      act(["s3:a:b", "GetObject"]),
      "Actions/Condition can contain only one colon.",
    ],
  ];
  for (const [name, scope, text, expected] of order) {
    it(name, () => {
      const r = validate(text, scope);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.message).toBe(expected);
      // The problem reported leads the list of every problem found.
      expect(r.errors[0]?.message).toBe(expected);
      expect(r.errors.length).toBeGreaterThan(1);
    });
  }
});

describe("whatever AWS stores still evaluates (lenient mode accepts it too)", () => {
  const stored = CASES.filter((c) => c.expected === undefined);
  for (const c of stored) {
    it(`${c.rule}: ${c.name}`, () => {
      const kind = c.scope === "managed" ? "identity" : c.scope;
      expect(parsePolicy(c.document, kind).ok).toBe(true);
    });
  }

  const user = "arn:aws:iam::111122223333:user/alice";
  it("a null in a Resource list is skipped", () => {
    const set = compilePolicySet({ identity: [{ document: on(["arn:aws:s3:::bucket/*", null]) }] });
    const request = { principal: user, action: "s3:GetObject" };
    expect(evaluate(set, { ...request, resource: "arn:aws:s3:::bucket/k" }).decision).toBe("Allowed");
    expect(evaluate(set, { ...request, resource: "arn:aws:s3:::other/k" }).decision).toBe("ImplicitDeny");
  });

  it("a short ARN matches what its fields name", () => {
    const set = compilePolicySet({ identity: [{ document: on("arn:aws:fdsasf") }] });
    expect(evaluate(set, { principal: user, action: "s3:GetObject", resource: "arn:aws:fdsasf" }).decision).toBe(
      "Allowed",
    );
  });

  it("an empty block of any operator tests nothing", () => {
    const set = compilePolicySet({ identity: [{ document: doc({ ...ok, Condition: { StringEqualz: {} } }) }] });
    expect(evaluate(set, { principal: user, action: "s3:GetObject", resource: "arn:aws:s3:::b/k" }).decision).toBe(
      "Allowed",
    );
  });

  it("rules AWS applies only when storing do not block simulation", () => {
    for (const c of CASES.filter((x) => x.expected !== undefined)) {
      const rule = POLICY_RULES.find((r) => r.id === c.rule);
      if (!rule?.strictOnly) continue;
      const kind = c.scope === "managed" ? "identity" : c.scope;
      expect(parsePolicy(c.document, kind).ok, c.name).toBe(true);
    }
  });
});

describe("AWS's own managed policies", () => {
  it("every default version passes as a managed policy", () => {
    const path = new URL("../../../src/generated/aws-managed-policies.json", import.meta.url);
    const policies = JSON.parse(readFileSync(path, "utf8")) as { name: string; document: string }[];
    expect(policies.length).toBeGreaterThan(1000);
    const refused = policies
      .map((p) => ({ name: p.name, r: validatePolicyDocument(p.document, "identity", { managed: true }) }))
      .filter((x) => !x.r.ok)
      .map((x) => x.name);
    expect(refused).toEqual([]);
  });
});
