// Repository of organization policies, their attachments and tags, and the SCP/RCP levels that govern an account.
import { and, asc, eq, gt, inArray, sql } from "drizzle-orm";
import { OrganizationsError, constraintViolation, invalidInput } from "../aws/organizations-errors";
import type { Db } from "./db";
import { isUniqueViolation } from "./db";
import { insertWhere } from "./guarded-insert";
import { orgAccounts, orgAttachments, orgNodes, orgOrganizations, orgPolicies, orgTags } from "./schema";

export type OrgPolicyRow = typeof orgPolicies.$inferSelect;
export type OrgAttachmentRow = typeof orgAttachments.$inferSelect;

/** AWS's quota of policies of one type attached to one root, OU or account. */
export const MAX_ATTACHMENTS_PER_TARGET = 5;
export const MAX_TAGS = 50;

export const duplicatePolicy = () =>
  new OrganizationsError("DuplicatePolicyException", "A policy with the same name already exists.");

export async function insertPolicy(db: Db, row: OrgPolicyRow, tagRows: (typeof orgTags.$inferInsert)[]) {
  try {
    await db.batch([db.insert(orgPolicies).values(row), ...tagRows.map((t) => db.insert(orgTags).values(t))]);
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicatePolicy();
    throw err;
  }
}

export async function findPolicy(db: Db, orgId: string, id: string): Promise<OrgPolicyRow | undefined> {
  const rows = await db
    .select()
    .from(orgPolicies)
    .where(and(eq(orgPolicies.orgId, orgId), eq(orgPolicies.id, id)))
    .limit(1);
  return rows[0];
}

export async function updatePolicy(db: Db, id: string, changes: Partial<OrgPolicyRow>): Promise<void> {
  if (Object.keys(changes).length === 0) return;
  try {
    await db.update(orgPolicies).set(changes).where(eq(orgPolicies.id, id));
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicatePolicy();
    throw err;
  }
}

/** Deletes a policy only while nothing has it attached: the check and the delete are one statement. */
export async function deletePolicy(db: Db, id: string): Promise<void> {
  const [deleted] = await db.batch([
    db
      .delete(orgPolicies)
      .where(
        and(
          eq(orgPolicies.id, id),
          sql`not exists (select 1 from ${orgAttachments} where ${orgAttachments.policyId} = ${id})`,
        ),
      )
      .returning({ id: orgPolicies.id }),
  ]);
  if (deleted.length === 0) {
    throw new OrganizationsError(
      "PolicyInUseException",
      "The policy is attached to one or more entities. You must detach it from all roots, OUs, and accounts before performing this operation.",
    );
  }
  await db.delete(orgTags).where(eq(orgTags.resourceId, id));
}

export function policiesPage(db: Db, orgId: string, type: string, after: string | undefined, limit: number) {
  return db
    .select()
    .from(orgPolicies)
    .where(and(eq(orgPolicies.orgId, orgId), eq(orgPolicies.type, type), after ? gt(orgPolicies.id, after) : undefined))
    .orderBy(asc(orgPolicies.id))
    .limit(limit + 1);
}

const attachedCount = (targetId: string, type: string) =>
  sql`(select count(*) from ${orgAttachments} where ${orgAttachments.targetId} = ${targetId} and ${orgAttachments.policyType} = ${type})`;

/**
 * Attaches within the per-target quota in one statement; the primary key makes concurrent attaches of the same
 * policy leave exactly one row, and the others get DuplicatePolicyAttachmentException.
 */
export async function attach(db: Db, row: OrgAttachmentRow): Promise<void> {
  let inserted: { id: string }[];
  try {
    inserted = await insertWhere(
      db,
      orgAttachments,
      row,
      sql`${attachedCount(row.targetId, row.policyType)} < ${MAX_ATTACHMENTS_PER_TARGET}`,
    ).returning({ id: orgAttachments.policyId });
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicateAttachment();
    throw err;
  }
  if (inserted.length > 0) return;
  if (await isAttached(db, row.policyId, row.targetId)) throw duplicateAttachment();
  throw constraintViolation(
    "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
    "You have attached the maximum number of policies of this type to the entity.",
  );
}

const duplicateAttachment = () =>
  new OrganizationsError(
    "DuplicatePolicyAttachmentException",
    "The selected policy is already attached to the specified target.",
  );

