// Repository of organizations, their tree (root and OUs) and accounts; speaks Organizations' own errors.
import { and, asc, eq, gt, inArray, ne, sql } from "drizzle-orm";
import { OrganizationsError } from "../aws/organizations-errors";
import type { Db } from "./db";
import { isUniqueViolation } from "./db";
import { insertWhere } from "./guarded-insert";
import {
  attachments,
  orgAccounts,
  orgAttachments,
  orgCreateAccountStatus,
  orgNodes,
  orgOrganizations,
  orgPolicies,
  orgTags,
  roles,
} from "./schema";

export type OrgRow = typeof orgOrganizations.$inferSelect;
export type OrgNodeRow = typeof orgNodes.$inferSelect;
export type OrgAccountRow = typeof orgAccounts.$inferSelect;
export type CreateAccountStatusRow = typeof orgCreateAccountStatus.$inferSelect;

/** The organization an account belongs to (as member or management account), with its root. */
export interface Membership {
  org: OrgRow;
  rootId: string;
}

export async function findMembership(db: Db, accountId: string): Promise<Membership | undefined> {
  const rows = await db
    .select({ org: orgOrganizations, rootId: orgNodes.id })
    .from(orgAccounts)
    .innerJoin(orgOrganizations, eq(orgOrganizations.id, orgAccounts.orgId))
    .innerJoin(orgNodes, and(eq(orgNodes.orgId, orgOrganizations.id), eq(orgNodes.kind, "ROOT")))
    .where(eq(orgAccounts.id, accountId))
    .limit(1);
  return rows[0];
}

/** Creates the organization, its root and the management account's membership in one batch. */
export async function insertOrganization(db: Db, org: OrgRow, root: OrgNodeRow, management: OrgAccountRow) {
  try {
    await db.batch([
      db.insert(orgOrganizations).values(org),
      db.insert(orgNodes).values(root),
      db.insert(orgAccounts).values(management),
    ]);
  } catch (err) {
    // Two concurrent CreateOrganization calls race on the management account: the loser is already in one.
    if (isUniqueViolation(err)) throw alreadyInOrganization();
    throw err;
  }
}

export const alreadyInOrganization = () =>
  new OrganizationsError(
    "AlreadyInOrganizationException",
    "The provided account is already a member of an organization.",
  );

/** Deletes an organization that has no member accounts left, and everything it owns. */
export async function deleteOrganization(db: Db, org: OrgRow): Promise<void> {
  const members = await db
    .select({ id: orgAccounts.id })
    .from(orgAccounts)
    .where(and(eq(orgAccounts.orgId, org.id), ne(orgAccounts.id, org.managementAccountId)))
    .limit(1);
  if (members.length > 0) {
    throw new OrganizationsError(
      "OrganizationNotEmptyException",
      "To delete an organization you must first remove all member accounts (except the master).",
    );
  }
  await db.batch([
    db.delete(orgAttachments).where(eq(orgAttachments.orgId, org.id)),
    db.delete(orgTags).where(eq(orgTags.orgId, org.id)),
    db.delete(orgPolicies).where(eq(orgPolicies.orgId, org.id)),
    db.delete(orgCreateAccountStatus).where(eq(orgCreateAccountStatus.orgId, org.id)),
    db.delete(orgAccounts).where(eq(orgAccounts.orgId, org.id)),
    db.delete(orgNodes).where(eq(orgNodes.orgId, org.id)),
    db.delete(orgOrganizations).where(eq(orgOrganizations.id, org.id)),
  ]);
}

/** The statement recording the root's enabled policy types, for the caller's batch. */
export function setPolicyTypes(db: Db, orgId: string, types: string[]) {
  return db
    .update(orgOrganizations)
    .set({ policyTypes: JSON.stringify(types) })
    .where(eq(orgOrganizations.id, orgId));
}

export function enabledPolicyTypes(org: OrgRow): string[] {
  return JSON.parse(org.policyTypes) as string[];
}

// ---- the tree ----

export async function findNode(db: Db, orgId: string, id: string): Promise<OrgNodeRow | undefined> {
  const rows = await db
    .select()
    .from(orgNodes)
    .where(and(eq(orgNodes.orgId, orgId), eq(orgNodes.id, id)))
    .limit(1);
  return rows[0];
}

