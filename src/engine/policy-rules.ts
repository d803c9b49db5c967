// The policy validator's rules as ONE table: which policy kinds each applies to, AWS's message, and AWS's order.
//
// AWS's validator stops at the first problem in its own order of checks; `parsePolicy` finds every problem and, in
// strict mode (a document about to be stored), reports the one whose rule comes first in this table. The parser
// walks the document and asks this table whether a rule applies (`applies`) and what to say (`message`); checks
// on single values (a Resource ARN, an action, a Sid, a Date value) live here too, as `check` functions.
//
// INVARIANT: whatever strict mode accepts, lenient mode (simulation, compilePolicySet) accepts too: a document
// AWS stores must still compile when it is evaluated. So every relaxation here applies to both modes, and a rule
// marked `strictOnly` only ever rejects more.
//
import type { PolicyKind } from "./types.ts";

// Sources, cited per rule below:
const DOC = {
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
  analyzer: "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html",
  arns: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html",
  s3Arns: "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html",
  createPolicy: "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html",
} as const;

/**
 * What a document is validated as. `managed`: a customer managed policy (CreatePolicy, CreatePolicyVersion, and a
 * permissions boundary, which is always one); `inline`: an identity policy embedded in a user, group or role
 * (PutUserPolicy...). The other kinds are PolicyKind's.
 */
export type PolicyScope = "inline" | "managed" | Exclude<PolicyKind, "identity" | "boundary">;

export function scopeOf(kind: PolicyKind, managed: boolean): PolicyScope {
  if (kind === "boundary") return "managed";
  if (kind === "identity") return managed ? "managed" : "inline";
  return kind;
}

const ALL: readonly PolicyScope[] = ["inline", "managed", "session", "trust", "resource", "scp", "rcp"];
/** Policies IAM and STS validate with IAM's own policy parser. */
const IAM: readonly PolicyScope[] = ["inline", "managed", "session", "trust"];
/** IAM-validated policies whose statements carry Resource. */
const IAM_RESOURCES: readonly PolicyScope[] = ["inline", "managed", "session"];

export const MSG = {
  syntax: "Syntax errors in policy.",
  managedVersion: "Policy document must be version 2012-10-17 or greater.",
  legacy: "The policy failed legacy parsing",
  principalNotAllowed: "Policy document should not specify a principal.",
  noActions: "Policy statement must contain actions.",
  noResources: "Policy statement must contain resources.",
  noPrincipal: "Missing required field Principal",
  noEffect: "Missing required field Effect",
  prohibitedResource: (field: string) => `Has prohibited field ${field}`,
  duplicateSid: "Statement IDs (SID) in a single policy must be unique.",
  vendor: "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
  oneColon: "Actions/Condition can contain only one colon.",
  vendorChars: (vendor: string) => `Vendor ${vendor} is not valid`,
  resourceArn: (v: string) => `Resource ${v} must be in ARN format or "*".`,
  partition: (p: string, arn: string) => `Partition "${p}" is not valid for resource "${arn}".`,
  resourceVendor: "Resource vendor must be fully qualified and cannot contain regexes.",
  iamRegion: (arn: string) => `IAM resource ${arn} cannot contain region information.`,
  s3Region: (arn: string) => `Resource ${arn} can not contain region information.`,
  conditionType: (op: string) => `Invalid Condition type : ${op}.`,
  principal: (v: string) => `Invalid principal in policy: ${v}`,
  sidChars:
    "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*",
} as const;

/** What a value check says when the value breaks its rule: nothing, or the arguments of the message. */
type Verdict = string | undefined;

export interface PolicyRule {
  readonly id: RuleId;
  /** The policy scopes the rule applies to. */
  readonly scopes: readonly PolicyScope[];
  /** Only when a document is stored (validatePolicyDocument), never in simulation. */
  readonly strictOnly: boolean;
  /** AWS's message (a function when the message names the offending value). */
  readonly message: string | ((...args: string[]) => string);
  /** For rules on one value: the message when the value breaks the rule, else undefined. */
  readonly check?: (value: string, partition: string) => Verdict;
  /** What the rule says, in a sentence. */
  readonly rule: string;
  /**
   * Rules AWS checks together, value by value: the first breach in the document is reported, whichever of the
   * group's rules it breaks (AWS reads each Resource ARN, then each action, field by field).
   */
  readonly group?: string;
  /** Where AWS documents it (or where its wording was seen). */
  readonly source: string;
}

