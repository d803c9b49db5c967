// A statement's Action (or NotAction) list compiled for lookup: by service prefix, then the action name by glob.
//
// Long lists (AWS's ReadOnlyAccess names ~2,900 actions of ~300 services) are not grouped when compiled: they are
// kept as one lower-cased text, and a service's patterns are read out of it, with native string search, the first
// time a request names that service. A fresh isolate compiles such a policy without running per-action JavaScript,
// which its interpreter would run slowly, and a request touches one service of the hundreds.
import { compileTokens, tokenize, tokensToRegexSource, type Matcher } from "./glob.ts";
import { CostLru } from "./lru.ts";

export interface ActionIndex {
  /** `*` alone: every action. */
  all: boolean;
  /**
   * Service prefix (lower case) to a matcher of the lower-cased action name. For a `deferred` list it fills as
   * requests name services (a memo of a pure function of the list: no result depends on what ran before).
   */
  byService: Map<string, Matcher>;
  /** Patterns with a wildcard in the service part, matched against the whole lower-cased action. */
  wild: Matcher[];
  /** A long list not grouped yet: its lower-cased patterns, each on its own line between "\n"s. */
  deferred?: string;
  /** How many lines `deferred` has (0 when not deferred). */
  deferredLines: number;
}

/** Above this many patterns for one service, they are folded into a single RegExp alternation. */
const REGEX_THRESHOLD = 6;

/** Lists at least this long are deferred; shorter ones cost little to group at once. */
const DEFER_MIN = 64;

/** A line the deferred reading cannot serve: no colon, or a wildcard in the service part (incl. `*` alone). */
const UNUSUAL_LINE = /\n[^\n:]*(?:\n|[*?])/;

/**
 * Compiled action lists by their text: equal lists compile once for every set. Keyed by content rather than in a
 * WeakMap by list, since young WeakMap keys make V8's scavenger keep everything compiled from them. Bounded by
 * estimated size, since one list (ReadOnlyAccess has thousands of actions) can be large.
 */
const actionCache = new CostLru<ActionIndex>(4 * 1024 * 1024);

/** Empties the cache of compiled lists (with the other policy caches: tests, benchmarks). */
export function clearActionCache(): void {
  actionCache.clear();
}

export function compileActionsCached(patterns: readonly string[]): ActionIndex {
  // A deferred list's lower-cased text is its key ("\n" first); a short list's key is its JSON ("[" first). Only a
  // long list whose entries are one line each can be deferred (an entry may hold a "\n").
  const joined = patterns.length >= DEFER_MIN ? patterns.join("\n") : undefined;
  const lines = joined !== undefined && oneLineEach(patterns, joined) ? `\n${joined.toLowerCase()}\n` : undefined;
  const key = lines ?? JSON.stringify(patterns);
  let index = actionCache.get(key);
  if (index === undefined) {
    index =
      lines !== undefined && !UNUSUAL_LINE.test(lines)
        ? deferredIndex(lines, patterns.length)
        : compileActions(patterns);
    actionCache.set(key, index, key.length * 2 + actionBytes(index));
  }
  return index;
}

/** Whether `joined` (the list joined by "\n") has one line per entry: no entry holds a "\n". Native work only. */
function oneLineEach(list: readonly string[], joined: string): boolean {
  return joined.split("\n").length === list.length;
}

/**
 * A line that might break "vendor:action" (policy-rules.ts, action-vendor: /^[^:]+:.+$/): no colon, a colon first
 * or last, or another line terminator. It may flag a valid line ("a::" ends in a colon); it misses no invalid one.
 */
const SUSPECT_ACTION = /\n(?:[^\n:]*\n|:)|:\n|[\r\u2028\u2029]/;

/**
 * True when every entry of a long list is surely "vendor:action", judged by native string work on the whole list,
 * so a validator can skip testing entries one by one; false means "test each" (short lists, or a suspect line).
 */
export function surelyVendorActions(list: readonly string[]): boolean {
  if (list.length < DEFER_MIN) return false;
  const joined = list.join("\n");
  return oneLineEach(list, joined) && !SUSPECT_ACTION.test(`\n${joined}\n`);
}

function deferredIndex(lines: string, count: number): ActionIndex {
  return { all: false, byService: new Map(), wild: [], deferred: lines, deferredLines: count };
}

/** Groups every pattern at once (short lists, and long ones with unusual lines). */
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
  return { all, byService, wild, deferredLines: 0 };
}

/** Estimated heap bytes of one matcher (one service's patterns), as compile.ts's estimates measured them. */
export const MATCHER_BYTES = 1500;

/**
 * How many matchers an index holds or may hold, for size estimates. A deferred list may compile one per service it
 * names; counted as one per 8 lines (ReadOnlyAccess: ~2,900 lines, ~300 services), plus its text below.
 */
export function actionMatcherCount(a: ActionIndex): number {
  if (a.deferred === undefined) return a.byService.size + a.wild.length;
  return Math.ceil(a.deferredLines / 8);
}

/** Estimated heap bytes of an index: its matchers and, for a deferred list, its text. */
export function actionBytes(a: ActionIndex): number {
  return MATCHER_BYTES * actionMatcherCount(a) + (a.deferred?.length ?? 0) * 2;
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

/** The action names a deferred list gives one service: the text after "service:" on each of its lines. */
function deferredNames(lines: string, service: string): string[] {
  const prefix = `\n${service}:`;
  const names: string[] = [];
  for (let at = lines.indexOf(prefix); at !== -1; at = lines.indexOf(prefix, at + 1)) {
    names.push(lines.slice(at + prefix.length, lines.indexOf("\n", at + prefix.length)));
  }
  return names;
}

export function matchAction(a: ActionIndex, service: string, name: string, full: string): boolean {
  if (a.all) return true;
  let m = a.byService.get(service);
  if (m === undefined && a.deferred !== undefined) {
    const names = deferredNames(a.deferred, service);
    // Only services the list names are remembered, so requests naming others cannot grow the map.
    if (names.length > 0) a.byService.set(service, (m = compileNames(names)));
  }
  if (m !== undefined && m(name)) return true;
  for (const w of a.wild) if (w(full)) return true;
  return false;
}

/** The services a statement's list is indexed under, or null when it may apply to any service. */
export function actionServices(a: ActionIndex): string[] | null {
  if (a.all || a.wild.length > 0 || a.deferred !== undefined) return null;
  return [...a.byService.keys()];
}