export async function findAccount(db: Db, orgId: string, id: string): Promise<OrgAccountRow | undefined> {
  const rows = await db
    .select()
    .from(orgAccounts)
    .where(and(eq(orgAccounts.orgId, orgId), eq(orgAccounts.id, id)))
    .limit(1);
  return rows[0];
}

/** Inserts an OU (and the policies attached to every new OU) unless a sibling already has its name. */
export async function insertOu(db: Db, ou: OrgNodeRow, extra: Parameters<Db["batch"]>[0][number][] = []) {
  try {
    await db.batch([db.insert(orgNodes).values(ou), ...extra]);
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicateOu();
    throw err;
  }
}

export const duplicateOu = () =>
  new OrganizationsError("DuplicateOrganizationalUnitException", "An OU with the same name already exists.");

export async function renameOu(db: Db, id: string, name: string): Promise<void> {
  try {
    await db.update(orgNodes).set({ name }).where(eq(orgNodes.id, id));
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicateOu();
    throw err;
  }
}

/** Deletes an OU only while it has no child OU and no account: the check and the delete are one statement. */
export async function deleteOu(db: Db, id: string): Promise<void> {
  const [deleted] = await db.batch([
    db
      .delete(orgNodes)
      .where(
        and(
          eq(orgNodes.id, id),
          sql`not exists (select 1 from ${orgNodes} c where c.parent_id = ${id})`,
          sql`not exists (select 1 from ${orgAccounts} where ${orgAccounts.parentId} = ${id})`,
        ),
      )
      .returning({ id: orgNodes.id }),
  ]);
  if (deleted.length === 0) {
    throw new OrganizationsError(
      "OrganizationalUnitNotEmptyException",
      "The specified OU is not empty. Move all accounts to another root or to other OUs, remove all child OUs, and try again.",
    );
  }
  await db.batch([
    db.delete(orgAttachments).where(eq(orgAttachments.targetId, id)),
    db.delete(orgTags).where(eq(orgTags.resourceId, id)),
  ]);
}

/** A page of rows ordered by id, `after` the last id of the previous page. */
export function ousPage(db: Db, orgId: string, parentId: string, after: string | undefined, limit: number) {
  return db
    .select()
    .from(orgNodes)
    .where(and(eq(orgNodes.orgId, orgId), eq(orgNodes.parentId, parentId), after ? gt(orgNodes.id, after) : undefined))
    .orderBy(asc(orgNodes.id))
    .limit(limit + 1);
}

export function accountsPage(
  db: Db,
  orgId: string,
  parentId: string | undefined,
  after: string | undefined,
  limit: number,
) {
  return db
    .select()
    .from(orgAccounts)
    .where(
      and(
        eq(orgAccounts.orgId, orgId),
        parentId ? eq(orgAccounts.parentId, parentId) : undefined,
        after ? gt(orgAccounts.id, after) : undefined,
      ),
    )
    .orderBy(asc(orgAccounts.id))
    .limit(limit + 1);
}

/** The ids from a node (or account's parent) up to the root: [parent, grandparent, ..., root]. */
export async function ancestors(db: Db, startId: string): Promise<OrgNodeRow[]> {
  const rows = await db.all<{
    id: string;
    org_id: string;
    kind: "ROOT" | "ORGANIZATIONAL_UNIT";
    parent_id: string | null;
    name: string;
    created_at: number;
  }>(sql`with recursive up(id, depth) as (
      select ${startId}, 0
      union all
      select n.parent_id, up.depth + 1 from ${orgNodes} n join up on n.id = up.id where n.parent_id is not null
    )
    select n.* from up join ${orgNodes} n on n.id = up.id order by up.depth`);
  return rows.map((r) => ({
    id: r.id,
    orgId: r.org_id,
    kind: r.kind,
    parentId: r.parent_id,
    name: r.name,
    createdAt: r.created_at,
  }));
}

// ---- accounts ----

