// Loads everything that governs a principal (inline, attached, group and boundary policies) in one D1 round trip.
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "./db";
import { attachments, groupMembers, groups, inlinePolicies, policies, policyVersions, roles, users } from "./schema";

export interface LoadedPolicy {
  /** How the policy is named in explanations: its ARN, or `<kind>/<name>/<policy>` for inline ones. */
  id: string;
  document: string;
}

export interface PrincipalPolicies {
  identity: LoadedPolicy[];
  /** AWS managed policy ARNs attached; their documents come from the bundled catalogue, not D1. */
  awsManagedArns: string[];
  boundaryArn: string | null;
  boundary: LoadedPolicy | null;
  /** The stored ARN of the entity the request names, when one was asked for and exists. */
  targetArn: string | null;
}

/** An IAM entity named by a request, looked up so policies see its ARN with its path. */
export interface NamedTarget {
  kind: "user" | "group" | "role";
  accountId: string;
  name: string;
}

const TARGET_TABLES = { user: users, group: groups, role: roles } as const;

function targetQuery(db: Db, target: NamedTarget | undefined) {
  // The three tables share these columns; one table type keeps the batch's tuple types simple.
  const t = (target ? TARGET_TABLES[target.kind] : users) as typeof users;
  return db
    .select({ arn: t.arn })
    .from(t)
    .where(target ? and(eq(t.accountId, target.accountId), eq(t.nameKey, target.name.toLowerCase())) : sql`0`)
    .limit(1);
}

function defaultDocuments(db: Db, arns: ReturnType<typeof sql>) {
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
 * One batch: the principal's inline and attached policies, its groups' (for users), its boundary, and the ARN of the
 * entity the request acts on.
 */
export async function loadPrincipalPolicies(
  db: Db,
  kind: "user" | "role",
  principalId: string,
  target?: NamedTarget,
): Promise<PrincipalPolicies> {
  const ownerIds =
    kind === "user"
      ? sql`(select ${principalId} union all select ${groupMembers.groupId} from ${groupMembers} where ${groupMembers.userId} = ${principalId})`
      : sql`(select ${principalId})`;
  const boundaryArn =
    kind === "user"
      ? sql`(select ${users.permissionsBoundaryArn} from ${users} where ${users.id} = ${principalId})`
      : sql`(select ${roles.permissionsBoundaryArn} from ${roles} where ${roles.id} = ${principalId})`;
  const attachedArns = sql`(select ${attachments.policyArn} from ${attachments} where ${attachments.principalId} in ${ownerIds})`;

  const [boundaryArnRows, inline, attachedRows, managed, boundaryRows, targetRows] = await db.batch([
    kind === "user"
      ? db.select({ arn: users.permissionsBoundaryArn }).from(users).where(eq(users.id, principalId))
      : db.select({ arn: roles.permissionsBoundaryArn }).from(roles).where(eq(roles.id, principalId)),
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
  ]);

  const identity: LoadedPolicy[] = inline.map((p) => ({ id: `${p.kind}/${p.owner}/${p.name}`, document: p.document }));
  for (const m of managed) identity.push({ id: m.arn, document: m.document });
  const awsManagedArns = [...new Set(attachedRows.map((r) => r.arn).filter((a) => a.startsWith("arn:aws:iam::aws:")))];
  const boundaryRow = boundaryRows[0];
  return {
    identity,
    awsManagedArns,
    boundaryArn: boundaryArnRows[0]?.arn ?? null,
    boundary: boundaryRow ? { id: boundaryRow.arn, document: boundaryRow.document } : null,
    targetArn: targetRows[0]?.arn ?? null,
  };
}