// ---- value checks ----

/**
 * S3 resource types whose ARNs carry a Region (Service Authorization Reference, "Resource types defined by Amazon
 * S3"); buckets and objects do not.
 */
const S3_REGIONAL_PREFIXES = [
  "accesspoint/",
  "access-grants/",
  "job/",
  "storage-lens/",
  "storage-lens-group/",
  "async-request/",
];

let lastArn: string | undefined;
let lastFields: string[] = [];

/**
 * The colon-separated fields of a Resource value that is not "*"; the sixth holds the rest. The resource checks
 * run one after another on the same value, so the last split is kept.
 */
function arnFields(v: string): string[] {
  if (v === lastArn) return lastFields;
  const parts = v.split(":");
  lastFields = parts.length <= 6 ? parts : [...parts.slice(0, 5), parts.slice(5).join(":")];
  lastArn = v;
  return lastFields;
}

/** A policy stored in a partition names resources of that partition, or of every partition ("*"). */
function checkPartition(v: string, partition: string): Verdict {
  const f = arnFields(v);
  const p = f[1] ?? "";
  if (p === partition || p === "*") return undefined;
  // AWS names the resource with its six fields, a missing one shown as "*".
  const shown = [1, 2, 3, 4, 5].map((k) => f[k] ?? "*");
  return MSG.partition(p, `arn:${shown.join(":")}`);
}

function checkResourceVendor(v: string): Verdict {
  const f = arnFields(v);
  const service = f[2];
  return service === undefined || /[*?]/.test(service) ? MSG.resourceVendor : undefined;
}

/** The legacy parser cannot read an ARN without a service, or one that skips fields ("::") without having six. */
function checkLegacyArn(v: string): Verdict {
  const f = arnFields(v);
  if (f[2] === "") return MSG.legacy;
  if (v.includes("::") && f.length < 6) return MSG.legacy;
  return undefined;
}

function checkIamRegion(v: string): Verdict {
  const f = arnFields(v);
  return f[2] === "iam" && (f[3] ?? "") !== "" ? MSG.iamRegion(v) : undefined;
}

function checkS3Region(v: string): Verdict {
  const f = arnFields(v);
  if (f[2] !== "s3" || (f[3] ?? "") === "") return undefined;
  const resource = f[5] ?? "";
  return S3_REGIONAL_PREFIXES.some((p) => resource.startsWith(p)) ? undefined : MSG.s3Region(v);
}

function checkActionColons(a: string): Verdict {
  return a.indexOf(":") !== a.lastIndexOf(":") ? MSG.oneColon : undefined;
}

function checkActionVendor(a: string): Verdict {
  const at = a.indexOf(":");
  if (at < 0) return undefined;
  const vendor = a.slice(0, at);
  return vendor === "*" || /^[A-Za-z0-9.-]+$/.test(vendor) ? undefined : MSG.vendorChars(vendor);
}

/** Letters, digits and (as AWS accepts in practice) underscores. */
function checkSidChars(sid: string): Verdict {
  return /^[0-9A-Za-z_]*$/.test(sid) ? undefined : MSG.sidChars;
}