async function isAttached(db: Db, policyId: string, targetId: string): Promise<boolean> {
  const rows = await db
    .select({ id: orgAttachments.policyId })
    .from(orgAttachments)
    .where(and(eq(orgAttachments.policyId, policyId), eq(orgAttachments.targetId, targetId)))
    .limit(1);
  return rows.length > 0;
}

/** Detaches; an SCP target must keep one SCP, checked in the same statement so parallel detaches cannot empty it. */
export async function detach(db: Db, policyId: string, targetId: string, type: string, keepOne: boolean) {
  const deleted = await db
    .delete(orgAttachments)
    .where(
      and(
        eq(orgAttachments.policyId, policyId),
        eq(orgAttachments.targetId, targetId),
        keepOne ? sql`${attachedCount(targetId, type)} > 1` : undefined,
      ),
    )
    .returning({ id: orgAttachments.policyId });
  if (deleted.length > 0) return;
  if (!(await isAttached(db, policyId, targetId))) {
    throw new OrganizationsError(
      "PolicyNotAttachedException",
      "The policy isn't attached to the specified target in the specified root.",
    );
  }
  throw constraintViolation(
    "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
    "You attempted to detach a policy from an entity that would leave it with fewer than the minimum number of policies of this type.",
  );
}

export function policiesForTargetPage(
  db: Db,
  targetId: string,
  type: string,
  after: string | undefined,
  limit: number,
) {
  return db
    .select({ policyId: orgAttachments.policyId, policy: orgPolicies })
    .from(orgAttachments)
    .leftJoin(orgPolicies, eq(orgPolicies.id, orgAttachments.policyId))
    .where(
      and(
        eq(orgAttachments.targetId, targetId),
        eq(orgAttachments.policyType, type),
        after ? gt(orgAttachments.policyId, after) : undefined,
      ),
    )
    .orderBy(asc(orgAttachments.policyId))
    .limit(limit + 1);
}

/** The targets of a policy with their names and kinds: the root and OUs from the tree, accounts from theirs. */
export function targetsForPolicyPage(
  db: Db,
  orgId: string,
  policyId: string,
  after: string | undefined,
  limit: number,
) {
  return db
    .select({
      targetId: orgAttachments.targetId,
      nodeName: orgNodes.name,
      nodeKind: orgNodes.kind,
      accountName: orgAccounts.name,
    })
    .from(orgAttachments)
    .leftJoin(orgNodes, eq(orgNodes.id, orgAttachments.targetId))
    .leftJoin(orgAccounts, eq(orgAccounts.id, orgAttachments.targetId))
    .where(
      and(
        eq(orgAttachments.orgId, orgId),
        eq(orgAttachments.policyId, policyId),
        after ? gt(orgAttachments.targetId, after) : undefined,
      ),
    )
    .orderBy(asc(orgAttachments.targetId))
    .limit(limit + 1);
}

/** The statement attaching `policyId` of `type` to every root, OU and account of the organization. */
export function attachEverywhere(db: Db, orgId: string, policyId: string, type: string, now: number) {
  // Columns in schema order: org_id, policy_id, target_id, policy_type, created_at.
  return db
    .insert(orgAttachments)
    .select(
      sql`select ${orgId}, ${policyId}, id, ${type}, ${now} from ${orgNodes} where org_id = ${orgId}
        union all select ${orgId}, ${policyId}, id, ${type}, ${now} from ${orgAccounts} where org_id = ${orgId}`,
    )
    .onConflictDoNothing();
}

export function detachAllOfType(db: Db, orgId: string, type: string) {
  return db.delete(orgAttachments).where(and(eq(orgAttachments.orgId, orgId), eq(orgAttachments.policyType, type)));
}

// ---- tags ----

export function tagsPage(db: Db, resourceId: string, after: string | undefined, limit: number) {
  return db
    .select({ key: orgTags.key, value: orgTags.value })
    .from(orgTags)
    .where(and(eq(orgTags.resourceId, resourceId), after ? gt(orgTags.key, after) : undefined))
    .orderBy(asc(orgTags.key))
    .limit(limit + 1);
}

export function tagStatements(db: Db, orgId: string, resourceId: string, tags: { Key: string; Value: string }[]) {
  return tags.map((t) =>
    db
      .insert(orgTags)
      .values({ orgId, resourceId, key: t.Key, value: t.Value })
      .onConflictDoUpdate({ target: [orgTags.resourceId, orgTags.key], set: { value: t.Value } }),
  );
}

