// Parses and validates a policy document (text or object) into a normalized ParsedPolicy, with AWS's messages.
// Which rule applies to which kind of policy, its message and AWS's order of checks are in ONE table:
// policy-rules.ts. This file walks the document and asks that table.
import { JsonSyntaxError, parseJson, toJsonNode, type JsonNode } from "./json.ts";
import { parseJsonFast, type ChildSpan } from "./json-fast.ts";
import { surelyVendorActions } from "./actions.ts";
import { parseOperator } from "./conditions/index.ts";
import {
  activeRules,
  MSG,
  rankOf,
  ruleOf,
  scopeOf,
  valueChecks,
  type PolicyRule,
  type PolicyScope,
  type RuleId,
  type ValueTarget,
} from "./policy-rules.ts";
import type { PolicyKind, Position, ValidationIssue } from "./types.ts";

export { MSG } from "./policy-rules.ts";

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

export interface ParseOptions {
  /**
   * Also reject principal values AWS refuses to store (wildcards inside ARNs, malformed IDs). Off for simulation:
   * such a value is well-formed policy text that simply never names anyone.
   */
  strictPrincipals?: boolean;
  /**
   * Apply the rules AWS enforces when a policy is stored (policy-rules.ts, `strictOnly`) and report the first
   * problem in AWS's order of checks. Off for simulation, so documents AWS would refuse to store still evaluate.
   */
  strict?: boolean;
  /**
   * The identity policy is a customer managed policy (CreatePolicy, CreatePolicyVersion), not an inline one: it
   * must be written in the 2012-10-17 language. A "boundary" is always a managed policy.
   */
  managed?: boolean;
  /** The partition the policy is stored in (`aws`, `aws-cn`, ...): its Resource ARNs must name it or "*". */
  partition?: string;
  /**
   * Read text with JSON.parse first (json-fast.ts): true always, false never (the position-keeping parser only).
   * Default: when the text is mostly long lists of strings (see `mostlyLists`), where it pays.
   */
  fast?: boolean;
}

/**
 * Characters per object at which reading text with JSON.parse pays. Measured in fresh workerd isolates: a
 * ReadOnlyAccess-sized document (one object per ~24,000 characters) compiles ~3 ms sooner, while ten 20-statement
 * policies with conditions (one per ~90) compile ~4 ms later, since the regex pass and the node conversion are two
 * walks of JavaScript where json.ts makes one.
 */
const FAST_CHARS_PER_OBJECT = 1000;

/** Whether a text is mostly long lists of strings (few objects for its length), where the fast read pays. */
function mostlyLists(text: string): boolean {
  return text.length >= FAST_CHARS_PER_OBJECT * text.split("{").length;
}

/**
 * The document's nodes read the fast way, with each statement's position set (all a well-formed policy reports),
 * or undefined when only json.ts can read it faithfully.
 */
function fastStatements(text: string): { root: JsonNode; positionAt: (offset: number) => Position } | undefined {
  const fast = parseJsonFast(text);
  if (!fast || fast.node.type !== "object") return undefined;
  const statements = fast.node.entries.find((e) => e.key === "Statement")?.value;
  if (statements === undefined) return { root: fast.node, positionAt: fast.positionAt };
  const objects = statements.type === "array" ? statements.items : [statements];
  const spans = fast.children.filter((c) => c.key === "Statement");
  if (spans.length !== objects.filter((o) => o.type === "object").length) return undefined;
  let k = 0;
  for (const o of objects) {
    if (o.type !== "object") continue;
    const span = spans[k++] as ChildSpan;
    o.at = span.start;
    o.endAt = span.end;
  }
  return { root: fast.node, positionAt: fast.positionAt };
}

