// Authorization: load what governs a call (one D1 batch), let the engine decide, and turn a denial into AccessDenied.
import { partitionOfArn } from "../aws/arn";
import type { BatchItem } from "drizzle-orm/batch";
import { AwsError } from "../aws/errors";
import {
  compilePolicySet,
  evaluate,
  type ContextValue,
  type Decision,
  type PolicySetInput,
  type PolicySource,
} from "../engine/index";
import type { Env } from "../env";
import { findAwsManagedPolicy } from "../iam/aws-managed-policies";
import { managedOrgPolicy } from "../organizations/managed-policies";
import type { Db } from "../store/db";
import type { LevelRow, PathRow } from "../store/organization-policies";
import {
  loadPrincipalPolicies,
  type LoadedTarget,
  type NamedTarget,
  type PolicyOwner,
  type PrincipalPolicies,
} from "../store/principal-policies";
import { actionConditionKeys } from "./condition-keys";
import { entityArnOf, type ResourceTarget } from "./operation";
import type { Principal } from "./principal";
import { effectivePrincipalTags, globalConditionKeys, type RequestFacts } from "./request-context";

/** Everything the engine needs to decide one call, loaded once; the simulator and pages reuse it. */
export interface AuthorizationContext {
  principal: Principal;
  /** Null for the root user, whom no identity policy restricts. */
  policies: PolicySetInput | null;
  /** The ARNs the action is performed on: one, or the old and new ARN of a rename. */
  resources: string[];
  context: Record<string, ContextValue>;
  target: LoadedTarget | null;
  /** Results of the query's preload; absent when nothing was loaded (the management account's root). */
  preloaded?: unknown[];
}

const ASSUME_ROLE = /^sts:AssumeRole(WithSAML|WithWebIdentity)?$/i;

const roleAccount = (arn: string) => arn.split(":")[4];

/** Whose stored policies govern the principal. */
function policyOwner(p: Principal): PolicyOwner | null {
  switch (p.kind) {
    case "root":
      return null;
    case "user":
      return { kind: "user", id: p.id };
    case "assumed-role":
      return { kind: "role", id: p.session.roleId };
    case "federated-user":
      return p.ownerUserId === undefined ? null : { kind: "user", id: p.ownerUserId };
    case "anonymous":
      return null;
  }
}

function sessionPolicyInputs(p: Principal): { policy?: string; policyArns: string[] } | null {
  if (p.kind === "assumed-role") return { policy: p.session.policy, policyArns: p.session.policyArns };
  if (p.kind === "federated-user") return { policy: p.policy, policyArns: p.policyArns };
  return null;
}

const EMPTY_POLICY = { Version: "2012-10-17", Statement: [] };

/** An AssumeRoot session's task policy; one that cannot be found denies everything (fail closed). */
function rootTaskPolicy(arn: string): PolicySource {
  const document = findAwsManagedPolicy(arn)?.document ?? {
    Version: "2012-10-17",
    Statement: [{ Effect: "Deny", Action: "*", Resource: "*" }],
  };
  return { id: arn, document };
}

/** What the root user's own permissions amount to in its account: everything. */
const ROOT_OWN_PERMISSIONS: PolicySource = {
  id: "root",
  document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
};

function policySet(p: Principal, loaded: PrincipalPolicies): PolicySetInput {
  // A federated user the root user asked for: the whole account, cut by the passed session policies (below).
  if (p.kind === "federated-user" && p.ownerUserId === undefined) return withSession(p, loaded, [ROOT_OWN_PERMISSIONS]);
  // INVARIANT: a principal whose user or role is gone (a deleted role's session) is granted nothing.
  if (!loaded.exists) return { identity: [] };
  const identity: PolicySource[] = loaded.identity.map((x) => ({ id: x.id, document: x.document }));
  for (const arn of loaded.awsManagedArns) {
    const managed = findAwsManagedPolicy(arn);
    if (managed) identity.push({ id: arn, document: managed.document });
  }
  let boundary: PolicySource | undefined;
  if (loaded.boundaryArn !== null) {
    const doc = loaded.boundary?.document ?? findAwsManagedPolicy(loaded.boundaryArn)?.document;
    // A boundary whose policy no longer exists allows nothing, so an empty policy stands in for it.
    boundary = { id: loaded.boundaryArn, document: doc ?? EMPTY_POLICY };
  }
  return withSession(p, loaded, identity, boundary);
}

/** The set with the session's passed policies, which cut whatever the identity and boundary allow. */
function withSession(
  p: Principal,
  loaded: PrincipalPolicies,
  identity: PolicySource[],
  boundary?: PolicySource,
): PolicySetInput {
  const set: PolicySetInput = { identity, boundary };
  const inputs = sessionPolicyInputs(p);
  if (inputs) {
    // A session always has session-policy semantics: without passed policies nothing is cut, so none are listed.
    const session: PolicySource[] = [];
    if (inputs.policy !== undefined) session.push({ id: "session-policy", document: inputs.policy });
    for (const arn of inputs.policyArns) {
      const doc = loaded.sessionManaged.find((m) => m.id === arn)?.document ?? findAwsManagedPolicy(arn)?.document;
      session.push({ id: arn, document: doc ?? EMPTY_POLICY });
    }
    if (session.length > 0) set.session = session;
  }
  return set;
}

