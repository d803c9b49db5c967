// Parses and validates a policy document (text or object) into a normalized ParsedPolicy, with AWS-like messages.
import { splitArn } from "./arn.ts";
import { JsonSyntaxError, parseJson, toJsonNode, type JsonNode } from "./json.ts";
import { parseOperator } from "./conditions/index.ts";
import type { PolicyKind, Position, ValidationIssue } from "./types.ts";

export const MSG = {
  syntax: "Syntax errors in policy.",
  principalNotAllowed: "Policy document should not specify a principal.",
  noActions: "Policy statement must contain actions.",
  noResources: "Policy statement must contain resources.",
  noPrincipal: "Missing required field Principal",
  noEffect: "Missing required field Effect",
  prohibitedResource: (field: string) => `Has prohibited field ${field}`,
  duplicateSid: "Statement IDs (SID) in a single policy must be unique.",
  vendor: "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
  resourceArn: (v: string) => `Resource ${v} must be in ARN format or "*".`,
  conditionType: (op: string) => `Invalid Condition type : ${op}.`,
  principal: (v: string) => `Invalid principal in policy: ${v}`,
  sidChars:
    "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*",
} as const;

export type PolicyVersion = "2012-10-17" | "2008-10-17";

/** The Principal/NotPrincipal element, normalized: "*" or lists per principal type. */
export type ParsedPrincipal = "*" | { AWS: string[]; Service: string[]; Federated: string[]; CanonicalUser: string[] };

export interface ParsedCondition {
  operator: string;
  key: string;
  values: string[];
}

export interface ParsedStatement {
  index: number;
  sid?: string;
  effect: "Allow" | "Deny";
  action?: string[];
  notAction?: string[];
  resource?: string[];
  notResource?: string[];
  principal?: ParsedPrincipal;
  notPrincipal?: ParsedPrincipal;
  conditions: ParsedCondition[];
  start?: Position;
  end?: Position;
}

export interface ParsedPolicy {
  /** Absent Version means the 2008-10-17 language: no policy variables. */
  version?: PolicyVersion;
  id?: string;
  statements: ParsedStatement[];
}

export type ParseResult =
  | { ok: true; policy: ParsedPolicy }
  | { ok: false; message: string; errors: ValidationIssue[] };

const TOP_KEYS = new Set(["Version", "Id", "Statement"]);
const STATEMENT_KEYS = new Set([
  "Sid",
  "Effect",
  "Principal",
  "NotPrincipal",
  "Action",
  "NotAction",
  "Resource",
  "NotResource",
  "Condition",
]);
const PRINCIPAL_TYPES = ["AWS", "Service", "Federated", "CanonicalUser"] as const;
/** Kinds whose statements name no principal: the principal is whoever the policy is attached to. */
const NO_PRINCIPAL_KINDS = new Set<PolicyKind>(["identity", "boundary", "session", "scp"]);
// RCPs name "*" by convention; a statement without Principal is read as applying to every principal.
const NEEDS_PRINCIPAL_KINDS = new Set<PolicyKind>(["resource", "trust"]);
const NEEDS_RESOURCE_KINDS = new Set<PolicyKind>(["identity", "boundary", "session"]);
/** Policies IAM itself stores, whose Sid is limited to ASCII letters and digits (other services allow more). */
const IAM_SID_KINDS = new Set<PolicyKind>(["identity", "boundary", "trust"]);
/** Kinds that accept NotPrincipal: AWS documents it for resource-based policies only, and only with Deny. */
const NOT_PRINCIPAL_KINDS = new Set<PolicyKind>(["resource"]);

export interface ParseOptions {
  /**
   * Also reject principal values AWS refuses to store (wildcards inside ARNs, malformed IDs). Off for simulation:
   * such a value is well-formed policy text that simply never names anyone.
   */
  strictPrincipals?: boolean;
  /**
   * Also apply the rules AWS enforces when a policy is stored but that change no decision: Sid characters, and
   * NotPrincipal only with Deny in resource-based policies. Off for simulation, so such documents still evaluate.
   */
  strict?: boolean;
}

