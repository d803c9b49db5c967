// Repository of IAM roles: create with tags, find, list by path in SQL pages, update, and delete once nothing blocks it.
import { and, eq, exists, notExists } from "drizzle-orm";
import { AwsError, concurrentModification } from "../aws/errors";
import type { Db } from "./db";
import {
  findNamed,
  insertNamed,
  listNamedPage,
  requireNamed,
  type EntityKind,
  type InsertRequirement,
} from "./named-entities";
import { rowRead } from "./guarded-insert";
import { attachments, inlinePolicies, instanceProfileRoles, roles, tags } from "./schema";
import { upsertTagStatements, type Tag } from "./tags";

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

/** `requires`: a customer managed boundary policy, checked in the insert (see `InsertRequirement`). */
export function insertRole(db: Db, row: RoleRow, tagList: Tag[], requires?: InsertRequirement): Promise<void> {
  return insertNamed(db, ROLE, row, upsertTagStatements(db, row.accountId, "role", row.id, tagList), requires);
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

/** NoSuchEntity for a role, in AWS's words (also for one a concurrent request deleted since it was looked up). */
export const noSuchRole = (name: string) => new AwsError("NoSuchEntity", `The role with name ${name} cannot be found.`);

/**
 * AWS refuses to delete a role that is in an instance profile or still has policies. The checks are part of the
 * delete statements, so a profile membership or policy a concurrent request adds is either seen (DeleteConflict) or
 * finds no role to belong to (no cascade removes a membership another request just made); the reads after them say
 * why a refused delete was refused.
 */
export async function deleteRole(db: Db, role: RoleRow): Promise<void> {
  const blockers = [
    db
      .select({ id: instanceProfileRoles.profileId })
      .from(instanceProfileRoles)
      .where(eq(instanceProfileRoles.roleId, role.id))
      .limit(1),
    db.select({ id: inlinePolicies.name }).from(inlinePolicies).where(eq(inlinePolicies.principalId, role.id)).limit(1),
    db.select({ id: attachments.policyArn }).from(attachments).where(eq(attachments.principalId, role.id)).limit(1),
  ] as const;
  const deletable = and(eq(roles.id, role.id), ...blockers.map((q) => notExists(q)));
  const [, deleted, profiles, inline, attached, still] = await db.batch([
    // The tags first, on the same condition: once the role row is gone, nothing names their resource any more.
    db
      .delete(tags)
      .where(and(eq(tags.resourceId, role.id), exists(db.select({ id: roles.id }).from(roles).where(deletable)))),
    db.delete(roles).where(deletable).returning({ id: roles.id }),
    ...blockers,
    rowRead(db, roles, roles.id, role.id),
  ]);
  if (deleted.length > 0) return;
  if (still.length === 0) throw noSuchRole(role.name);
  if (profiles.length > 0) {
    throw new AwsError("DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.");
  }
  if (inline.length > 0) throw new AwsError("DeleteConflict", "Cannot delete entity, must delete policies first.");
  if (attached.length > 0)
    throw new AwsError("DeleteConflict", "Cannot delete entity, must detach all policies first.");
  throw concurrentModification();
}
