// Loads everything that governs one call in one D1 round trip: the principal's policies, boundary and tags, the target's row and tags, SCP/RCP levels.
import { isAwsManagedPolicyArn } from "../aws/arn";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { BatchItem, BatchResponse } from "drizzle-orm/batch";
import type { Db } from "./db";
import { levelsQuery, orgPathsQuery, type LevelRow, type PathRow } from "./organization-policies";
import {
  attachments,
  groupMembers,
  groups,
  inlinePolicies,
  policies,
  policyVersions,
  roles,
  serverCertificates,
  tags,
  users,
} from "./schema";

export interface LoadedPolicy {
  /** How the policy is named in explanations: its ARN, or `<kind>/<name>/<policy>` for inline ones. */
  id: string;
  document: string;
}

/** The entity a request acts on, as stored: its ARN with path, boundary and tags. */
export interface LoadedTarget {
  id: string;
  arn: string;
  path: string;
  boundaryArn: string | null;
  tags: Record<string, string>;
  /** A role's trust policy (JSON text); null for other entities. */
  trustPolicy: string | null;
  /** A role's MaxSessionDuration in seconds; null for other entities. */
  maxSessionDuration: number | null;
}

export interface PrincipalPolicies {
  /** False when the principal's user or role no longer exists (a deleted role's sessions act as nobody). */
  exists: boolean;
  identity: LoadedPolicy[];
  /** AWS managed policy ARNs attached; their documents come from the bundled catalogue, not D1. */
  awsManagedArns: string[];
  boundaryArn: string | null;
  boundary: LoadedPolicy | null;
  /** The principal's own tags (the user's, or the role's). */
  tags: Record<string, string>;
  /** Customer managed policies named by ARN for the session (PolicyArns), found in the account. */
  sessionManaged: LoadedPolicy[];
  /** Results of the operation's preload queries that rode in the batch, in order. */
  preloaded: unknown[];
  target: LoadedTarget | null;
  /** The SCPs governing the principal's account, one row per policy per level (none outside organizations). */
  scpLevels: LevelRow[];
  /** The RCPs governing the resource's account, likewise. */
  rcpLevels: LevelRow[];
  /** The organization ancestors of the principal's and the resource's accounts (org condition keys). */
  orgPaths: PathRow[];
}

/** Whose organization policies to load: SCPs for the principal's account, RCPs for the resource's. */
export interface OrgAccounts {
  scpAccount?: string;
  rcpAccount?: string;
}

/** What the request names: an IAM entity by name or a managed policy by ARN. */
export type NamedTarget =
  | { kind: "user" | "group" | "role" | "server-certificate"; accountId: string; name: string }
  | { kind: "policy"; arn: string };

/** Whose policies govern the call: an IAM user (also for its federated sessions) or a role (for its sessions). */
export interface PolicyOwner {
  kind: "user" | "role";
  id: string;
}

/** The id of the target row, as a scalar subquery (null when the request names nothing or nothing matches). */
function targetIdSql(target: NamedTarget | undefined) {
  if (!target) return sql`(select null)`;
  if (target.kind === "policy")
    return sql`(select ${policies.id} from ${policies} where ${policies.arn} = ${target.arn})`;
  const t = TARGET_TABLES[target.kind] as typeof users;
  return sql`(select ${t.id} from ${t} where ${t.accountId} = ${target.accountId} and ${t.nameKey} = ${target.name.toLowerCase()})`;
}

/** Tables whose rows are named targets: each has id, account_id, name_key, arn and path columns. */
const TARGET_TABLES = { user: users, group: groups, role: roles, "server-certificate": serverCertificates } as const;

function targetQuery(db: Db, target: NamedTarget | undefined) {
  // Users and roles carry a boundary; groups and policies answer null for it.
  const kind = target?.kind ?? "user";
  const t = (kind === "policy" ? policies : TARGET_TABLES[kind]) as typeof users;
  const boundary =
    kind === "user" || kind === "role" ? sql<string | null>`${t.permissionsBoundaryArn}` : sql<null>`null`;
  return db
    .select({
      id: t.id,
      arn: t.arn,
      path: t.path,
      boundary,
      // A role's trust policy is the resource policy of sts:AssumeRole*; its MaxSessionDuration caps sessions.
      trust: kind === "role" ? sql<string | null>`${roles.assumeRolePolicy}` : sql<null>`null`,
      maxSession: kind === "role" ? sql<number | null>`${roles.maxSessionDuration}` : sql<null>`null`,
    })
    .from(t)
    .where(sql`${t.id} = ${targetIdSql(target)}`)
    .limit(1);
}

function tagMap(rows: { key: string; value: string }[]): Record<string, string> {
  // A prototype-free map: tag keys such as "__proto__" are ordinary keys here.
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const r of rows) out[r.key] = r.value;
  return out;
}