/**
 * Organization policy levels, root first, from the loader's rows: each level lists its policies (AWS managed ones
 * from code); a level with none stays as an empty list, which allows nothing. Undefined outside organizations.
 */
export function orgLevels(
  rows: LevelRow[],
  idOf: (row: LevelRow & { policyId: string }) => string = (r) => r.policyId,
): PolicySource[][] | undefined {
  if (rows.length === 0) return undefined;
  const levels: PolicySource[][] = [];
  let depth: number | undefined;
  for (const r of rows) {
    if (r.depth !== depth) {
      levels.push([]);
      depth = r.depth;
    }
    if (r.policyId === null) continue;
    const document = r.content ?? managedOrgPolicy(r.policyId)?.content ?? JSON.stringify(EMPTY_POLICY);
    levels[levels.length - 1]?.push({ id: idOf({ ...r, policyId: r.policyId }), document });
  }
  return levels;
}

/**
 * aws:PrincipalOrgID/PrincipalOrgPaths and aws:ResourceOrgID/ResourceOrgPaths for accounts in an organization (a path
 * is `o-.../r-.../ou-.../`, the account's parents from the root down), and aws:ResourceAccount when it is known.
 */
function orgConditionKeys(rows: PathRow[], principalAccount: string, resourceAccount: string | undefined) {
  const keys: Record<string, ContextValue> = Object.create(null) as Record<string, ContextValue>;
  const pathOf = (account: string) => {
    const mine = rows.filter((r) => r.account === account);
    const first = mine[0];
    return first ? { org: first.orgId, path: `${first.orgId}/${mine.map((r) => r.node).join("/")}/` } : undefined;
  };
  const p = pathOf(principalAccount);
  if (p) {
    keys["aws:PrincipalOrgID"] = p.org;
    keys["aws:PrincipalOrgPaths"] = [p.path];
  }
  if (resourceAccount !== undefined) {
    keys["aws:ResourceAccount"] = resourceAccount;
    const r = pathOf(resourceAccount);
    if (r) {
      keys["aws:ResourceOrgID"] = r.org;
      keys["aws:ResourceOrgPaths"] = [r.path];
    }
  }
  return keys;
}

/** The account that owns what the call acts on: the entity's, or the one named in the ARN; absent for "*". */
function resourceAccountOf(target: ResourceTarget): string | undefined {
  if (typeof target !== "string" && target.kind !== "policy") return target.accountId;
  // An AWS managed policy's ARN names "aws", which is no account.
  const account = (typeof target === "string" ? target : target.arn).split(":")[4];
  return account !== undefined && /^\d{12}$/.test(account) ? account : undefined;
}

/** The ARN a target is decided on: the stored one (path included) or, for a missing entity, the path-less one. */
function resourceArns(target: ResourceTarget, loaded: LoadedTarget | null): string[] {
  if (typeof target === "string") return [target];
  if (target.kind === "policy") return [target.arn];
  const current = loaded?.arn ?? entityArnOf(target);
  if (!target.renameTo) return [current];
  const name = target.renameTo.name ?? target.name;
  const path = target.renameTo.path ?? loaded?.path ?? "/";
  const renamed = `arn:${partitionOfArn(current)}:iam::${target.accountId}:${target.kind}${path}${name}`;
  return renamed === current ? [current] : [current, renamed];
}

function namedTarget(target: ResourceTarget): NamedTarget | undefined {
  if (typeof target === "string") return undefined;
  if (target.kind === "policy") return { kind: "policy", arn: target.arn };
  return { kind: target.kind, accountId: target.accountId, name: target.name };
}

export interface AuthorizationQuery {
  action: string;
  target: ResourceTarget;
  /** The validated input, for the action's condition keys (tags, policy ARN, boundary...). */
  input?: unknown;
  /** Keys the operation supplies itself. */
  extraKeys?: Record<string, ContextValue>;
  /** Further actions decided on the same loaded context. */
  alsoRequires?: string[];
  /** The operation's own reads, fetched in the same batch. */
  preload?: BatchItem<"sqlite">[];
}

