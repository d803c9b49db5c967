// Repository of customer managed policies and their versions, plus the usage counts IAM reports for every managed policy.
import { and, asc, count, eq, exists, gt, inArray, notExists, sql, type SQL } from "drizzle-orm";
import { AwsError } from "../aws/errors";
import { pathHasPrefix } from "../iam/names";
import { isUniqueViolation, type Db } from "./db";
import { countBelow, insertWhere, rowExists } from "./guarded-insert";
import type { InsertRequirement } from "./named-entities";
import { attachments, policies, policyVersions, roles, tags, users } from "./schema";
import { upsertTagStatements, type Tag } from "./tags";

export type PolicyRow = typeof policies.$inferSelect;
export type PolicyVersionRow = typeof policyVersions.$inferSelect;

export const MAX_POLICIES_PER_ACCOUNT = 1500;
export const MAX_POLICY_VERSIONS = 5;

/** How many entities use a managed policy: attached as a permissions policy, or set as a permissions boundary. */
export interface PolicyUsage {
  attachments: number;
  boundaries: number;
}

/**
 * Correlated subqueries giving a policies row its usage counts in the same SELECT (no per-row round trips). Written
 * with explicit aliases: Drizzle leaves columns unqualified in single-table selects, which would bind them to the
 * subquery's own table.
 */
const attachmentCount = sql<number>`(select count(*) from "attachments" a where a."policy_arn" = "policies"."arn")`;
const boundaryCount = sql<number>`((select count(*) from "users" u where u."account_id" = "policies"."account_id" and u."permissions_boundary_arn" = "policies"."arn") + (select count(*) from "roles" r where r."account_id" = "policies"."account_id" and r."permissions_boundary_arn" = "policies"."arn"))`;

export const policyWithUsage = {
  policy: policies,
  attachments: attachmentCount,
  boundaries: boundaryCount,
};

export type PolicyWithUsage = { policy: PolicyRow } & PolicyUsage;

/** The customer managed policy with this ARN in the account. */
/** Whether a customer managed policy exists, as an unexecuted query (an operation's preload): one row or none. */
export function policyExistsQuery(db: Db, accountId: string, arn: string) {
  return db
    .select({ id: policies.id })
    .from(policies)
    .where(and(eq(policies.accountId, accountId), eq(policies.arn, arn)))
    .limit(1);
}

/**
 * The customer managed policy a new user or role names as its permissions boundary, as a requirement of its insert:
 * a DeletePolicy that ran since the handler's check leaves the entity unstored and answers `missing`.
 */
export function policyRequirement(db: Db, accountId: string, arn: string, missing: () => AwsError): InsertRequirement {
  return {
    condition: exists(policyExistsQuery(db, accountId, arn)),
    read: policyExistsQuery(db, accountId, arn),
    missing,
  };
}

export async function findPolicy(db: Db, accountId: string, arn: string): Promise<PolicyRow | undefined> {
  return db.query.policies.findFirst({ where: and(eq(policies.accountId, accountId), eq(policies.arn, arn)) });
}

export async function findPolicyWithUsage(
  db: Db,
  accountId: string,
  arn: string,
): Promise<PolicyWithUsage | undefined> {
  const [row] = await db
    .select(policyWithUsage)
    .from(policies)
    .where(and(eq(policies.accountId, accountId), eq(policies.arn, arn)))
    .limit(1);
  return row;
}

/**
 * Creates the policy, its v1 and its tags in one transaction, within the account's policy quota. The count and the
 * policy insert are one statement, so concurrent creates cannot overshoot the quota; the version and the tags are
 * conditional on the policy's row, so a refused create leaves nothing behind.
 */
export async function insertPolicy(db: Db, row: PolicyRow, document: string, tagList: Tag[]): Promise<void> {
  const version = { policyId: row.id, versionId: "v1", document, createdAt: row.createdAt };
  let inserted: { id: string }[];
  try {
    [inserted] = await db.batch([
      insertWhere(
        db,
        policies,
        row,
        countBelow(policies, policies.accountId, row.accountId, MAX_POLICIES_PER_ACCOUNT),
      ).returning({ id: policies.id }),
      insertWhere(db, policyVersions, version, rowExists(policies, policies.id, row.id)),
      ...upsertTagStatements(db, row.accountId, "policy", row.id, tagList),
    ]);
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw new AwsError(
        "EntityAlreadyExists",
        `A policy called ${row.name} already exists. Duplicate names are not allowed.`,
      );
    }
    throw err;
  }
  if (inserted.length === 0) {
    throw new AwsError("LimitExceeded", `Cannot exceed quota for PoliciesPerAccount: ${MAX_POLICIES_PER_ACCOUNT}`);
  }
}