function defaultDocuments(db: Db, arns: ReturnType<typeof sql> | string[]) {
  return db
    .select({ arn: policies.arn, document: policyVersions.document })
    .from(policies)
    .innerJoin(
      policyVersions,
      and(eq(policyVersions.policyId, policies.id), eq(policyVersions.versionId, policies.defaultVersionId)),
    )
    .where(inArray(policies.arn, arns));
}

/**
 * One batch: the principal's inline and attached policies, its groups' (for users), its boundary and tags, the
 * customer managed session policies, and the row and tags of the entity the request acts on.
 */
export async function loadPrincipalPolicies(
  db: Db,
  owner: PolicyOwner | null,
  target?: NamedTarget,
  sessionPolicyArns: string[] = [],
  org: OrgAccounts = {},
  extra: BatchItem<"sqlite">[] = [],
): Promise<PrincipalPolicies> {
  const id = owner?.id ?? "";
  const ownerIds =
    owner?.kind === "user"
      ? sql`(select ${id} union all select ${groupMembers.groupId} from ${groupMembers} where ${groupMembers.userId} = ${id})`
      : sql`(select ${id})`;
  const table = owner?.kind === "role" ? roles : users;
  const boundaryArn = sql`(select ${table.permissionsBoundaryArn} from ${table} where ${table.id} = ${id})`;
  const attachedArns = sql`(select ${attachments.policyArn} from ${attachments} where ${attachments.principalId} in ${ownerIds})`;
  const customerSessionArns = sessionPolicyArns.filter((a) => !isAwsManagedPolicyArn(a));

  const fixed = [
    db.select({ boundary: table.permissionsBoundaryArn }).from(table).where(eq(table.id, id)),
    db
      .select({
        kind: inlinePolicies.principalKind,
        owner: inlinePolicies.principalId,
        name: inlinePolicies.name,
        document: inlinePolicies.document,
      })
      .from(inlinePolicies)
      .where(sql`${inlinePolicies.principalId} in ${ownerIds}`),
    db
      .select({ arn: attachments.policyArn })
      .from(attachments)
      .where(sql`${attachments.principalId} in ${ownerIds}`),
    defaultDocuments(db, attachedArns),
    db
      .select({ arn: policies.arn, document: policyVersions.document })
      .from(policies)
      .innerJoin(
        policyVersions,
        and(eq(policyVersions.policyId, policies.id), eq(policyVersions.versionId, policies.defaultVersionId)),
      )
      .where(sql`${policies.arn} = ${boundaryArn}`),
    targetQuery(db, target),
    db
      .select({ key: tags.key, value: tags.value })
      .from(tags)
      .where(sql`${tags.resourceId} = ${targetIdSql(target)}`),
    db.select({ key: tags.key, value: tags.value }).from(tags).where(eq(tags.resourceId, id)),
    defaultDocuments(db, customerSessionArns.length > 0 ? customerSessionArns : [""]),
    // Organization policies ride in the same round trip; an account outside any organization yields no rows.
    levelsQuery(db, org.scpAccount ?? "", "SERVICE_CONTROL_POLICY"),
    levelsQuery(db, org.rcpAccount ?? "", "RESOURCE_CONTROL_POLICY"),
    orgPathsQuery(db, org.scpAccount ?? "", org.rcpAccount ?? ""),
  ] as const;
  // The operation's preload rides along; drizzle types the fixed part, the rest is the operation's to read.
  const all = (await db.batch([...fixed, ...extra] as unknown as typeof fixed)) as unknown as unknown[];
  const results = all as unknown as BatchResponse<typeof fixed>;
  const [
    principalRows,
    inline,
    attachedRows,
    managed,
    boundaryRows,
    targetRows,
    targetTags,
    principalTags,
    session,
    scpLevels,
    rcpLevels,
    orgPaths,
  ] = results;

  const identity: LoadedPolicy[] = inline.map((p) => ({ id: `${p.kind}/${p.owner}/${p.name}`, document: p.document }));
  for (const m of managed) identity.push({ id: m.arn, document: m.document });
  const awsManagedArns = [...new Set(attachedRows.map((r) => r.arn).filter(isAwsManagedPolicyArn))];
  const boundaryRow = boundaryRows[0];
  const t = targetRows[0];
  return {
    exists: principalRows.length > 0,
    identity,
    awsManagedArns,
    boundaryArn: principalRows[0]?.boundary ?? null,
    boundary: boundaryRow ? { id: boundaryRow.arn, document: boundaryRow.document } : null,
    tags: tagMap(principalTags),
    sessionManaged: session.map((s) => ({ id: s.arn, document: s.document })),
    preloaded: all.slice(fixed.length),
    scpLevels,
    rcpLevels,
    orgPaths,
    target: t
      ? {
          id: t.id,
          arn: t.arn,
          path: t.path,
          boundaryArn: t.boundary,
          tags: tagMap(targetTags),
          trustPolicy: t.trust,
          maxSessionDuration: t.maxSession,
        }
      : null,
  };
}
