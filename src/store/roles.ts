// Repository of IAM roles: create with tags, find, list by path in SQL pages, update, and delete once nothing blocks it.
import { eq } from "drizzle-orm";
import { AwsError } from "../aws/errors";
import type { Db } from "./db";
import { findNamed, insertNamed, listNamedPage, requireNamed, type EntityKind } from "./named-entities";
import { attachments, inlinePolicies, instanceProfileRoles, roles } from "./schema";
import { deleteTagsStatement, upsertTagStatements, type Tag } from "./tags";

export type RoleRow = typeof roles.$inferSelect;

export const MAX_ROLES_PER_ACCOUNT = 1000;

export const ROLE: EntityKind<typeof roles> = {
  table: roles,
  label: "role",
  quotaName: "RolesPerAccount",
  quota: MAX_ROLES_PER_ACCOUNT,
};

export const findRole = (db: Db, accountId: string, name: string) => findNamed(db, ROLE, accountId, name);
export const requireRole = (db: Db, accountId: string, name: string) => requireNamed(db, ROLE, accountId, name);

export function insertRole(db: Db, row: RoleRow, tagList: Tag[]): Promise<void> {
  return insertNamed(db, ROLE, row, upsertTagStatements(db, row.accountId, "role", row.id, tagList));
}

export const listRolesPage = (
  db: Db,
  accountId: string,
  prefix: string | undefined,
  after: string | undefined,
  limit: number,
) => listNamedPage(db, ROLE, accountId, prefix, after, limit);

/** The columns UpdateRole, UpdateRoleDescription and UpdateAssumeRolePolicy may change. */
export type RoleChanges = Partial<Pick<RoleRow, "description" | "maxSessionDuration" | "assumeRolePolicy">>;

export async function updateRole(db: Db, role: RoleRow, changes: RoleChanges): Promise<RoleRow> {
  if (Object.keys(changes).length > 0) await db.update(roles).set(changes).where(eq(roles.id, role.id));
  return { ...role, ...changes };
}

/** AWS refuses to delete a role that is in an instance profile or still has policies; the checks run before any write. */
export async function deleteRole(db: Db, role: RoleRow): Promise<void> {
  const [profiles, inline, attached] = await db.batch([
    db
      .select({ id: instanceProfileRoles.profileId })
      .from(instanceProfileRoles)
      .where(eq(instanceProfileRoles.roleId, role.id))
      .limit(1),
    db.select({ id: inlinePolicies.name }).from(inlinePolicies).where(eq(inlinePolicies.principalId, role.id)).limit(1),
    db.select({ id: attachments.policyArn }).from(attachments).where(eq(attachments.principalId, role.id)).limit(1),
  ]);
  if (profiles.length > 0) {
    throw new AwsError("DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.");
  }
  if (inline.length > 0) throw new AwsError("DeleteConflict", "Cannot delete entity, must delete policies first.");
  if (attached.length > 0)
    throw new AwsError("DeleteConflict", "Cannot delete entity, must detach all policies first.");
  await db.batch([db.delete(roles).where(eq(roles.id, role.id)), deleteTagsStatement(db, role.id)]);
}
