// Compiles a parsed policy once: action matchers indexed by service prefix, ARN patterns, principals and conditions.
import { ArnPatternInterner, type ArnPattern } from "./arn.ts";
import { ConditionInterner, type CompiledCondition } from "./conditions/index.ts";
import { compileTokens, tokenize, tokensToRegexSource, type Matcher } from "./glob.ts";
import { CostLru } from "./lru.ts";
import type { ParsedPolicy } from "./parse.ts";
import { compilePrincipal, type CompiledPrincipal } from "./principal.ts";
import type { MatchedStatement, PolicyType, Position } from "./types.ts";

/** Action patterns of one statement: the service part is matched by lookup, the action name by glob. */
export interface ActionIndex {
  /** `*` alone: every action. */
  all: boolean;
  /** Service prefix (lower case) to a matcher of the lower-cased action name. */
  byService: Map<string, Matcher>;
  /** Patterns with a wildcard in the service part, matched against the whole lower-cased action. */
  wild: Matcher[];
}

export interface CompiledStatement {
  index: number;
  effect: "Allow" | "Deny";
  actions: ActionIndex;
  notAction: boolean;
  /** Null when the statement has neither Resource nor NotResource (resource and trust policies). */
  resources: ArnPattern[] | null;
  notResource: boolean;
  principal?: CompiledPrincipal;
  notPrincipal?: CompiledPrincipal;
  conditions: CompiledCondition[];
  /** What a match reports; frozen, and shared by the decisions that match the statement. */
  report: MatchedStatement;
}

export interface PolicyMeta {
  policyType: PolicyType;
  label: string;
  policyIndex: number;
  level?: number;
  id?: string;
}

export interface CompiledPolicy {
  meta: PolicyMeta;
  statements: CompiledStatement[];
}

const NO_ACTIONS: readonly string[] = [];

/** Above this many patterns for one service, they are folded into a single RegExp alternation. */
const REGEX_THRESHOLD = 6;

/**
 * Compiled action lists by their text: equal lists compile once for every set. Keyed by content rather than in a
 * WeakMap by list, since young WeakMap keys make V8's scavenger keep everything compiled from them. Bounded by
 * estimated size, since one list (ReadOnlyAccess has thousands of actions) can be large.
 */
const actionCache = new CostLru<ActionIndex>(4 * 1024 * 1024);

function compileActionsCached(patterns: readonly string[]): ActionIndex {
  const key = JSON.stringify(patterns);
  let index = actionCache.get(key);
  if (index === undefined) {
    index = compileActions(patterns);
    actionCache.set(key, index, key.length * 2 + 1500 * (index.byService.size + index.wild.length));
  }
  return index;
}

export function compileActions(patterns: readonly string[]): ActionIndex {
  const names = new Map<string, string[]>();
  const wild: Matcher[] = [];
  let all = false;
  for (const raw of patterns) {
    // INVARIANT: actions are case-insensitive; both sides are lower-cased once.
    const p = raw.toLowerCase();
    if (p === "*") {
      all = true;
      continue;
    }
    const colon = p.indexOf(":");
    const service = p.slice(0, colon);
    if (service.includes("*") || service.includes("?")) {
      wild.push(compileTokens(tokenize(p)));
      continue;
    }
    const list = names.get(service) ?? [];
    list.push(p.slice(colon + 1));
    names.set(service, list);
  }
  const byService = new Map<string, Matcher>();
  for (const [service, list] of names) byService.set(service, lazyNames(list));
  return { all, byService, wild };
}

/**
 * A matcher compiled on its first use: a policy like ReadOnlyAccess names hundreds of services, and a request
 * touches one, so a first compile builds none of them. Compiling is pure, so when it happens changes no result.
 */
function lazyNames(list: readonly string[]): Matcher {
  let compiled: Matcher | undefined;
  return (s) => (compiled ??= compileNames(list))(s);
}

function compileNames(list: readonly string[]): Matcher {
  if (list.includes("*")) return () => true;
  if (list.length > REGEX_THRESHOLD) {
    const re = new RegExp(`^(?:${list.map((n) => tokensToRegexSource(tokenize(n))).join("|")})$`);
    return (s) => re.test(s);
  }
  const matchers = list.map((n) => compileTokens(tokenize(n)));
  if (matchers.length === 1) return matchers[0] as Matcher;
  return (s) => {
    for (const m of matchers) if (m(s)) return true;
    return false;
  };
}

export function matchAction(a: ActionIndex, service: string, name: string, full: string): boolean {
  if (a.all) return true;
  const m = a.byService.get(service);
  if (m !== undefined && m(name)) return true;
  for (const w of a.wild) if (w(full)) return true;
  return false;
}

/** The services a statement is indexed under, or null when it may apply to any service. */
export function statementServices(s: CompiledStatement): string[] | null {
  if (s.notAction || s.actions.all || s.actions.wild.length > 0) return null;
  return [...s.actions.byService.keys()];
}

