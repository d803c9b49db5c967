// The combining rule: how the outcomes of the policy types make one decision, in AWS's documented order.
import type { PrincipalInfo, PrincipalMatch } from "./principal.ts";
import type { EvalDecision, PolicyType, ResourceKind } from "./types.ts";

/** What one policy type (or all levels of SCPs/RCPs) said about the request. */
export interface GroupOutcome {
  allow: boolean;
  deny: boolean;
  /** For the resource policy: the strongest way an applicable Allow named the principal. */
  allowMatch: PrincipalMatch | null;
}

/** Outcomes of the applicable policy types; an absent type does not apply to this request. */
export interface Outcomes {
  principal: PrincipalInfo;
  crossAccount: boolean;
  /** What the resource policy is: an ordinary one, a role's trust policy, or a KMS key policy. */
  resourceKind: ResourceKind;
  /** An action AWS allows whatever the policies say (sts:GetCallerIdentity). */
  alwaysAllowed: boolean;
  identity?: GroupOutcome;
  boundary?: GroupOutcome;
  session?: GroupOutcome;
  scp?: GroupOutcome;
  rcp?: GroupOutcome;
  resource?: GroupOutcome;
}

/** The order AWS evaluates policy types in; an explicit deny is attributed to the first type that has one. */
const ORDER: readonly PolicyType[] = ["rcp", "scp", "resource", "identity", "boundary", "session"];

interface Verdict {
  decision: EvalDecision;
  decidedBy: PolicyType | null;
}

const allow = (by: PolicyType | null): Verdict => ({ decision: "Allowed", decidedBy: by });
const implicit = (by: PolicyType): Verdict => ({ decision: "ImplicitDeny", decidedBy: by });

/**
 * The table, read top to bottom (first row that fires wins):
 *
 * | condition                                                         | decision     | decidedBy        |
 * |-------------------------------------------------------------------|--------------|------------------|
 * | a Deny matched in any applicable policy                           | ExplicitDeny | that type        |
 * | RCPs present and some level has no Allow                          | ImplicitDeny | rcp              |
 * | SCPs present and some level has no Allow                          | ImplicitDeny | scp              |
 * | anonymous or service principal                                    | resource Allow ? Allowed : ImplicitDeny | resource |
 * | trust or key policy has no Allow for the principal (any account)  | ImplicitDeny | resource         |
 * | cross-account: resource policy has no Allow for the principal     | ImplicitDeny | resource         |
 * | same account, trust policy names the principal (not its account)  | boundary and session must allow | resource |
 * | same account: resource Allow names the session ARN (or "*")       | Allowed      | resource         |
 * | same account: resource Allow names the IAM user ARN               | session policy must allow | resource |
 * | same account: resource Allow names the role ARN                   | boundary and session must allow | resource |
 * | identity policies have no Allow (the root user needs none)        | ImplicitDeny | identity         |
 * | permissions boundary present without Allow                        | ImplicitDeny | boundary         |
 * | session policies present without Allow                            | ImplicitDeny | session          |
 * | federated user session without any session policy                 | ImplicitDeny | session          |
 * | otherwise                                                         | Allowed      | identity (resource when cross-account) |
 *
 * Then one override: sts:GetCallerIdentity is Allowed (decidedBy null when the table denied it), as AWS documents.
 * A trust or key policy "names the account" when its Allow matched the principal only through its account
 * (`arn:aws:iam::<acct>:root`): the account then delegates to its identity policies, which must allow.
 */
