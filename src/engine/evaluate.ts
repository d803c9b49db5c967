// Evaluates a request against a compiled policy set: each applicable group's statements, then the combining table.
import { matchArnPattern, splitArn, type ArnPattern } from "./arn.ts";
import { matchAction, type CompiledStatement } from "./compile.ts";
import { evaluateCondition, type CompiledCondition } from "./conditions/index.ts";
import { RequestContext } from "./context.ts";
import { combine, type GroupOutcome, type Outcomes } from "./decide.ts";
import type { CompiledPolicySet, StatementGroup } from "./policyset.ts";
import { matchPrincipal, parsePrincipal, type PrincipalInfo, type PrincipalMatch } from "./principal.ts";
import { isAlwaysAllowed, resourceKindOf } from "./resource-kind.ts";
import type { Decision, EvalRequest, MatchedStatement } from "./types.ts";

// Hot-path aliases, read once: some loaders (tsx, vite-node) compile imported bindings to getter calls.
const matchArnPattern_ = matchArnPattern;
const matchAction_ = matchAction;
const evaluateCondition_ = evaluateCondition;
const matchPrincipal_ = matchPrincipal;

/** A request's action, lower-cased and split at its first colon. */
interface ActionParts {
  full: string;
  service: string;
  name: string;
}

/** Parsed actions by their text as given: a batch names the same few actions over and over. Bounded. */
const actionParts = new Map<string, ActionParts>();
const ACTION_CACHE_LIMIT = 4096;

function parseAction(action: string): ActionParts {
  let a = actionParts.get(action);
  if (a === undefined) {
    const full = action.toLowerCase();
    const colon = full.indexOf(":");
    a = { full, service: colon < 0 ? full : full.slice(0, colon), name: colon < 0 ? "" : full.slice(colon + 1) };
    if (actionParts.size >= ACTION_CACHE_LIMIT) actionParts.clear();
    actionParts.set(action, a);
  }
  return a;
}

/** Everything one evaluation shares across groups; the context, resource fields and memos are built on first use. */
class EvalState {
  readonly service: string;
  readonly name: string;
  readonly full: string;
  readonly ctx: RequestContext;
  /** The statements that matched, in report order. */
  readonly matched: MatchedStatement[] = [];
  private fields: string[] | undefined;
  /**
   * Per-request results of the set's shared conditions and Resource patterns (0 unknown, 1 true, 2 false, 3 null),
   * owned by this evaluation alone: nothing is shared between evaluations, so evaluation is reentrant.
   */
  private conditionMemo: Uint8Array | undefined;
  private resourceMemo: Uint8Array | undefined;

  constructor(
    readonly request: EvalRequest,
    readonly principal: PrincipalInfo,
    /** Resource-policy NotPrincipal+Deny statements apply to everyone when a boundary is set (AWS documents this). */
    readonly boundarySet: boolean,
    private readonly conditionCount: number,
    private readonly resourcePatternCount: number,
  ) {
    const action = parseAction(request.action);
    this.full = action.full;
    this.service = action.service;
    this.name = action.name;
    this.ctx = new RequestContext(request.context, principal);
  }

  /** Evaluates a condition once per request, however many statements share it. */
  condition(c: CompiledCondition): boolean {
    if (c.id < 0) return evaluateCondition_(c, this.ctx);
    const memo = (this.conditionMemo ??= new Uint8Array(this.conditionCount));
    const known = memo[c.id] as number;
    if (known !== 0) return known === 1;
    const r = evaluateCondition_(c, this.ctx);
    memo[c.id] = r ? 1 : 2;
    return r;
  }

  /** Matches a Resource pattern against the request's resource once per request. */
  resourcePattern(p: ArnPattern): boolean | null {
    if (p.matchAll) return true;
    if (p.id < 0) return matchArnPattern_(p, this.resourceFields(), this.ctx);
    const memo = (this.resourceMemo ??= new Uint8Array(this.resourcePatternCount));
    const known = memo[p.id] as number;
    if (known !== 0) return known === 1 ? true : known === 2 ? false : null;
    const r = matchArnPattern_(p, this.resourceFields(), this.ctx);
    memo[p.id] = r === true ? 1 : r === false ? 2 : 3;
    return r;
  }

  resourceFields(): string[] {
    return (this.fields ??= splitArn(this.request.resource));
  }
}

function resourceMatches(s: CompiledStatement, st: EvalState): boolean {
  const patterns = s.resources;
  if (patterns === null) return true;
  let any = false;
  for (const p of patterns) {
    // INVARIANT: an entry whose variable has no value matches no resource (null is not a match), in Resource and
    // NotResource alike, as AWS documents; so in NotResource it excludes nothing.
    if (st.resourcePattern(p) === true) {
      any = true;
      break;
    }
  }
  return s.notResource ? !any : any;
}

/** How the statement names the principal (resource-side policies), "direct" when it has no Principal element. */
function principalMatches(s: CompiledStatement, st: EvalState): PrincipalMatch | null {
  if (s.principal) return matchPrincipal_(s.principal, st.principal);
  if (s.notPrincipal) {
    if (s.effect === "Deny" && st.boundarySet) return "direct";
    const named = matchPrincipal_(s.notPrincipal, st.principal);
    // INVARIANT: NotPrincipal exempts only a principal named by its own ARN. A session is exempt only when its
    // session ARN is listed ("principals must always name a specific session"): the role's ARN exempts the role,
    // not its sessions. An account entry exempts the account itself, not every principal in it, as AWS's
    // NotPrincipal examples show ("all principals except the user Bob" while listing Bob's account too).
    if (named === null) return "direct";
    if (named === "account") return st.principal.kind === "root" ? null : "direct";
    if (named === "role") return st.principal.kind === "role" ? null : "direct";
    return null;
  }
  return "direct";
}