/** A statement compiled once per document: everything but where it sits in a policy set. */
export interface DocStatement {
  index: number;
  sid?: string;
  effect: "Allow" | "Deny";
  start?: Position;
  end?: Position;
  actions: ActionIndex;
  notAction: boolean;
  resources: ArnPattern[] | null;
  notResource: boolean;
  principal?: CompiledPrincipal;
  notPrincipal?: CompiledPrincipal;
  /** Interned within the document: equal tests are one object with an `internKey`. */
  conditions: CompiledCondition[];
}

/** One document's compiled statements, shared by every policy set that holds the document. Never mutated. */
export interface CompiledDocument {
  statements: DocStatement[];
  /** Estimated heap bytes the compiled document holds (see estimateBytes). */
  bytes: number;
}

/**
 * Heap bytes per compiled part, measured with V8 on documents of three shapes (thousands of small statements, a
 * 20-statement role policy with conditions, one ReadOnlyAccess-like statement); the estimate errs high.
 */
const BYTES = { statement: 3000, actionService: 1500, resource: 600, condition: 600 };

function estimateBytes(statements: readonly DocStatement[]): number {
  let bytes = 1024;
  for (const s of statements) {
    bytes += BYTES.statement + BYTES.resource * (s.resources?.length ?? 0) + BYTES.condition * s.conditions.length;
    bytes += BYTES.actionService * (s.actions.byService.size + s.actions.wild.length);
  }
  return bytes;
}

/** Compiles a parsed document once; equal conditions and Resource patterns within it are one object each. */
export function compileDocument(parsed: ParsedPolicy): CompiledDocument {
  // INVARIANT: policy variables exist only in the 2012-10-17 language; otherwise `${...}` is literal text.
  const variables = parsed.version === "2012-10-17";
  const conditions = new ConditionInterner();
  const resources = new ArnPatternInterner();
  const statements = parsed.statements.map((s): DocStatement => {
    const resourceList = s.resource ?? s.notResource;
    const out: DocStatement = {
      index: s.index,
      effect: s.effect,
      actions: compileActionsCached(s.action ?? s.notAction ?? NO_ACTIONS),
      notAction: s.notAction !== undefined,
      resources: resourceList ? resourceList.map((r) => resources.intern(r, variables)) : null,
      notResource: s.notResource !== undefined,
      conditions: s.conditions.map((c) => conditions.intern(c.operator, c.key, c.values, variables)),
    };
    if (s.sid !== undefined) out.sid = s.sid;
    if (s.start) out.start = Object.freeze({ ...s.start });
    if (s.end) out.end = Object.freeze({ ...s.end });
    if (s.principal) out.principal = compilePrincipal(s.principal);
    if (s.notPrincipal) out.notPrincipal = compilePrincipal(s.notPrincipal);
    return out;
  });
  return { statements, bytes: estimateBytes(statements) };
}

/**
 * Places documents in one policy set: gives every distinct condition and Resource pattern of the set one slot
 * of the per-request memo (so a test shared by many policies runs once a request) and labels each statement.
 * The document's objects are shared, not copied: a slotted condition is a shallow copy carrying the set's id.
 */
export class SetBinder {
  readonly conditions = new Map<string, CompiledCondition>();
  readonly resources = new Map<string, ArnPattern>();

  private condition(c: CompiledCondition): CompiledCondition {
    const key = c.internKey;
    if (key === undefined) return c;
    let slotted = this.conditions.get(key);
    if (slotted === undefined) {
      slotted = { ...c, id: this.conditions.size };
      this.conditions.set(key, slotted);
    }
    return slotted;
  }

  private resource(p: ArnPattern): ArnPattern {
    const key = p.internKey;
    if (key === undefined || p.matchAll) return p;
    let slotted = this.resources.get(key);
    if (slotted === undefined) {
      slotted = { ...p, id: this.resources.size };
      this.resources.set(key, slotted);
    }
    return slotted;
  }

  /** `positions`: whether reports carry statement positions (only for documents given as text). */
  bind(doc: CompiledDocument, meta: PolicyMeta, positions: boolean): CompiledPolicy {
    const statements = doc.statements.map((d): CompiledStatement => {
      const report: MatchedStatement = {
        policyType: meta.policyType,
        policy: meta.label,
        policyIndex: meta.policyIndex,
        statementIndex: d.index,
        effect: d.effect,
      };
      if (meta.id !== undefined) report.policyId = meta.id;
      if (meta.level !== undefined) report.level = meta.level;
      if (d.sid !== undefined) report.sid = d.sid;
      if (positions && d.start) report.start = d.start;
      if (positions && d.end) report.end = d.end;
      const out: CompiledStatement = {
        index: d.index,
        effect: d.effect,
        actions: d.actions,
        notAction: d.notAction,
        resources: d.resources ? d.resources.map((p) => this.resource(p)) : null,
        notResource: d.notResource,
        conditions: d.conditions.map((c) => this.condition(c)),
        report: Object.freeze(report),
      };
      if (d.principal) out.principal = d.principal;
      if (d.notPrincipal) out.notPrincipal = d.notPrincipal;
      return out;
    });
    return { meta, statements };
  }
}

/** Compiles one parsed policy on its own (a set of one document). */
export function compilePolicy(parsed: ParsedPolicy, meta: PolicyMeta): CompiledPolicy {
  return new SetBinder().bind(compileDocument(parsed), meta, true);
}