/** Filters of ListPolicies that apply to customer managed policies in SQL. */
export interface LocalPolicyFilter {
  pathPrefix?: string;
  onlyAttached?: boolean;
  usage?: "PermissionsPolicy" | "PermissionsBoundary";
}

export function listPoliciesPage(
  db: Db,
  accountId: string,
  filter: LocalPolicyFilter,
  after: string | undefined,
  limit: number,
) {
  const conditions: (SQL | undefined)[] = [
    eq(policies.accountId, accountId),
    pathHasPrefix(policies.path, filter.pathPrefix),
    after !== undefined ? gt(policies.nameKey, after) : undefined,
  ];
  if (filter.onlyAttached || filter.usage === "PermissionsPolicy") conditions.push(sql`${attachmentCount} > 0`);
  if (filter.usage === "PermissionsBoundary") conditions.push(sql`${boundaryCount} > 0`);
  return db
    .select(policyWithUsage)
    .from(policies)
    .where(and(...conditions))
    .orderBy(asc(policies.nameKey))
    .limit(limit);
}

/**
 * Usage counts of the AWS managed policies in one account, as three grouped statements for a caller's batch.
 * Bounded by the account's attachments (10 per entity) and boundaries, whatever the catalogue size.
 */
export function awsManagedUsageStatements(db: Db, accountId: string) {
  // Every partition's ARNs of the AWS managed policies (arn:aws:..., arn:aws-cn:...).
  const awsArn = "arn:aws%:iam::aws:policy/%";
  return [
    db
      .select({ arn: attachments.policyArn, n: count() })
      .from(attachments)
      .where(and(eq(attachments.accountId, accountId), sql`${attachments.policyArn} like ${awsArn}`))
      .groupBy(attachments.policyArn),
    db
      .select({ arn: sql<string>`${users.permissionsBoundaryArn}`, n: count() })
      .from(users)
      .where(and(eq(users.accountId, accountId), sql`${users.permissionsBoundaryArn} like ${awsArn}`))
      .groupBy(users.permissionsBoundaryArn),
    db
      .select({ arn: sql<string>`${roles.permissionsBoundaryArn}`, n: count() })
      .from(roles)
      .where(and(eq(roles.accountId, accountId), sql`${roles.permissionsBoundaryArn} like ${awsArn}`))
      .groupBy(roles.permissionsBoundaryArn),
  ] as const;
}

/** Folds the results of awsManagedUsageStatements into one map by ARN. */
export function usageByArn(
  attached: { arn: string; n: number }[],
  userBoundaries: { arn: string; n: number }[],
  roleBoundaries: { arn: string; n: number }[],
): Map<string, PolicyUsage> {
  const map = new Map<string, PolicyUsage>();
  const entry = (arn: string) => {
    let e = map.get(arn);
    if (!e) map.set(arn, (e = { attachments: 0, boundaries: 0 }));
    return e;
  };
  for (const r of attached) entry(r.arn).attachments += r.n;
  for (const r of [...userBoundaries, ...roleBoundaries]) entry(r.arn).boundaries += r.n;
  return map;
}

export async function awsManagedUsage(db: Db, accountId: string): Promise<Map<string, PolicyUsage>> {
  const [a, b, c] = awsManagedUsageStatements(db, accountId);
  const [attached, userBoundaries, roleBoundaries] = await db.batch([a, b, c]);
  return usageByArn(attached, userBoundaries, roleBoundaries);
}

/**
 * What blocks deleting the customer managed policy with this ARN, as unexecuted queries (an operation's preload, and
 * the reads after its guarded delete): an entity it is attached to, a user or a role whose permissions boundary it is,
 * and how many versions it has (AWS deletes only the default version with the policy).
 */