/**
 * A created account: its membership, the default policies every new account gets, its tags, the access role in its
 * own IAM namespace (with AdministratorAccess) and the request's status, in one batch. Every dependent row is
 * guarded on the account row, so an email already in use leaves nothing behind; returns whether it went in.
 */
export async function insertCreatedAccount(
  db: Db,
  account: OrgAccountRow,
  role: typeof roles.$inferSelect,
  adminPolicyArn: string,
  defaults: { policyId: string; type: string }[],
  tagList: { Key: string; Value: string }[],
  status: CreateAccountStatusRow,
): Promise<boolean> {
  const emailFree = sql`not exists (select 1 from ${orgAccounts} where ${orgAccounts.email} = ${account.email})`;
  const made = sql`exists (select 1 from ${orgAccounts} where ${orgAccounts.id} = ${account.id})`;
  const now = account.joinedAt;
  const [inserted] = await db.batch([
    insertWhere(db, orgAccounts, account, emailFree).returning({ id: orgAccounts.id }),
    insertWhere(db, roles, role, made),
    insertWhere(
      db,
      attachments,
      { accountId: account.id, principalKind: "role", principalId: role.id, policyArn: adminPolicyArn, createdAt: now },
      made,
    ),
    ...defaults.map((d) =>
      insertWhere(
        db,
        orgAttachments,
        { orgId: account.orgId, policyId: d.policyId, targetId: account.id, policyType: d.type, createdAt: now },
        made,
      ),
    ),
    ...tagList.map((t) =>
      insertWhere(db, orgTags, { orgId: account.orgId, resourceId: account.id, key: t.Key, value: t.Value }, made),
    ),
    db.insert(orgCreateAccountStatus).values(status),
  ]);
  if (inserted.length > 0) return true;
  await db
    .update(orgCreateAccountStatus)
    .set({ state: "FAILED", accountId: null, failureReason: "EMAIL_ALREADY_EXISTS" })
    .where(eq(orgCreateAccountStatus.id, status.id));
  return false;
}

export async function insertStatus(db: Db, status: CreateAccountStatusRow): Promise<void> {
  await db.insert(orgCreateAccountStatus).values(status);
}

export async function findStatus(db: Db, orgId: string, id: string): Promise<CreateAccountStatusRow | undefined> {
  const rows = await db
    .select()
    .from(orgCreateAccountStatus)
    .where(and(eq(orgCreateAccountStatus.orgId, orgId), eq(orgCreateAccountStatus.id, id)))
    .limit(1);
  return rows[0];
}

export function statusPage(
  db: Db,
  orgId: string,
  states: string[] | undefined,
  after: string | undefined,
  limit: number,
) {
  return db
    .select()
    .from(orgCreateAccountStatus)
    .where(
      and(
        eq(orgCreateAccountStatus.orgId, orgId),
        states && states.length > 0
          ? inArray(orgCreateAccountStatus.state, states as CreateAccountStatusRow["state"][])
          : undefined,
        after ? gt(orgCreateAccountStatus.id, after) : undefined,
      ),
    )
    .orderBy(asc(orgCreateAccountStatus.id))
    .limit(limit + 1);
}

/** Moves an account only if it is still under `from`, so a concurrent move cannot be undone silently. */
export async function moveAccount(db: Db, accountId: string, from: string, to: string): Promise<boolean> {
  const moved = await db
    .update(orgAccounts)
    .set({ parentId: to })
    .where(and(eq(orgAccounts.id, accountId), eq(orgAccounts.parentId, from)))
    .returning({ id: orgAccounts.id });
  return moved.length > 0;
}

export async function setAccountStatus(db: Db, accountId: string, status: OrgAccountRow["status"]): Promise<void> {
  await db.update(orgAccounts).set({ status }).where(eq(orgAccounts.id, accountId));
}

/** The account leaves the organization: its membership, attachments and tags go; its IAM namespace stays. */
export async function removeAccount(db: Db, accountId: string): Promise<void> {
  await db.batch([
    db.delete(orgAttachments).where(eq(orgAttachments.targetId, accountId)),
    db.delete(orgTags).where(eq(orgTags.resourceId, accountId)),
    db.delete(orgAccounts).where(eq(orgAccounts.id, accountId)),
  ]);
}
