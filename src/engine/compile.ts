// Compiles a parsed policy once: action matchers indexed by service prefix, ARN patterns, principals and conditions.
import { ArnPatternInterner, compileArnPattern, type ArnPattern } from "./arn.ts";
import { compileCondition, ConditionInterner, type CompiledCondition } from "./conditions/index.ts";
import { compileTokens, tokenize, tokensToRegexSource, type Matcher } from "./glob.ts";
import type { ParsedPolicy, ParsedStatement } from "./parse.ts";
import { compilePrincipal, type CompiledPrincipal } from "./principal.ts";
import type { MatchedStatement, PolicyType } from "./types.ts";

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
 * WeakMap by list, since young WeakMap keys make V8's scavenger keep everything compiled from them. Bounded.
 */
const actionCache = new Map<string, ActionIndex>();
const ACTION_CACHE_LIMIT = 4096;

function compileActionsCached(patterns: readonly string[]): ActionIndex {
  const key = JSON.stringify(patterns);
  let index = actionCache.get(key);
  if (index === undefined) {
    index = compileActions(patterns);
    if (actionCache.size >= ACTION_CACHE_LIMIT) actionCache.clear();
    actionCache.set(key, index);
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
  for (const [service, list] of names) byService.set(service, compileNames(list));
  return { all, byService, wild };
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

/** Tables shared by the policies of one set, so equal conditions and Resource patterns are evaluated once a request. */
export class SharedTables {
  readonly conditions = new ConditionInterner();
  readonly resources = new ArnPatternInterner();
}

/** Compiles one parsed policy; with shared tables, equal tests across the set share one per-request result. */
export function compilePolicy(parsed: ParsedPolicy, meta: PolicyMeta, shared?: SharedTables): CompiledPolicy {
  // INVARIANT: policy variables exist only in the 2012-10-17 language; otherwise `${...}` is literal text.
  const variables = parsed.version === "2012-10-17";
  return { meta, statements: parsed.statements.map((s) => compileStatement(s, meta, variables, shared)) };
}

function compileStatement(
  s: ParsedStatement,
  meta: PolicyMeta,
  variables: boolean,
  shared: SharedTables | undefined,
): CompiledStatement {
  const report: MatchedStatement = {
    policyType: meta.policyType,
    policy: meta.label,
    policyIndex: meta.policyIndex,
    statementIndex: s.index,
    effect: s.effect,
  };
  if (meta.id !== undefined) report.policyId = meta.id;
  if (meta.level !== undefined) report.level = meta.level;
  if (s.sid !== undefined) report.sid = s.sid;
  if (s.start) report.start = s.start;
  if (s.end) report.end = Object.freeze(s.end);
  if (report.start) report.start = Object.freeze(report.start);
  Object.freeze(report);
  const resourceList = s.resource ?? s.notResource;
  const out: CompiledStatement = {
    index: s.index,
    effect: s.effect,
    actions: compileActionsCached(s.action ?? s.notAction ?? NO_ACTIONS),
    notAction: s.notAction !== undefined,
    resources: resourceList
      ? resourceList.map((r) => (shared ? shared.resources.intern(r, variables) : compileArnPattern(r, variables)))
      : null,
    notResource: s.notResource !== undefined,
    conditions: s.conditions.map((c) =>
      shared
        ? shared.conditions.intern(c.operator, c.key, c.values, variables)
        : compileCondition(c.operator, c.key, c.values, variables),
    ),
    report,
  };
  if (s.principal) out.principal = compilePrincipal(s.principal);
  if (s.notPrincipal) out.notPrincipal = compilePrincipal(s.notPrincipal);
  return out;
}