export function deletePolicyBlockerQueries(db: Db, accountId: string, arn: string) {
  const id = db
    .select({ id: policies.id })
    .from(policies)
    .where(and(eq(policies.accountId, accountId), eq(policies.arn, arn)));
  return [
    ...policyUserQueries(db, accountId, arn),
    db.select({ n: count() }).from(policyVersions).where(inArray(policyVersions.policyId, id)),
  ] as const;
}

/** An entity the policy is attached to, a user and a role it bounds: at most one row each. */
function policyUserQueries(db: Db, accountId: string, arn: string) {
  return [
    db.select({ id: attachments.principalId }).from(attachments).where(eq(attachments.policyArn, arn)).limit(1),
    db
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.accountId, accountId), eq(users.permissionsBoundaryArn, arn)))
      .limit(1),
    db
      .select({ id: roles.id })
      .from(roles)
      .where(and(eq(roles.accountId, accountId), eq(roles.permissionsBoundaryArn, arn)))
      .limit(1),
  ] as const;
}

/**
 * DeletePolicy's refusals in AWS's order and words, on the policy's row and its blockers (the results of
 * `policyExistsQuery` and `deletePolicyBlockerQueries`, as the preload or the guarded delete saw them).
 */
export function refuseDeletePolicy(arn: string, policyRows: unknown, blockers: unknown[]): void {
  if ((policyRows as unknown[] | undefined)?.length !== 1) {
    throw new AwsError("NoSuchEntity", `Policy ${arn} was not found.`);
  }
  const [attached, boundaryUsers, boundaryRoles, versions] = blockers as [
    unknown[],
    unknown[],
    unknown[],
    { n: number }[],
  ];
  if (attached.length + boundaryUsers.length + boundaryRoles.length > 0) {
    throw new AwsError("DeleteConflict", "Cannot delete a policy attached to entities.");
  }
  if ((versions[0]?.n ?? 0) > 1) {
    throw new AwsError(
      "DeleteConflict",
      "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
    );
  }
}

/**
 * Deletes the customer managed policy with this ARN, its versions and its tags, as guarded statements (an operation's
 * `write`): each goes only if the policy exists, is attached to nothing, bounds no user or role and has one version,
 * judged in the statement itself, so an attachment, a boundary or a version a concurrent request adds is either seen
 * (DeleteConflict) or finds no policy to hang off. The reads after them are the policy and its blockers as the guard
 * saw them (`deletePolicyOutcome`).
 */
export function deletePolicyStatements(db: Db, accountId: string, arn: string) {
  const unused = policyUserQueries(db, accountId, arn).map((q) => notExists(q));
  const deletable = db
    .select({ id: policies.id })
    .from(policies)
    .where(
      and(
        eq(policies.accountId, accountId),
        eq(policies.arn, arn),
        ...unused,
        countBelow(policyVersions, policyVersions.policyId, policies.id, 2),
      ),
    );
  // The tags and the versions first: once the policy row is gone, nothing finds them by its ARN any more (and the
  // versions' count stays below two as they go, so the policy's own delete still passes the guard).
  return [
    db.delete(tags).where(inArray(tags.resourceId, deletable)),
    db.delete(policyVersions).where(inArray(policyVersions.policyId, deletable)),
    db.delete(policies).where(inArray(policies.id, deletable)).returning({ id: policies.id }),
    policyExistsQuery(db, accountId, arn),
    ...deletePolicyBlockerQueries(db, accountId, arn),
  ];
}

/** The results of `deletePolicyStatements`, in order: deleted, or the policy's row and blockers to judge by. */
export function deletePolicyOutcome(results: unknown[]) {
  const [, , deleted, policyRows, ...blockers] = results;
  return { deleted: (deleted as unknown[]).length > 0, policyRows, blockers };
}

/** A policy's versions, newest first, as ListPolicyVersions returns them. */
export async function listVersions(db: Db, policyId: string): Promise<PolicyVersionRow[]> {
  const rows = await db.select().from(policyVersions).where(eq(policyVersions.policyId, policyId));
  return rows.sort((a, b) => versionNumber(b.versionId) - versionNumber(a.versionId));
}

export function versionNumber(versionId: string): number {
  return Number.parseInt(versionId.slice(1), 10);
}

export async function findVersion(db: Db, policyId: string, versionId: string): Promise<PolicyVersionRow | undefined> {
  return db.query.policyVersions.findFirst({
    where: and(eq(policyVersions.policyId, policyId), eq(policyVersions.versionId, versionId)),
  });
}