const DATE_ISO =
  /^(-?\d{1,9})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[Tt](?:(\d{1,2})(?::(\d{1,2})(?::(\d{1,2})(?:\.\d{1,9})?)?)?)?(?:[Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;

/**
 * A Date* condition value the legacy parser reads: epoch seconds, or an ISO 8601 date or date-time whose fields
 * are in range (a missing field is allowed: "2020", "2020-01", "01T"). Policy variables are read at request time.
 */
function checkDateValue(v: string): Verdict {
  if (v.includes("${")) return undefined;
  if (/^\d{1,19}$/.test(v)) return BigInt(v) <= 9223372036854775807n ? undefined : MSG.legacy;
  const m = DATE_ISO.exec(v);
  if (!m) return MSG.legacy;
  const [, , month, day, hour, minute, second] = m;
  const inRange = (s: string | undefined, lo: number, hi: number) => s === undefined || (+s >= lo && +s <= hi);
  const ok =
    inRange(month, 1, 12) &&
    inRange(day, 1, 31) &&
    inRange(hour, 0, 23) &&
    inRange(minute, 0, 59) &&
    inRange(second, 0, 59);
  return ok ? undefined : MSG.legacy;
}

// ---- the table, in AWS's order of checks ----

const RULE_LIST = [
  // 1. The document must be JSON of the policy grammar's shape; AWS says no more than "Syntax errors in policy.".
  {
    id: "json",
    scopes: ALL,
    strictOnly: false,
    message: MSG.syntax,
    rule: "The document is one JSON object without duplicate keys.",
    source: DOC.troubleshoot,
  },
  {
    id: "element-known",
    scopes: ALL,
    strictOnly: false,
    message: MSG.syntax,
    rule: "Only Version, Id and Statement at the top; only the grammar's elements in a statement (names are case sensitive).",
    source: DOC.grammar,
  },
  {
    id: "version-value",
    scopes: ALL,
    strictOnly: false,
    message: MSG.syntax,
    rule: 'Version, when present, is the string "2012-10-17" or "2008-10-17".',
    source: DOC.version,
  },
  {
    id: "value-types",
    scopes: ALL,
    strictOnly: false,
    message: MSG.syntax,
    rule: "Id and Sid are strings; Action/Resource lists hold strings (a null in a Resource list is skipped); Condition is an object of operator blocks of scalar values.",
    source: DOC.grammar,
  },
  {
    id: "statement-present",
    scopes: ALL,
    strictOnly: false,
    message: MSG.syntax,
    rule: "Statement is present and is a statement object or an array of them.",
    source: DOC.grammar,
  },
  {
    id: "statement-nonempty",
    scopes: ALL,
    strictOnly: true,
    message: MSG.syntax,
    rule: "A Statement array holds at least one statement.",
    source: DOC.grammar,
  },
  {
    id: "element-pairs",
    scopes: ALL,
    strictOnly: false,
    message: MSG.syntax,
    rule: "A statement has at most one of Action/NotAction, Resource/NotResource, Principal/NotPrincipal.",
    source: DOC.grammar,
  },
  {
    id: "effect-required",
    scopes: ALL,
    strictOnly: false,
    message: MSG.noEffect,
    rule: "Every statement has an Effect.",
    source: DOC.elements,
  },
  {
    id: "effect-value",
    scopes: ALL,
    strictOnly: false,
    message: MSG.syntax,
    rule: 'Effect is "Allow" or "Deny", case sensitive.',
    source: DOC.elements,
  },
  {
    id: "condition-operator",
    scopes: ALL,
    strictOnly: false,
    message: MSG.conditionType,
    rule: "A non-empty condition block is named by a known operator (an empty block is accepted whatever its name).",
    source: DOC.condition,
  },
  {
    id: "principal-shape",
    scopes: ALL,
    strictOnly: false,
    message: MSG.principal,
    rule: 'Principal is "*" or an object of AWS, Service, Federated and CanonicalUser lists.',
    source: DOC.principal,
  },
  {
    id: "not-principal-use",
    scopes: ["inline", "managed", "session", "trust", "scp", "rcp"],
    strictOnly: true,
    message: MSG.syntax,
    rule: "NotPrincipal is for resource-based policies only, and only with Deny.",
    source: DOC.notPrincipal,
  },
  {
    id: "not-principal-deny",
    scopes: ["resource"],
    strictOnly: true,
    message: MSG.syntax,
    rule: "NotPrincipal is used with Deny only.",
    source: DOC.notPrincipal,
  },
  // 2. A managed policy must use the current policy language; inline ones may still omit Version or use 2008-10-17.
  {
    id: "managed-version",
    scopes: ["managed"],
    strictOnly: true,
    message: MSG.managedVersion,
    rule: 'A managed policy (or permissions boundary) has Version "2012-10-17".',
    source: DOC.version,
  },
  // 3. What the legacy (2008) parser, which every document also goes through, cannot read.
  {
    id: "legacy-arn",
    scopes: IAM_RESOURCES,
    strictOnly: true,
    message: MSG.legacy,
    check: checkLegacyArn,
    rule: 'A Resource ARN has a service, and one that skips a field ("::") has all six fields.',
    source: DOC.arns,
  },
  {
    id: "legacy-date",
    scopes: IAM,
    strictOnly: true,
    message: MSG.legacy,
    check: checkDateValue,
    rule: "A Date* condition value is epoch seconds or an ISO 8601 date/date-time with fields in range.",
    source: DOC.condition,
  },
  // 4. Statement ids.
  {
    id: "sid-chars",
    scopes: ["inline", "managed", "trust"],
    strictOnly: true,
    message: MSG.sidChars,
    check: checkSidChars,
    rule: "An IAM Sid holds ASCII letters and digits (and underscores, which IAM accepts).",
    source: DOC.sid,
  },
  {
    id: "sid-unique",
    scopes: ALL,
    strictOnly: false,
    message: MSG.duplicateSid,
    rule: "Non-empty Sids are unique within a policy; any number of statements may have an empty Sid.",
    source: DOC.sid,
  },
  // 5. Required and prohibited elements per kind.
  {
    id: "principal-prohibited",
    scopes: ["inline", "managed", "session", "scp"],
    strictOnly: false,
    message: MSG.principalNotAllowed,
    rule: "Identity-based policies, session policies and SCPs name no Principal or NotPrincipal.",
    source: DOC.principal,
  },
  {
    id: "actions-required",
    scopes: ALL,
    strictOnly: false,
    message: MSG.noActions,
    rule: "Every statement has a non-empty Action or NotAction.",
    source: DOC.action,
  },
  {
    id: "resource-prohibited",
    scopes: ["trust"],
    strictOnly: false,
    message: MSG.prohibitedResource,
    rule: "A role trust policy has no Resource or NotResource.",
    source: DOC.elements,
  },
  {
    id: "resources-required",
    scopes: IAM_RESOURCES,
    strictOnly: false,
    message: MSG.noResources,
    rule: "Every statement of an identity or session policy has a non-empty Resource or NotResource.",
    source: DOC.resource,
  },
  {
    id: "principal-required",
    scopes: ["trust", "resource"],
    strictOnly: false,
    message: MSG.noPrincipal,
    rule: "Every statement of a trust or resource-based policy has Principal or NotPrincipal.",
    source: DOC.principal,
  },
  // 6. Resource ARNs, in the order AWS reads an ARN's fields.
  {
    id: "resource-arn",
    group: "resource-format",
    scopes: ALL,
    strictOnly: false,
    message: MSG.resourceArn,
    rule: 'A Resource is "*" or begins "arn:"; short ARNs (arn:aws:svc) are accepted.',
    source: DOC.resource,
  },
  {
    id: "resource-partition",
    group: "resource-format",
    scopes: IAM_RESOURCES,
    strictOnly: true,
    message: MSG.partition,
    check: checkPartition,
    rule: 'The partition is the one the policy is stored in ("aws" unless the request names another) or "*".',
    source: DOC.arns,
  },
  {
    id: "resource-vendor",
    group: "resource-format",
    scopes: IAM_RESOURCES,
    strictOnly: true,
    message: MSG.resourceVendor,
    check: checkResourceVendor,
    rule: "The service field is present and holds no wildcard.",
    source: DOC.arns,
  },
  {
    id: "resource-region-iam",
    group: "resource-format",
    scopes: IAM_RESOURCES,
    strictOnly: true,
    message: MSG.iamRegion,
    check: checkIamRegion,
    rule: "An IAM ARN has an empty Region field.",
    source: DOC.arns,
  },
  {
    id: "resource-region-s3",
    group: "resource-format",
    scopes: IAM_RESOURCES,
    strictOnly: true,
    message: MSG.s3Region,
    check: checkS3Region,
    rule: "An S3 bucket or object ARN has an empty Region field (access points, jobs, Storage Lens and Access Grants have one).",
    source: DOC.s3Arns,
  },
  // 7. Actions.
  {
    id: "action-vendor",
    group: "action-format",
    scopes: ALL,
    strictOnly: false,
    message: MSG.vendor,
    rule: 'An action is "*" or "vendor:action".',
    source: DOC.action,
  },
  {
    id: "action-one-colon",
    group: "action-format",
    scopes: IAM,
    strictOnly: true,
    message: MSG.oneColon,
    check: checkActionColons,
    rule: "An action has exactly one colon.",
    source: DOC.action,
  },
  {
    id: "action-vendor-chars",
    group: "action-format",
    scopes: IAM,
    strictOnly: true,
    message: MSG.vendorChars,
    check: checkActionVendor,
    rule: "An action's vendor holds letters, digits, dots and dashes (no spaces, no wildcards).",
    source: DOC.action,
  },
  // 8. Principal values IAM refuses to store.
  {
    id: "principal-aws",
    scopes: ["trust", "resource", "rcp"],
    strictOnly: true,
    message: MSG.principal,
    rule: "An AWS principal is *, an account id, a principal ARN without wildcards, or a unique id.",
    source: DOC.principal,
  },
] as const;

export type RuleId = (typeof RULE_LIST)[number]["id"];

/** The rules, first checked first. */
export const POLICY_RULES: readonly PolicyRule[] = RULE_LIST;

/** A rule's rank is its place in the table, or that of the first rule of its group. */
const RANK = new Map<RuleId, number>(
  POLICY_RULES.map((r, i) => [r.id, r.group === undefined ? i : POLICY_RULES.findIndex((g) => g.group === r.group)]),
);
const BY_ID = new Map<RuleId, PolicyRule>(POLICY_RULES.map((r) => [r.id, r]));

/** The rule's place in AWS's order of checks: the lower, the earlier reported. */
export function rankOf(id: RuleId): number {
  return RANK.get(id) as number;
}

export function ruleOf(id: RuleId): PolicyRule {
  return BY_ID.get(id) as PolicyRule;
}

export function applies(id: RuleId, scope: PolicyScope, strict: boolean): boolean {
  const r = BY_ID.get(id) as PolicyRule;
  return (strict || !r.strictOnly) && r.scopes.includes(scope);
}

const activeCache = new Map<string, Readonly<Record<RuleId, boolean>>>();

/** For each rule, whether it applies in a scope and mode (computed once per scope and mode). */
export function activeRules(scope: PolicyScope, strict: boolean): Readonly<Record<RuleId, boolean>> {
  const key = `${scope}|${strict ? 1 : 0}`;
  let on = activeCache.get(key);
  if (on === undefined) {
    on = Object.fromEntries(POLICY_RULES.map((r) => [r.id, applies(r.id, scope, strict)])) as Record<RuleId, boolean>;
    activeCache.set(key, on);
  }
  return on;
}

/** The value checks that apply to one kind of value in a scope and mode, in table order (computed once). */
export type ValueTarget = "resource" | "action" | "sid" | "date";
const TARGET_RULES: Record<ValueTarget, readonly RuleId[]> = {
  resource: ["legacy-arn", "resource-partition", "resource-vendor", "resource-region-iam", "resource-region-s3"],
  action: ["action-one-colon", "action-vendor-chars"],
  sid: ["sid-chars"],
  date: ["legacy-date"],
};

const checksCache = new Map<string, readonly PolicyRule[]>();

export function valueChecks(target: ValueTarget, scope: PolicyScope, strict: boolean): readonly PolicyRule[] {
  const key = `${target}|${scope}|${strict ? 1 : 0}`;
  let list = checksCache.get(key);
  if (list === undefined) {
    list = TARGET_RULES[target].filter((id) => applies(id, scope, strict)).map((id) => ruleOf(id));
    checksCache.set(key, list);
  }
  return list;
}