/** Parses and validates a policy given as JSON text or as an object, for the given kind of policy. */
export function parsePolicy(document: string | object, kind: PolicyKind, options: ParseOptions = {}): ParseResult {
  const issues: ValidationIssue[] = [];
  let root: JsonNode;
  if (typeof document === "string") {
    try {
      const parsed = parseJson(document);
      root = parsed.node;
      for (const d of parsed.duplicates) {
        issues.push({
          message: MSG.syntax,
          detail: `Duplicate key "${d.key}"`,
          line: d.position.line,
          column: d.position.column,
        });
      }
    } catch (e) {
      if (!(e instanceof JsonSyntaxError)) throw e;
      const issue = { message: MSG.syntax, detail: e.message, line: e.position.line, column: e.position.column };
      return { ok: false, message: MSG.syntax, errors: [issue] };
    }
  } else {
    try {
      root = toJsonNode(document);
    } catch (e) {
      const issue = { message: MSG.syntax, detail: e instanceof Error ? e.message : String(e) };
      return { ok: false, message: MSG.syntax, errors: [issue] };
    }
  }
  const policy = new DocumentParser(kind, issues, options.strictPrincipals === true, options.strict === true).document(
    root,
  );
  const first = issues[0];
  if (first || !policy) return { ok: false, message: first?.message ?? MSG.syntax, errors: issues };
  return { ok: true, policy };
}

class DocumentParser {
  constructor(
    private readonly kind: PolicyKind,
    private readonly issues: ValidationIssue[],
    private readonly strictPrincipals: boolean,
    private readonly strict: boolean,
  ) {}

  /** Records a problem located at a node, or at an explicit position (an object key) when given. */
  private issue(
    message: string,
    node: JsonNode | undefined,
    extra: Omit<ValidationIssue, "message"> = {},
    pos?: Position,
  ): void {
    const at = pos ?? node?.start;
    this.issues.push({ message, ...extra, ...(at ? { line: at.line, column: at.column } : {}) });
  }

  document(root: JsonNode): ParsedPolicy | undefined {
    if (root.type !== "object") {
      this.issue(MSG.syntax, root, { detail: "The policy must be a JSON object" });
      return undefined;
    }
    const policy: ParsedPolicy = { statements: [] };
    let statementNode: JsonNode | undefined;
    for (const { key, keyPos, value } of root.entries) {
      if (!TOP_KEYS.has(key)) {
        this.issue(MSG.syntax, value, { element: key, detail: `Unknown policy element "${key}"` }, keyPos);
      } else if (key === "Version") {
        if (value.type === "string" && (value.value === "2012-10-17" || value.value === "2008-10-17")) {
          policy.version = value.value;
        } else {
          this.issue(MSG.syntax, value, {
            element: "Version",
            detail: "The policy must contain a valid version string",
          });
        }
      } else if (key === "Id") {
        if (value.type === "string") policy.id = value.value as string;
        else this.issue(MSG.syntax, value, { element: "Id", detail: "Id must be a string" });
      } else statementNode = value;
    }
    if (!statementNode) {
      this.issue(MSG.syntax, root, { element: "Statement", detail: "Missing required field Statement" });
      return undefined;
    }
    const items = statementNode.type === "array" ? statementNode.items : [statementNode];
    const sids = new Set<string>();
    items.forEach((item, index) => {
      const st = this.statement(item, index);
      if (!st) return;
      if (st.sid !== undefined) {
        if (sids.has(st.sid)) this.issue(MSG.duplicateSid, item, { statement: index, element: "Sid" });
        sids.add(st.sid);
      }
      policy.statements.push(st);
    });
    return policy;
  }

  private statement(node: JsonNode, index: number): ParsedStatement | undefined {
    if (node.type !== "object") {
      this.issue(MSG.syntax, node, { statement: index, detail: "A statement must be a JSON object" });
      return undefined;
    }
    const at = { statement: index };
    const fields = new Map<string, JsonNode>();
    for (const { key, keyPos, value } of node.entries) {
      if (!STATEMENT_KEYS.has(key)) {
        this.issue(MSG.syntax, value, { ...at, element: key, detail: `Unknown statement element "${key}"` }, keyPos);
      } else fields.set(key, value);
    }
    const st: ParsedStatement = { index, effect: "Allow", conditions: [], start: node.start, end: node.end };
    if (!node.start) {
      delete st.start;
      delete st.end;
    }
    const sid = fields.get("Sid");
    if (sid) {
      if (sid.type === "string") {
        st.sid = sid.value as string;
        // AWS documents IAM's Sid as ASCII letters and digits only; SQS, SNS and others accept more.
        if (this.strict && IAM_SID_KINDS.has(this.kind) && !/^[0-9A-Za-z]*$/.test(st.sid)) {
          this.issue(MSG.sidChars, sid, { ...at, element: "Sid" });
        }
      } else this.issue(MSG.syntax, sid, { ...at, element: "Sid", detail: "Sid must be a string" });
    }
    const effect = fields.get("Effect");
    if (!effect) this.issue(MSG.noEffect, node, { ...at, element: "Effect" });
    else if (effect.type === "string" && (effect.value === "Allow" || effect.value === "Deny"))
      st.effect = effect.value;
    else this.issue(MSG.syntax, effect, { ...at, element: "Effect", detail: 'Effect must be "Allow" or "Deny"' });

    this.principals(fields, st, node, index);
    this.actions(fields, st, node, index);
    this.resources(fields, st, node, index);
    const cond = fields.get("Condition");
    if (cond) this.conditions(cond, st, index);
    return st;
  }