/** Parses and validates a policy given as JSON text or as an object, for the given kind of policy. */
export function parsePolicy(document: string | object, kind: PolicyKind, options: ParseOptions = {}): ParseResult {
  const strict = options.strict === true;
  const parser = new DocumentParser(
    scopeOf(kind, options.managed === true),
    strict,
    options.strictPrincipals === true,
    options.partition ?? "aws",
  );
  let root: JsonNode;
  if (typeof document === "string") {
    // Most documents are well formed: read them natively, and walk the position-keeping parser only for one that
    // has a problem, whose issues then carry exact positions.
    const fast = (options.fast ?? mostlyLists(document)) ? fastStatements(document) : undefined;
    if (fast) {
      parser.positionAt = fast.positionAt;
      const policy = parser.document(fast.root);
      if (policy && parser.result().length === 0) return { ok: true, policy };
      return parsePolicy(document, kind, { ...options, fast: false });
    }
    try {
      const parsed = parseJson(document);
      root = parsed.node;
      parser.positionAt = parsed.positionAt;
      for (const d of parsed.duplicates) {
        parser.report("json", undefined, { detail: `Duplicate key "${d.key}"` }, [], d.at);
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
  const policy = parser.document(root);
  const issues = parser.result();
  const first = issues[0];
  if (first || !policy) return { ok: false, message: first?.message ?? MSG.syntax, errors: issues };
  return { ok: true, policy };
}

class DocumentParser {
  private readonly issues: ValidationIssue[] = [];
  /** The rank (policy-rules.ts order) of each issue, parallel to `issues`. */
  private readonly ranks: number[] = [];
  /** The table's value checks for this scope and mode, looked up once (most lists are empty in simulation). */
  private readonly checks: Record<ValueTarget, readonly PolicyRule[]>;
  /** Which rules apply in this scope and mode (looked up once per scope and mode). */
  private readonly on: Readonly<Record<RuleId, boolean>>;
  /** Line and column of an offset of the text being read; absent for a document given as an object. */
  positionAt: ((offset: number) => Position) | undefined;

  constructor(
    private readonly scope: PolicyScope,
    private readonly strict: boolean,
    private readonly strictPrincipals: boolean,
    private readonly partition: string,
  ) {
    this.checks = {
      resource: valueChecks("resource", scope, strict),
      action: valueChecks("action", scope, strict),
      sid: valueChecks("sid", scope, strict),
      date: valueChecks("date", scope, strict),
    };
    this.on = activeRules(scope, strict);
  }

  /**
   * Every problem found, in document order; in strict mode the one AWS reports (the earliest rule in AWS's order,
   * then the earliest in the document) comes first.
   */
  result(): ValidationIssue[] {
    if (!this.strict || this.issues.length < 2) return this.issues;
    let best = 0;
    for (let i = 1; i < this.ranks.length; i++) if ((this.ranks[i] as number) < (this.ranks[best] as number)) best = i;
    if (best === 0) return this.issues;
    const out = this.issues.slice();
    const [chosen] = out.splice(best, 1);
    return [chosen as ValidationIssue, ...out];
  }

  /**
   * Records a breach of rule `id` located at a node, or at an explicit position (an object key) when given.
   * `message` overrides the rule's own (for value checks, whose message names the value). Does nothing, and
   * returns false, when the rule does not apply to this scope and mode.
   */
  report(
    id: RuleId,
    node: JsonNode | undefined,
    extra?: Omit<ValidationIssue, "message">,
    args?: string[],
    offset?: number,
    message?: string,
  ): boolean {
    if (!this.on[id]) return false;
    const rule = ruleOf(id).message;
    const text = message ?? (typeof rule === "function" ? rule(...(args ?? [])) : rule);
    const where = offset ?? node?.at;
    const at = where === undefined ? undefined : this.positionAt?.(where);
    this.issues.push({ message: text, ...extra, ...(at ? { line: at.line, column: at.column } : {}) });
    this.ranks.push(rankOf(id));
    return true;
  }

  /** Runs the table's checks on one value; reports the first breach. Allocates nothing when the value passes. */
  private checkValue(target: ValueTarget, value: string, node: JsonNode, statement: number, element: string): boolean {
    const rules = this.checks[target];
    for (let k = 0; k < rules.length; k++) {
      const rule = rules[k] as PolicyRule;
      const message = rule.check?.(value, this.partition);
      if (message !== undefined) {
        return this.report(rule.id, node, { statement, element, detail: value }, [], undefined, message);
      }
    }
    return false;
  }

  document(root: JsonNode): ParsedPolicy | undefined {
    if (root.type !== "object") {
      this.report("json", root, { detail: "The policy must be a JSON object" });
      return undefined;
    }
    const policy: ParsedPolicy = { statements: [] };
    let statementNode: JsonNode | undefined;
    let versionNode: JsonNode | undefined;
    for (const { key, keyAt, value } of root.entries) {
      if (!TOP_KEYS.has(key)) {
        this.report("element-known", value, { element: key, detail: `Unknown policy element "${key}"` }, [], keyAt);
      } else if (key === "Version") {
        versionNode = value;
        if (value.type === "string" && (value.value === "2012-10-17" || value.value === "2008-10-17")) {
          policy.version = value.value;
        } else {
          this.report("version-value", value, {
            element: "Version",
            detail: "The policy must contain a valid version string",
          });
        }
      } else if (key === "Id") {
        if (value.type === "string") policy.id = value.value as string;
        else this.report("value-types", value, { element: "Id", detail: "Id must be a string" });
      } else statementNode = value;
    }
    if (!statementNode) {
      this.report("statement-present", root, { element: "Statement", detail: "Missing required field Statement" });
      return undefined;
    }
    if (policy.version !== "2012-10-17") {
      this.report("managed-version", versionNode ?? root, { element: "Version" });
    }
    const items = statementNode.type === "array" ? statementNode.items : [statementNode];
    if (items.length === 0) {
      this.report("statement-nonempty", statementNode, { element: "Statement", detail: "The Statement list is empty" });
    }
    const sids = new Set<string>();
    items.forEach((item, index) => {
      const st = this.statement(item, index);
      if (!st) return;
      // Statements without a Sid, or with an empty one, do not collide.
      if (st.sid) {
        if (sids.has(st.sid)) this.report("sid-unique", item, { statement: index, element: "Sid" });
        sids.add(st.sid);
      }
      policy.statements.push(st);
    });
    return policy;
  }

  private statement(node: JsonNode, index: number): ParsedStatement | undefined {
    if (node.type !== "object") {
      this.report("statement-present", node, { statement: index, detail: "A statement must be a JSON object" });
      return undefined;
    }
    const at = { statement: index };
    const fields = new Map<string, JsonNode>();
    for (const { key, keyAt, value } of node.entries) {
      if (!STATEMENT_KEYS.has(key)) {
        this.report(
          "element-known",
          value,
          { ...at, element: key, detail: `Unknown statement element "${key}"` },
          [],
          keyAt,
        );
      } else fields.set(key, value);
    }
    const st: ParsedStatement = { index, effect: "Allow", conditions: [] };
    if (node.at !== undefined && node.endAt !== undefined && this.positionAt) {
      st.start = this.positionAt(node.at);
      st.end = this.positionAt(node.endAt);
    }
    const sid = fields.get("Sid");
    if (sid) {
      if (sid.type === "string") {
        st.sid = sid.value as string;
        this.checkValue("sid", st.sid, sid, index, "Sid");
      } else this.report("value-types", sid, { ...at, element: "Sid", detail: "Sid must be a string" });
    }
    const effect = fields.get("Effect");
    if (!effect) this.report("effect-required", node, { ...at, element: "Effect" });
    else if (effect.type === "string" && (effect.value === "Allow" || effect.value === "Deny"))
      st.effect = effect.value;
    else this.report("effect-value", effect, { ...at, element: "Effect", detail: 'Effect must be "Allow" or "Deny"' });

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
    if ((p || np) && this.on["principal-prohibited"]) {
      this.report("principal-prohibited", p ?? np, { ...at, element: p ? "Principal" : "NotPrincipal" });
      return;
    }
    if (p && np) {
      this.report("element-pairs", np, {
        ...at,
        element: "NotPrincipal",
        detail: "Principal and NotPrincipal together",
      });
      return;
    }
    if (!p && !np) {
      if (this.on["principal-required"]) this.report("principal-required", node, { ...at, element: "Principal" });
      return;
    }
    if (np && this.on["not-principal-use"]) {
      this.report("not-principal-use", np, {
        ...at,
        element: "NotPrincipal",
        detail: "NotPrincipal is not supported here",
      });
      return;
    }
    // INVARIANT: AWS documents NotPrincipal as Deny-only ("Using it with Allow is not supported"); simulation still
    // evaluates such a statement (it names everyone except the listed principals) rather than rejecting it.
    if (np && st.effect === "Allow" && fields.has("Effect")) {
      this.report("not-principal-deny", np, {
        ...at,
        element: "NotPrincipal",
        detail: "NotPrincipal must be used with Deny",
      });
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
      this.report("principal-shape", node, { ...at, detail: 'A principal string must be "*"' }, [
        JSON.stringify(node.value),
      ]);
      return undefined;
    }
    if (node.type !== "object") {
      this.report("value-types", node, { ...at, detail: 'Principal must be "*" or an object' });
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
        this.report("value-types", value, { ...at, detail: `Unknown principal type "${key}"` });
        continue;
      }
      const values = this.stringList(value, index, `${element}.${key}`, false);
      if (!values) continue;
      for (const v of values) {
        if (this.strictPrincipals && key === "AWS" && !validAwsPrincipal(v)) {
          this.report("principal-aws", value, { ...at }, [`"AWS":"${v}"`]);
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
      this.report("element-pairs", na, { ...at, element: "NotAction", detail: "Action and NotAction together" });
      return;
    }
    const which = a ? "Action" : "NotAction";
    const list = (a ?? na) ? this.stringList((a ?? na) as JsonNode, index, which, false) : undefined;
    if (!list || list.length === 0) {
      if (!a && !na) this.report("actions-required", node, { ...at, element: "Action" });
      else if (list) this.report("actions-required", a ?? na, { ...at, element: which });
      return;
    }
    const listNode = (a ?? na) as JsonNode;
    // A long list with no value checks to run (simulation) is judged whole, natively, when it surely passes.
    if (this.checks.action.length === 0 && surelyVendorActions(list)) {
      if (a) st.action = list;
      else st.notAction = list;
      return;
    }
    for (const v of list) {
      if (v !== "*" && !/^[^:]+:.+$/.test(v))
        this.report("action-vendor", listNode, { ...at, element: which, detail: v });
      else if (v !== "*") this.checkValue("action", v, listNode, index, which);
    }
    if (a) st.action = list;
    else st.notAction = list;
  }

  private resources(fields: Map<string, JsonNode>, st: ParsedStatement, node: JsonNode, index: number): void {
    const r = fields.get("Resource");
    const nr = fields.get("NotResource");
    const at = { statement: index };
    if ((r || nr) && this.on["resource-prohibited"]) {
      const field = r ? "Resource" : "NotResource";
      this.report("resource-prohibited", r ?? nr, { ...at, element: field }, [field]);
      return;
    }
    if (r && nr) {
      this.report("element-pairs", nr, { ...at, element: "NotResource", detail: "Resource and NotResource together" });
      return;
    }
    const which = r ? "Resource" : "NotResource";
    if (!r && !nr) {
      if (this.on["resources-required"]) this.report("resources-required", node, { ...at, element: "Resource" });
      return;
    }
    const listNode = (r ?? nr) as JsonNode;
    const list = this.stringList(listNode, index, which, true);
    if (!list) return;
    if (list.length === 0) {
      this.report("resources-required", listNode, { ...at, element: which });
      return;
    }
    for (const v of list) {
      if (v === "*") continue;
      if (!v.startsWith("arn:")) this.report("resource-arn", listNode, { ...at, element: which }, [v]);
      else this.checkValue("resource", v, listNode, index, which);
    }
    if (r) st.resource = list;
    else st.notResource = list;
  }

  private conditions(node: JsonNode, st: ParsedStatement, index: number): void {
    const at = { statement: index };
    if (node.type !== "object") {
      this.report("value-types", node, { ...at, element: "Condition", detail: "Condition must be an object" });
      return;
    }
    for (const { key: operator, keyAt, value: block } of node.entries) {
      if (block.type !== "object") {
        this.report("value-types", block, {
          ...at,
          element: `Condition.${operator}`,
          detail: "Expected an object of keys",
        });
        continue;
      }
      const op = parseOperator(operator);
      // An empty block tests nothing, and AWS stores it whatever the operator's name.
      if (block.entries.length === 0) continue;
      if (!op) {
        this.report("condition-operator", block, { ...at, element: `Condition.${operator}` }, [operator], keyAt);
        continue;
      }
      const dates = this.checks.date.length > 0 && op.base.startsWith("Date");
      for (const { key, value } of block.entries) {
        // Condition keys need no vendor prefix: AWS stores {"DateGreaterThan": {"a": "01T"}}, and its own examples
        // use an unprefixed key (BinaryEquals "key"); such a key is an ordinary, case-insensitive context key.
        const element = `Condition.${operator}.${key}`;
        const values = this.scalarList(value, index, element);
        if (!values) continue;
        if (dates) {
          for (const v of values) if (this.checkValue("date", v, value, index, element)) break;
        }
        st.conditions.push({ operator, key, values });
      }
    }
  }

  /**
   * A string or an array of strings. With `skipNull` (Resource, NotResource) a null entry is skipped, as AWS
   * stores such a list.
   */
  private stringList(node: JsonNode, index: number, element: string, skipNull: boolean): string[] | undefined {
    if (node.type === "array" && node.strings !== undefined) return node.strings.slice();
    const items = node.type === "array" ? node.items : [node];
    const out: string[] = [];
    for (const item of items) {
      if (item.type === "string") out.push(item.value as string);
      else if (!(skipNull && item.type === "null" && node.type === "array")) {
        this.report("value-types", item, { statement: index, element, detail: `${element} values must be strings` });
        return undefined;
      }
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
        this.report("value-types", item, { statement: index, element, detail: "Condition values must be scalars" });
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