function verdict(o: Outcomes): Verdict {
  for (const t of ORDER) if (o[t]?.deny) return { decision: "ExplicitDeny", decidedBy: t };
  if (o.rcp && !o.rcp.allow) return implicit("rcp");
  if (o.scp && !o.scp.allow) return implicit("scp");
  const p = o.principal;
  const resourceMatch = o.resource?.allow ? o.resource.allowMatch : null;
  if (p.kind === "anonymous" || p.kind === "service") return resourceMatch ? allow("resource") : implicit("resource");
  const boundaryOk = !o.boundary || o.boundary.allow;
  const sessionOk = !o.session || o.session.allow;
  // INVARIANT: a role's trust policy and a KMS key policy must allow the principal even in its own account: an
  // identity-policy Allow alone grants nothing (IAM evaluation logic, "exceptions to this logic").
  if (o.resourceKind !== "ordinary" && !resourceMatch) return implicit("resource");
  if (o.crossAccount) {
    // INVARIANT: across accounts both sides must allow: the resource owner's resource policy and the caller's own.
    if (!resourceMatch) return implicit("resource");
  } else if (o.resourceKind === "role-trust" && resourceMatch !== "account") {
    // INVARIANT: a trust policy naming the principal itself needs no identity Allow, but the caller's boundary
    // and session policies still cap it (a permissions boundary applies to a user named in a trust policy).
    if (!boundaryOk) return implicit("boundary");
    if (!sessionOk) return implicit("session");
    return allow("resource");
  } else if (resourceMatch === "direct") {
    // INVARIANT: in one account, a resource policy naming the user or the session ARN grants on its own.
    return allow("resource");
  } else if (resourceMatch === "user") {
    // INVARIANT: naming the IAM user ARN is not limited by its boundary, but a session policy (a federated
    // session created by that user) still limits it.
    if (!sessionOk) return implicit("session");
    return allow("resource");
  } else if (resourceMatch === "role") {
    // INVARIANT: naming the role ARN needs no identity Allow, but a boundary or session policy still limits it.
    if (!boundaryOk) return implicit("boundary");
    if (!sessionOk) return implicit("session");
    return allow("resource");
  }
  // INVARIANT: the root user has full access in its own account unless something above denies.
  const rootUser = p.kind === "root";
  if (!rootUser && !o.identity?.allow) return implicit("identity");
  if (!boundaryOk) return implicit("boundary");
  if (!sessionOk) return implicit("session");
  // INVARIANT: AWS's flow chart allows a session principal without a session policy only if it is a role session:
  // an IAM federated user session (GetFederationToken) gets nothing from identity policies without one.
  if (p.kind === "federated-user" && !o.session) return implicit("session");
  if (o.crossAccount) return allow("resource");
  return allow(rootUser && !o.identity?.allow ? null : "identity");
}

const REPORT_ORDER: readonly PolicyType[] = ["identity", "boundary", "session", "scp", "rcp", "resource"];

/** A group's report code: 0 not applicable, 1 ExplicitDeny, 2 Allowed, 3 ImplicitDeny. */
const code = (g: GroupOutcome | undefined): number => (g === undefined ? 0 : g.deny ? 1 : g.allow ? 2 : 3);
const REPORTED: readonly EvalDecision[] = ["ExplicitDeny", "Allowed", "ImplicitDeny"];

/**
 * policyTypes objects by the outcome codes of all six types (2 bits each, report order): only a handful of
 * combinations occur, so decisions share frozen objects instead of building one each (a batch keeps thousands).
 */
const policyTypesByCode = new Array<Record<string, EvalDecision> | undefined>(1 << 12).fill(undefined);

export function combine(o: Outcomes): Verdict & { policyTypes: Record<string, EvalDecision> } {
  const key =
    code(o.identity) |
    (code(o.boundary) << 2) |
    (code(o.session) << 4) |
    (code(o.scp) << 6) |
    (code(o.rcp) << 8) |
    (code(o.resource) << 10);
  let policyTypes = policyTypesByCode[key];
  if (policyTypes === undefined) {
    const built: Record<string, EvalDecision> = {};
    for (let i = 0; i < REPORT_ORDER.length; i++) {
      const c = (key >> (2 * i)) & 3;
      if (c !== 0) built[REPORT_ORDER[i] as PolicyType] = REPORTED[c - 1] as EvalDecision;
    }
    policyTypes = policyTypesByCode[key] = Object.freeze(built);
  }
  const v = verdict(o);
  // INVARIANT: sts:GetCallerIdentity needs no permission and works even under an explicit deny (STS API reference).
  if (o.alwaysAllowed && v.decision !== "Allowed") return { decision: "Allowed", decidedBy: null, policyTypes };
  return { decision: v.decision, decidedBy: v.decidedBy, policyTypes };
}