/**
 * Adds the next version (numbers are never reused: policies.next_version only grows). The version's number comes
 * from the policy row and the quota check is part of the same insert, so concurrent creates neither reuse a number
 * nor pass the quota. The policy update in the same transaction bumps next_version only if that version went in
 * (a version numbered next_version exists only once it has been inserted).
 */
export async function insertVersion(
  db: Db,
  policy: PolicyRow,
  document: string,
  setAsDefault: boolean,
  now: number,
): Promise<PolicyVersionRow> {
  const next = sql`'v' || "policies"."next_version"`;
  const [inserted, , present] = await db.batch([
    // insert ... select lists the columns in table order: policy_id, version_id, document, created_at.
    db
      .insert(policyVersions)
      .select(
        sql`select "policies"."id", ${next}, ${document}, ${now} from "policies"
            where "policies"."id" = ${policy.id}
              and ${countBelow(policyVersions, policyVersions.policyId, policy.id, MAX_POLICY_VERSIONS)}`,
      )
      .returning(),
    db
      .update(policies)
      .set({
        nextVersion: sql`"next_version" + 1`,
        updatedAt: now,
        ...(setAsDefault ? { defaultVersionId: sql`'v' || "next_version"` } : {}),
      })
      .where(
        and(
          eq(policies.id, policy.id),
          sql`exists (select 1 from "policy_versions" v
                      where v."policy_id" = "policies"."id" and v."version_id" = ${next})`,
        ),
      ),
    db.select({ id: policies.id }).from(policies).where(eq(policies.id, policy.id)).limit(1),
  ]);
  const [row] = inserted;
  if (row) return row;
  if (present.length === 0) throw new AwsError("NoSuchEntity", `Policy ${policy.arn} was not found.`);
  throw new AwsError(
    "LimitExceeded",
    `A managed policy can have up to ${MAX_POLICY_VERSIONS} versions. Before you create a new version, you must delete an existing version.`,
  );
}

/**
 * Deletes a version unless it is the policy's default, judged in the statement, so a SetDefaultPolicyVersion that
 * made it the default since the caller looked is never written past. The reads after it (`versionWriteOutcome`) are
 * the policy's row and the version's as the delete saw them.
 */
export async function deleteVersion(db: Db, policyId: string, versionId: string) {
  const [removed, policyRows, versionRows] = await db.batch([
    db
      .delete(policyVersions)
      .where(
        and(
          eq(policyVersions.policyId, policyId),
          eq(policyVersions.versionId, versionId),
          sql`${policyVersions.versionId} <> (select p."default_version_id" from "policies" p where p."id" = ${policyId})`,
        ),
      )
      .returning({ id: policyVersions.versionId }),
    ...versionWriteReads(db, policyId, versionId),
  ]);
  return { written: removed.length > 0, policy: policyRows[0], versionExists: versionRows.length > 0 };
}

/**
 * Makes a version the default only while it exists, judged in the statement, so a DeletePolicyVersion or DeletePolicy
 * that ran since the caller looked leaves no default naming a missing version. Reads as `deleteVersion`'s.
 */
export async function setDefaultVersion(db: Db, policyId: string, versionId: string) {
  const [updated, policyRows, versionRows] = await db.batch([
    db
      .update(policies)
      .set({ defaultVersionId: versionId })
      .where(
        and(
          eq(policies.id, policyId),
          sql`exists (select 1 from "policy_versions" v
                      where v."policy_id" = "policies"."id" and v."version_id" = ${versionId})`,
        ),
      )
      .returning({ id: policies.id }),
    ...versionWriteReads(db, policyId, versionId),
  ]);
  return { written: updated.length > 0, policy: policyRows[0], versionExists: versionRows.length > 0 };
}

/** The policy's default version and whether the version exists, read after a guarded version write. */
function versionWriteReads(db: Db, policyId: string, versionId: string) {
  return [
    db.select({ defaultVersionId: policies.defaultVersionId }).from(policies).where(eq(policies.id, policyId)).limit(1),
    db
      .select({ id: policyVersions.versionId })
      .from(policyVersions)
      .where(and(eq(policyVersions.policyId, policyId), eq(policyVersions.versionId, versionId)))
      .limit(1),
  ] as const;
}