function conditionsHold(s: CompiledStatement, st: EvalState): boolean {
  let ok = true;
  for (const c of s.conditions) {
    if (ok) ok = st.condition(c);
    // Once the outcome is known, only note absent keys so the explanation lists every key the statement tests.
    else if (st.ctx.values(c.keyLower) === undefined) st.ctx.missing(c.key);
  }
  return ok;
}

const RANK: Record<PrincipalMatch, number> = { direct: 4, user: 3, role: 2, account: 1 };

/**
 * Bounds on each group's per-action lists (distinct actions, and statement references over all lists), so a
 * stream of distinct actions cannot grow memory, even over thousands of wildcard statements.
 */
const GROUP_ACTION_LIMIT = 1024;
const GROUP_REFERENCE_LIMIT = 65_536;

/**
 * The group's statements whose Action (or NotAction) admits the request's action, in policy order. Which
 * statements those are depends on the action alone, so each group works it out once per distinct action.
 */
function statementsFor(group: StatementGroup, st: EvalState): readonly CompiledStatement[] {
  let list = group.byAction.get(st.full);
  if (list === undefined) {
    const admitted: CompiledStatement[] = [];
    for (const s of group.byService.get(st.service) ?? group.wild) {
      if (matchAction_(s.actions, st.service, st.name, st.full) !== s.notAction) admitted.push(s);
    }
    if (group.byAction.size >= GROUP_ACTION_LIMIT || group.byActionRefs + admitted.length > GROUP_REFERENCE_LIMIT) {
      group.byAction.clear();
      group.byActionRefs = 0;
    }
    group.byAction.set(st.full, admitted);
    group.byActionRefs += admitted.length;
    list = admitted;
  }
  return list;
}

export function evalGroup(group: StatementGroup, st: EvalState): GroupOutcome {
  const list = statementsFor(group, st);
  const out: GroupOutcome = { allow: false, deny: false, allowMatch: null };
  for (const s of list) {
    if (!resourceMatches(s, st)) continue;
    const how = principalMatches(s, st);
    if (how === null) continue;
    if (!conditionsHold(s, st)) continue;
    // INVARIANT: reports are frozen at compile time and shared by every decision that matches the statement.
    st.matched.push(s.report);
    if (s.effect === "Deny") out.deny = true;
    else {
      out.allow = true;
      if (out.allowMatch === null || RANK[how] > RANK[out.allowMatch]) out.allowMatch = how;
    }
  }
  return out;
}

/** Every level must allow; a deny at any level is a deny. */
function evalLevels(levels: readonly StatementGroup[], st: EvalState): GroupOutcome | undefined {
  if (levels.length === 0) return undefined;
  const out: GroupOutcome = { allow: true, deny: false, allowMatch: null };
  for (const level of levels) {
    const r = evalGroup(level, st);
    if (r.deny) out.deny = true;
    if (!r.allow) out.allow = false;
  }
  return out;
}

function isIamPrincipal(p: PrincipalInfo): boolean {
  return p.kind !== "anonymous" && p.kind !== "service";
}

/** Evaluates one request. Synchronous and pure: the time, if a policy needs it, comes in the context. */
export function evaluate(set: CompiledPolicySet, request: EvalRequest): Decision {
  const principal = parsePrincipal(request.principal);
  const st = new EvalState(
    request,
    principal,
    set.boundary !== undefined,
    set.conditionCount,
    set.resourcePatternCount,
  );
  const iam = isIamPrincipal(principal);
  const resourceKind = set.resourceKind ?? resourceKindOf(st.full, request.resource);
  const resourceAccount = request.resourceAccount ?? set.resourceAccount;
  const o: Outcomes = {
    principal,
    resourceKind,
    alwaysAllowed: isAlwaysAllowed(st.full),
    crossAccount:
      resourceAccount !== undefined && principal.account !== undefined && resourceAccount !== principal.account,
  };
  // Principal-side policies apply only to an IAM principal; the root user has no identity policies of its own.
  if (iam && !(principal.kind === "root" && set.identity.policyCount === 0)) o.identity = evalGroup(set.identity, st);
  if (iam && set.boundary && principal.kind !== "root") o.boundary = evalGroup(set.boundary, st);
  if (iam && set.session) o.session = evalGroup(set.session, st);
  // INVARIANT: SCPs limit the principals of the member account, its root user included; RCPs limit its resources.
  // Neither restricts a service-linked role (Organizations: "tasks and entities not restricted by SCPs/RCPs").
  if (iam && !principal.serviceLinked) o.scp = evalLevels(set.scps, st);
  if (!principal.serviceLinked) o.rcp = evalLevels(set.rcps, st);
  if (set.resource) o.resource = evalGroup(set.resource, st);
  // A role always has a trust policy and a key always has a key policy: when none is given, it allows nothing.
  else if (resourceKind !== "ordinary") o.resource = { allow: false, deny: false, allowMatch: null };
  const { decision, decidedBy, policyTypes } = combine(o);
  // INVARIANT: groups are evaluated in report order (identity, boundary, session, SCP levels, RCP levels, resource)
  // and each group lists its statements in policy order, so matches need no sorting.
  return { decision, decidedBy, policyTypes, matchedStatements: st.matched, missingContextKeys: st.ctx.missingKeys() };
}