/** One D1 batch: the principal's policies and tags, the target's row and tags; then the request context. */
export async function loadAuthorizationContext(
  db: Db,
  principal: Principal,
  facts: RequestFacts,
  q: AuthorizationQuery,
): Promise<AuthorizationContext> {
  const session = sessionPolicyInputs(principal);
  const resourceAccount = resourceAccountOf(q.target);
  const loaded = await loadPrincipalPolicies(
    db,
    policyOwner(principal),
    namedTarget(q.target),
    session?.policyArns,
    {
      scpAccount: principal.accountId,
      rcpAccount: resourceAccount ?? principal.accountId,
    },
    q.preload,
  );
  const tags = effectivePrincipalTags(principal, loaded.tags);
  const context = {
    ...globalConditionKeys(principal, facts, tags),
    ...orgConditionKeys(loaded.orgPaths, principal.accountId, resourceAccount),
    ...actionConditionKeys(q.action, q.input, loaded.target, q.extraKeys),
  };
  // SCPs cut every principal of a member account, its root user included; RCPs cut access to its resources.
  const scps = orgLevels(loaded.scpLevels);
  const rcps = orgLevels(loaded.rcpLevels);
  const org = { ...(scps ? { scps } : {}), ...(rcps ? { rcps } : {}) };
  let policies: PolicySetInput | null;
  if (principal.kind === "root") {
    // An AssumeRoot session is the root user cut by its task policy, an identity-based policy of explicit denies.
    const task = principal.assumedRoot ? [rootTaskPolicy(principal.assumedRoot.taskPolicyArn)] : [];
    policies = scps || rcps || task.length > 0 ? { identity: task, ...org } : null;
  } else policies = { ...policySet(principal, loaded), ...org };
  if (policies && loaded.target?.trustPolicy != null && ASSUME_ROLE.test(q.action)) {
    // A role's trust policy is the resource policy of assuming it, and must allow even in the role's own account.
    policies = {
      ...policies,
      resource: { id: "trust-policy", document: loaded.target.trustPolicy },
      resourceKind: "role-trust",
      // Another account's role: its trust policy and the caller's own policies must both allow.
      resourceAccount: roleAccount(loaded.target.arn),
    };
  }
  return {
    principal,
    policies,
    resources: resourceArns(q.target, loaded.target),
    context,
    target: loaded.target,
    preloaded: loaded.preloaded,
  };
}

const ROOT_ALLOWED: Decision = {
  decision: "Allowed",
  decidedBy: null,
  policyTypes: {},
  matchedStatements: [],
  missingContextKeys: [],
};

/** The engine's decision for each resource of the call (pure: no I/O). */
export function decide(ac: AuthorizationContext, action: string): { resource: string; decision: Decision }[] {
  // INVARIANT: the root user of an account may do everything in it; only SCPs could restrict it.
  if (ac.policies === null) return ac.resources.map((resource) => ({ resource, decision: ROOT_ALLOWED }));
  const set = compilePolicySet(ac.policies);
  return ac.resources.map((resource) => ({
    resource,
    decision: evaluate(set, { principal: ac.principal.arn, action, resource, context: ac.context }),
  }));
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

export function accessDeniedMessage(principalArn: string, action: string, resource: string, d: Decision): string {
  const head = `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource}`;
  // STS words its AssumeRole denials without the reason (trust policy or caller's policies stay undisclosed).
  if (ASSUME_ROLE.test(action)) return head;
  const type = d.decidedBy ?? "identity";
  if (d.decision === "ExplicitDeny") {
    return `${head} with an explicit deny in ${Object.hasOwn(DENY_WHERE, type) ? DENY_WHERE[type] : "a policy"}`;
  }
  const reason = Object.hasOwn(DENIAL_REASON, type) ? DENIAL_REASON[type] : DENIAL_REASON.identity;
  return `${head} because ${reason} ${action} action`;
}

/** Throws AccessDenied, in AWS's words, unless every resource of the call is allowed. */
export function requireAllowed(ac: AuthorizationContext, action: string): void {
  for (const { resource, decision } of decide(ac, action)) {
    if (decision.decision !== "Allowed") {
      throw new AwsError("AccessDenied", accessDeniedMessage(ac.principal.arn, action, resource, decision));
    }
  }
}

/** Loads, decides and enforces in one call: what the pipeline and the few handlers that authorize late use. */
export async function authorize(
  db: Db,
  principal: Principal,
  facts: RequestFacts & { env?: Pick<Env, "DEFAULT_ACCOUNT_ID"> },
  q: AuthorizationQuery,
): Promise<AuthorizationContext> {
  // The management account's root user (the one whose keys are Worker vars) is allowed everything and no SCP
  // restricts it, so its calls skip the load. Another account's root is a member's, which SCPs do restrict.
  if (principal.kind === "root" && !principal.assumedRoot && principal.accountId === facts.env?.DEFAULT_ACCOUNT_ID) {
    const resources = resourceArns(q.target, null);
    return { principal, policies: null, resources, context: {}, target: null };
  }
  const ac = await loadAuthorizationContext(db, principal, facts, q);
  requireAllowed(ac, q.action);
  for (const action of q.alsoRequires ?? []) requireAllowed(ac, action);
  return ac;
}
