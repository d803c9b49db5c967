// Repository of IAM roles: create with tags, find, list by path in SQL pages, update, and delete once nothing blocks it.
import { and, asc, count, eq, gt } from "drizzle-orm";
import { AwsError } from "../aws/errors";
import { nameKey, pathHasPrefix } from "../iam/names";
import { isUniqueViolation, type Db } from "./db";
import { attachments, inlinePolicies, roles } from "./schema";
import { deleteTagsStatement, upsertTagStatements, type Tag } from "./tags";

export type RoleRow = typeof roles.$inferSelect;

export const MAX_ROLES_PER_ACCOUNT = 1000;

export async function findRole(db: Db, accountId: string, name: string): Promise<RoleRow | undefined> {
  return db.query.roles.findFirst({ where: and(eq(roles.accountId, accountId), eq(roles.nameKey, nameKey(name))) });
}

/** The role or NoSuchEntity, worded as AWS words it. */
export async function requireRole(db: Db, accountId: string, name: string): Promise<RoleRow> {
  const row = await findRole(db, accountId, name);
  if (!row) throw new AwsError("NoSuchEntity", `The role with name ${name} cannot be found.`);
  return row;
}

export async function insertRole(db: Db, row: RoleRow, tagList: Tag[]): Promise<void> {
  const [{ n } = { n: 0 }] = await db.select({ n: count() }).from(roles).where(eq(roles.accountId, row.accountId));
  if (n >= MAX_ROLES_PER_ACCOUNT) {
    throw new AwsError("LimitExceeded", `Cannot exceed quota for RolesPerAccount: ${MAX_ROLES_PER_ACCOUNT}`);
  }
  try {
    await db.batch([db.insert(roles).values(row), ...upsertTagStatements(db, row.accountId, "role", row.id, tagList)]);
  } catch (err) {
    if (isUniqueViolation(err)) throw new AwsError("EntityAlreadyExists", `Role with name ${row.name} already exists.`);
    throw err;
  }
}

export function listRolesPage(
  db: Db,
  accountId: string,
  prefix: string | undefined,
  after: string | undefined,
  limit: number,
) {
  return db
    .select()
    .from(roles)
    .where(
      and(
        eq(roles.accountId, accountId),
        pathHasPrefix(roles.path, prefix),
        after ? gt(roles.nameKey, after) : undefined,
      ),
    )
    .orderBy(asc(roles.nameKey))
    .limit(limit);
}

/** The columns UpdateRole, UpdateRoleDescription and UpdateAssumeRolePolicy may change. */
export type RoleChanges = Partial<Pick<RoleRow, "description" | "maxSessionDuration" | "assumeRolePolicy">>;

export async function updateRole(db: Db, role: RoleRow, changes: RoleChanges): Promise<RoleRow> {
  if (Object.keys(changes).length > 0) await db.update(roles).set(changes).where(eq(roles.id, role.id));
  return { ...role, ...changes };
}

/** AWS refuses to delete a role that still has policies; the checks run before any write. */
export async function deleteRole(db: Db, role: RoleRow): Promise<void> {
  const [inline, attached] = await db.batch([
    db.select({ id: inlinePolicies.name }).from(inlinePolicies).where(eq(inlinePolicies.principalId, role.id)).limit(1),
    db.select({ id: attachments.policyArn }).from(attachments).where(eq(attachments.principalId, role.id)).limit(1),
  ]);
  if (inline.length > 0) throw new AwsError("DeleteConflict", "Cannot delete entity, must delete policies first.");
  if (attached.length > 0)
    throw new AwsError("DeleteConflict", "Cannot delete entity, must detach all policies first.");
  await db.batch([db.delete(roles).where(eq(roles.id, role.id)), deleteTagsStatement(db, role.id)]);
}
