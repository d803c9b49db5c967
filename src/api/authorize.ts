// Authorization: every operation's declared action and resource, decided by the policy engine for the caller.
import { AwsError } from "../aws/errors";
import { compilePolicySet, evaluate, type Decision, type PolicySource } from "../engine/index";
import { findAwsManagedPolicy } from "../iam/aws-managed-policies";
import type { Db } from "../store/db";
import { loadPrincipalPolicies } from "../store/principal-policies";
import type { Caller } from "./caller";
import { entityArnOf, type ResourceTarget } from "./operation";

export interface AuthorizationRequest {
  action: string;
  resource: ResourceTarget;
  now: Date;
  sourceIp?: string;
  region: string;
}

/** AWS's wording for which policy type left the action unallowed. */
const DENIAL_REASON: Record<string, string> = {
  identity: "no identity-based policy allows the",
  boundary: "no permissions boundary allows the",
  session: "no session policy allows the",
  scp: "no service control policy allows the",
  rcp: "no resource control policy allows the",
  resource: "no resource-based policy allows the",
};
const DENY_WHERE: Record<string, string> = {
  identity: "an identity-based policy",
  boundary: "a permissions boundary",
  session: "a session policy",
  scp: "a service control policy",
  rcp: "a resource control policy",
  resource: "a resource-based policy",
};

export function accessDeniedMessage(caller: Caller, action: string, resource: string, d: Decision): string {
  const head = `User: ${caller.arn} is not authorized to perform: ${action} on resource: ${resource}`;
  const type = d.decidedBy ?? "identity";
  if (d.decision === "ExplicitDeny") return `${head} with an explicit deny in ${DENY_WHERE[type] ?? "a policy"}`;
  return `${head} because ${DENIAL_REASON[type] ?? DENIAL_REASON.identity} ${action} action`;
}

/**
 * The request context AWS supplies for every call (global condition keys). aws:PrincipalArn is left to the engine,
 * which derives it from the principal (the role ARN, not the session ARN, for assumed roles).
 */
function requestContext(caller: Caller, req: AuthorizationRequest): Record<string, string | boolean> {
  const ctx: Record<string, string | boolean> = {
    "aws:CurrentTime": req.now.toISOString().replace(/\.\d{3}Z$/, "Z"),
    "aws:EpochTime": String(Math.floor(req.now.getTime() / 1000)),
    "aws:PrincipalAccount": caller.accountId,
    "aws:userid": caller.userId,
    "aws:SecureTransport": false,
    "aws:RequestedRegion": req.region,
    "aws:ViaAWSService": false,
  };
  if (caller.userName !== undefined) ctx["aws:username"] = caller.userName;
  if (req.sourceIp !== undefined) ctx["aws:SourceIp"] = req.sourceIp;
  ctx["aws:PrincipalType"] = caller.kind === "root" ? "Account" : caller.kind === "user" ? "User" : "AssumedRole";
  return ctx;
}

/** Throws AccessDenied unless the caller's policies allow the action on the resource. */
export async function authorize(db: Db, caller: Caller, req: AuthorizationRequest): Promise<void> {
  // INVARIANT: the root user of an account may do everything in it; only SCPs could restrict it.
  if (caller.kind === "root") return;
  if (caller.principalId === undefined) throw new AwsError("AccessDenied", "The caller has no identity to authorize.");
  const target = typeof req.resource === "string" ? undefined : req.resource;
  const loaded = await loadPrincipalPolicies(db, caller.kind === "user" ? "user" : "role", caller.principalId, target);
  // An entity that does not exist yet (or any more) is named without a path, as AWS names it in its denial.
  const resource = typeof req.resource === "string" ? req.resource : (loaded.targetArn ?? entityArnOf(req.resource));
  const identity: PolicySource[] = loaded.identity.map((p) => ({ id: p.id, document: p.document }));
  for (const arn of loaded.awsManagedArns) {
    const managed = findAwsManagedPolicy(arn);
    if (managed) identity.push({ id: arn, document: managed.document });
  }
  let boundary: PolicySource | undefined;
  if (loaded.boundaryArn !== null) {
    const doc = loaded.boundary?.document ?? findAwsManagedPolicy(loaded.boundaryArn)?.document;
    // A boundary whose policy no longer exists allows nothing, so an empty policy stands in for it.
    boundary = { id: loaded.boundaryArn, document: doc ?? { Version: "2012-10-17", Statement: [] } };
  }
  const set = compilePolicySet({ identity, boundary });
  const decision = evaluate(set, {
    principal: caller.arn,
    action: req.action,
    resource,
    context: requestContext(caller, req),
  });
  if (decision.decision !== "Allowed") {
    throw new AwsError("AccessDenied", accessDeniedMessage(caller, req.action, resource, decision));
  }
}