  private principals(fields: Map<string, JsonNode>, st: ParsedStatement, node: JsonNode, index: number): void {
    const at = { statement: index };
    const p = fields.get("Principal");
    const np = fields.get("NotPrincipal");
    if ((p || np) && NO_PRINCIPAL_KINDS.has(this.kind)) {
      this.issue(MSG.principalNotAllowed, p ?? np, { ...at, element: p ? "Principal" : "NotPrincipal" });
      return;
    }
    if (p && np) {
      this.issue(MSG.syntax, np, { ...at, element: "NotPrincipal", detail: "Principal and NotPrincipal together" });
      return;
    }
    if (!p && !np) {
      if (NEEDS_PRINCIPAL_KINDS.has(this.kind)) this.issue(MSG.noPrincipal, node, { ...at, element: "Principal" });
      return;
    }
    if (np && this.strict && !NOT_PRINCIPAL_KINDS.has(this.kind)) {
      this.issue(MSG.syntax, np, { ...at, element: "NotPrincipal", detail: "NotPrincipal is not supported here" });
      return;
    }
    // INVARIANT: AWS documents NotPrincipal as Deny-only ("Using it with Allow is not supported"); simulation still
    // evaluates such a statement (it names everyone except the listed principals) rather than rejecting it.
    if (np && this.strict && st.effect === "Allow" && fields.has("Effect")) {
      this.issue(MSG.syntax, np, { ...at, element: "NotPrincipal", detail: "NotPrincipal must be used with Deny" });
    }
    const element = p ? "Principal" : "NotPrincipal";
    const parsed = this.principal((p ?? np) as JsonNode, index, element);
    if (parsed && p) st.principal = parsed;
    if (parsed && np) st.notPrincipal = parsed;
  }

  private principal(node: JsonNode, index: number, element: string): ParsedPrincipal | undefined {
    const at = { statement: index, element };
    if (node.type === "string") {
      if (node.value === "*") return "*";
      this.issue(MSG.principal(JSON.stringify(node.value)), node, { ...at, detail: 'A principal string must be "*"' });
      return undefined;
    }
    if (node.type !== "object") {
      this.issue(MSG.syntax, node, { ...at, detail: 'Principal must be "*" or an object' });
      return undefined;
    }
    const out = {
      AWS: [] as string[],
      Service: [] as string[],
      Federated: [] as string[],
      CanonicalUser: [] as string[],
    };
    for (const { key, value } of node.entries) {
      if (!(PRINCIPAL_TYPES as readonly string[]).includes(key)) {
        this.issue(MSG.syntax, value, { ...at, detail: `Unknown principal type "${key}"` });
        continue;
      }
      const values = this.stringList(value, index, `${element}.${key}`);
      if (!values) continue;
      for (const v of values) {
        if (this.strictPrincipals && key === "AWS" && !validAwsPrincipal(v)) {
          this.issue(MSG.principal(`"AWS":"${v}"`), value, { ...at });
        }
      }
      out[key as (typeof PRINCIPAL_TYPES)[number]].push(...values);
    }
    return out;
  }

  private actions(fields: Map<string, JsonNode>, st: ParsedStatement, node: JsonNode, index: number): void {
    const a = fields.get("Action");
    const na = fields.get("NotAction");
    const at = { statement: index };
    if (a && na) {
      this.issue(MSG.syntax, na, { ...at, element: "NotAction", detail: "Action and NotAction together" });
      return;
    }
    const which = a ? "Action" : "NotAction";
    const list = (a ?? na) ? this.stringList((a ?? na) as JsonNode, index, which) : undefined;
    if (!list || list.length === 0) {
      if (!a && !na) this.issue(MSG.noActions, node, { ...at, element: "Action" });
      else if (list) this.issue(MSG.noActions, a ?? na, { ...at, element: which });
      return;
    }
    for (const v of list) {
      if (v !== "*" && !/^[^:]+:.+$/.test(v)) this.issue(MSG.vendor, a ?? na, { ...at, element: which, detail: v });
    }
    if (a) st.action = list;
    else st.notAction = list;
  }

