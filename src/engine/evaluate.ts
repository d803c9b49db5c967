// Evaluates a request against a compiled policy set: each applicable group's statements, then the combining table.
import { matchArnPattern, splitArn, type ArnPattern } from "./arn.ts";
import { matchAction, type CompiledStatement } from "./compile.ts";
import { evaluateCondition, type CompiledCondition } from "./conditions/index.ts";
import { RequestContext } from "./context.ts";
import { combine, type GroupOutcome, type Outcomes } from "./decide.ts";
import type { CompiledPolicySet, StatementGroup } from "./policyset.ts";
import { matchPrincipal, parsePrincipal, type PrincipalInfo, type PrincipalMatch } from "./principal.ts";
import type { Decision, EvalRequest, MatchedStatement } from "./types.ts";

// Hot-path aliases, read once: some loaders (tsx, vite-node) compile imported bindings to getter calls.
const matchArnPattern_ = matchArnPattern;
const matchAction_ = matchAction;
const evaluateCondition_ = evaluateCondition;
const matchPrincipal_ = matchPrincipal;

/** Everything one evaluation shares across groups; the context and resource fields are built on first use. */
class EvalState {
  readonly service: string;
  readonly name: string;
  readonly full: string;
  readonly ctx: RequestContext;
  readonly matched: MatchedStatement[] = [];
  private fields: string[] | undefined;
  /** Per distinct condition: 0 not yet evaluated, 1 true, 2 false. */
  private results: Uint8Array | undefined;
  /** Per distinct Resource pattern: 0 not yet matched, 1 match, 2 no match, 3 unresolved variable. */
  private resourceResults: Uint8Array | undefined;

  constructor(
    readonly request: EvalRequest,
    readonly principal: PrincipalInfo,
    /** Resource-policy NotPrincipal+Deny statements apply to everyone when a boundary is set (AWS documents this). */
    readonly boundarySet: boolean,
    private readonly conditionCount: number,
    private readonly resourcePatternCount: number,
  ) {
    this.full = request.action.toLowerCase();
    const colon = this.full.indexOf(":");
    this.service = colon < 0 ? this.full : this.full.slice(0, colon);
    this.name = colon < 0 ? "" : this.full.slice(colon + 1);
    this.ctx = new RequestContext(request.context, principal);
  }

  /** Evaluates a condition once per request, however many statements share it. */
  condition(c: CompiledCondition): boolean {
    if (c.id < 0) return evaluateCondition_(c, this.ctx);
    const results = (this.results ??= new Uint8Array(this.conditionCount));
    const known = results[c.id];
    if (known) return known === 1;
    const r = evaluateCondition_(c, this.ctx);
    results[c.id] = r ? 1 : 2;
    return r;
  }

  /** Matches a Resource pattern against the request's resource once per request. */
  resourcePattern(p: ArnPattern): boolean | null {
    if (p.matchAll) return true;
    if (p.id < 0) return matchArnPattern_(p, this.resourceFields(), this.ctx);
    const results = (this.resourceResults ??= new Uint8Array(this.resourcePatternCount));
    const known = results[p.id];
    if (known) return known === 1 ? true : known === 2 ? false : null;
    const r = matchArnPattern_(p, this.resourceFields(), this.ctx);
    results[p.id] = r === true ? 1 : r === false ? 2 : 3;
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
  let unresolved = false;
  for (const p of patterns) {
    const r = st.resourcePattern(p);
    if (r === null) unresolved = true;
    else if (r) {
      any = true;
      break;
    }
  }
  // INVARIANT: a NotResource entry whose variable has no value cannot be evaluated, so the statement does not apply.
  if (s.notResource) return !any && !unresolved;
  return any;
}

/** How the statement names the principal (resource-side policies), "direct" when it has no Principal element. */
function principalMatches(s: CompiledStatement, st: EvalState): PrincipalMatch | null {
  if (s.principal) return matchPrincipal_(s.principal, st.principal);
  if (s.notPrincipal) {
    if (s.effect === "Deny" && st.boundarySet) return "direct";
    return matchPrincipal_(s.notPrincipal, st.principal) === null ? "direct" : null;
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

export function evalGroup(group: StatementGroup, st: EvalState): GroupOutcome {
  const list = group.byService.get(st.service) ?? group.wild;
  const out: GroupOutcome = { allow: false, deny: false, allowMatch: null };
  for (const s of list) {
    if (matchAction_(s.actions, st.service, st.name, st.full) === s.notAction) continue;
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
  const o: Outcomes = {
    principal,
    crossAccount:
      set.resourceAccount !== undefined && principal.account !== undefined && set.resourceAccount !== principal.account,
  };
  // Principal-side policies apply only to an IAM principal; the root user has no identity policies of its own.
  if (iam && !(principal.kind === "root" && set.identity.policyCount === 0)) o.identity = evalGroup(set.identity, st);
  if (iam && set.boundary && principal.kind !== "root") o.boundary = evalGroup(set.boundary, st);
  if (iam && set.session) o.session = evalGroup(set.session, st);
  // INVARIANT: SCPs limit the principals of the member account, its root user included; RCPs limit its resources.
  if (iam) o.scp = evalLevels(set.scps, st);
  o.rcp = evalLevels(set.rcps, st);
  if (set.resource) o.resource = evalGroup(set.resource, st);
  const { decision, decidedBy, policyTypes } = combine(o);
  // INVARIANT: groups are evaluated in report order (identity, boundary, session, SCP levels, RCP levels, resource)
  // and each group lists its statements in policy order, so matches need no sorting.
  return { decision, decidedBy, policyTypes, matchedStatements: st.matched, missingContextKeys: st.ctx.missingKeys() };
}