/** Adds or replaces tags, refusing to go past the per-resource quota. */
export async function putTags(db: Db, orgId: string, resourceId: string, tags: { Key: string; Value: string }[]) {
  if (tags.length === 0) return;
  const [first, ...rest] = tagStatements(db, orgId, resourceId, tags);
  const existing = await db.select({ key: orgTags.key }).from(orgTags).where(eq(orgTags.resourceId, resourceId));
  const keys = new Set(existing.map((e) => e.key));
  if (keys.size + tags.filter((t) => !keys.has(t.Key)).length > MAX_TAGS) {
    throw constraintViolation(
      "MAX_TAG_LIMIT_EXCEEDED",
      "You have exceeded the maximum number of tags allowed on this resource.",
    );
  }
  if (first) await db.batch([first, ...rest]);
}

export async function removeTags(db: Db, resourceId: string, keys: string[]) {
  if (keys.length === 0) return;
  await db.delete(orgTags).where(and(eq(orgTags.resourceId, resourceId), inArray(orgTags.key, keys)));
}

export function assertDistinctKeys(tags: { Key: string }[]): void {
  if (new Set(tags.map((t) => t.Key)).size !== tags.length) {
    throw invalidInput("DUPLICATE_TAG_KEY", "You provided a list of tags that contains duplicate keys.");
  }
}

// ---- the levels that govern an account ----

/** One row per policy of one level (or one row with no policy for a level with none), for the authorization batch. */
export interface LevelRow {
  depth: number;
  target: string;
  policyId: string | null;
  content: string | null;
}

/**
 * The `type` policies of every level above and at `accountId` (account = depth 0, its parent 1, ... the root last;
 * rows come root first), for a MEMBER account of an organization with the type enabled; no rows otherwise (the
 * management account and accounts outside organizations are not governed). One statement, for the caller's batch:
 * a query builder over a subquery, because D1 batches take only prepared builder statements.
 */
export function levelsQuery(db: Db, accountId: string, type: string) {
  const levels = sql`(with recursive up(id, depth) as (
      select a.parent_id, 1 from ${orgAccounts} a join ${orgOrganizations} o on o.id = a.org_id
        where a.id = ${accountId} and o.management_account_id <> ${accountId}
          and exists (select 1 from json_each(o.policy_types) where value = ${type})
      union all
      select n.parent_id, up.depth + 1 from ${orgNodes} n join up on n.id = up.id where n.parent_id is not null
    ),
    chain(id, depth) as (
      select ${accountId}, 0 where exists (select 1 from up)
      union all select id, depth from up
    )
    select l.depth as depth, l.id as target, t.policy_id as policy_id, p.content as content
      from chain l
      left join ${orgAttachments} t on t.target_id = l.id and t.policy_type = ${type}
      left join ${orgPolicies} p on p.id = t.policy_id) as org_levels`;
  return db
    .select({
      depth: sql<number>`org_levels.depth`,
      target: sql<string>`org_levels.target`,
      policyId: sql<string | null>`org_levels.policy_id`,
      content: sql<string | null>`org_levels.content`,
    })
    .from(levels)
    .orderBy(sql`org_levels.depth desc`, sql`org_levels.policy_id`);
}

/** One ancestor (root or OU) of an account, for aws:PrincipalOrgPaths and aws:ResourceOrgPaths. */
export interface PathRow {
  account: string;
  orgId: string;
  node: string;
  depth: number;
}

/** The ancestors of the principal's and the resource's accounts (root last per account); none outside organizations. */
export function orgPathsQuery(db: Db, principalAccount: string, resourceAccount: string) {
  const paths = sql`(with recursive up(account, id, depth) as (
      select a.id, a.parent_id, 1 from ${orgAccounts} a where a.id in (${principalAccount}, ${resourceAccount})
      union all
      select up.account, n.parent_id, up.depth + 1 from ${orgNodes} n join up on n.id = up.id where n.parent_id is not null
    )
    select up.account as account, n.org_id as org_id, up.id as node, up.depth as depth
      from up join ${orgNodes} n on n.id = up.id) as org_paths`;
  return db
    .select({
      account: sql<string>`org_paths.account`,
      orgId: sql<string>`org_paths.org_id`,
      node: sql<string>`org_paths.node`,
      depth: sql<number>`org_paths.depth`,
    })
    .from(paths)
    .orderBy(sql`org_paths.account`, sql`org_paths.depth desc`);
}