  private resources(fields: Map<string, JsonNode>, st: ParsedStatement, node: JsonNode, index: number): void {
    const r = fields.get("Resource");
    const nr = fields.get("NotResource");
    const at = { statement: index };
    if (this.kind === "trust" && (r || nr)) {
      this.issue(MSG.prohibitedResource(r ? "Resource" : "NotResource"), r ?? nr, {
        ...at,
        element: r ? "Resource" : "NotResource",
      });
      return;
    }
    if (r && nr) {
      this.issue(MSG.syntax, nr, { ...at, element: "NotResource", detail: "Resource and NotResource together" });
      return;
    }
    const which = r ? "Resource" : "NotResource";
    if (!r && !nr) {
      if (NEEDS_RESOURCE_KINDS.has(this.kind)) this.issue(MSG.noResources, node, { ...at, element: "Resource" });
      return;
    }
    const list = this.stringList((r ?? nr) as JsonNode, index, which);
    if (!list) return;
    if (list.length === 0 && NEEDS_RESOURCE_KINDS.has(this.kind)) {
      this.issue(MSG.noResources, r ?? nr, { ...at, element: which });
      return;
    }
    for (const v of list) {
      if (v !== "*" && (!v.startsWith("arn:") || splitArn(v).length < 6)) {
        this.issue(MSG.resourceArn(v), r ?? nr, { ...at, element: which });
      }
    }
    if (r) st.resource = list;
    else st.notResource = list;
  }

  private conditions(node: JsonNode, st: ParsedStatement, index: number): void {
    const at = { statement: index };
    if (node.type !== "object") {
      this.issue(MSG.syntax, node, { ...at, element: "Condition", detail: "Condition must be an object" });
      return;
    }
    for (const { key: operator, keyPos, value: block } of node.entries) {
      if (!parseOperator(operator)) {
        this.issue(MSG.conditionType(operator), block, { ...at, element: `Condition.${operator}` }, keyPos);
        continue;
      }
      if (block.type !== "object") {
        this.issue(MSG.syntax, block, {
          ...at,
          element: `Condition.${operator}`,
          detail: "Expected an object of keys",
        });
        continue;
      }
      for (const { key, keyPos: conditionKeyPos, value } of block.entries) {
        const element = `Condition.${operator}.${key}`;
        // IAM refuses to store an unprefixed condition key, but AWS's own examples use one (BinaryEquals "key"),
        // so simulation evaluates it as an ordinary, case-insensitive context key.
        if (this.strict && !/^[^:]+:.+$/.test(key)) {
          this.issue(MSG.vendor, value, { ...at, element, detail: key }, conditionKeyPos);
          continue;
        }
        const values = this.scalarList(value, index, element);
        if (values) st.conditions.push({ operator, key, values });
      }
    }
  }

  /** A string or a non-empty-able array of strings. */
  private stringList(node: JsonNode, index: number, element: string): string[] | undefined {
    const items = node.type === "array" ? node.items : [node];
    const out: string[] = [];
    for (const item of items) {
      if (item.type !== "string") {
        this.issue(MSG.syntax, item, { statement: index, element, detail: `${element} values must be strings` });
        return undefined;
      }
      out.push(item.value as string);
    }
    return out;
  }

  /** Condition values: strings, numbers or booleans (kept as their text), alone or in an array. */
  private scalarList(node: JsonNode, index: number, element: string): string[] | undefined {
    const items = node.type === "array" ? node.items : [node];
    const out: string[] = [];
    for (const item of items) {
      if (item.type === "string" || item.type === "number" || item.type === "boolean") out.push(String(item.value));
      else {
        this.issue(MSG.syntax, item, { statement: index, element, detail: "Condition values must be scalars" });
        return undefined;
      }
    }
    return out;
  }
}

/** "*", a 12-digit account, a principal ARN, or an opaque unique ID; wildcards inside ARNs are not allowed. */
function validAwsPrincipal(v: string): boolean {
  if (v === "*") return true;
  if (v.includes("*") || v.includes("?")) return false;
  if (/^\d{12}$/.test(v)) return true;
  if (v.startsWith("arn:")) return v.split(":").length >= 6;
  return /^[A-Za-z0-9+=,.@_-]+$/.test(v);
}
