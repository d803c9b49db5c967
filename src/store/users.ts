// Repository of IAM users: create, find, list by path in SQL pages, update and the conflicts that block deletion.
import { and, asc, count, eq, gt } from "drizzle-orm";
import { AwsError } from "../aws/errors";
import { nameKey, pathHasPrefix } from "../iam/names";
import { isUniqueViolation, type Db } from "./db";
import { accessKeys, attachments, groupMembers, inlinePolicies, loginProfiles, users } from "./schema";
import { deleteTagsStatement, upsertTagStatements, type Tag } from "./tags";

export type UserRow = typeof users.$inferSelect;

export const MAX_USERS_PER_ACCOUNT = 5000;

export async function findUser(db: Db, accountId: string, name: string): Promise<UserRow | undefined> {
  return db.query.users.findFirst({ where: and(eq(users.accountId, accountId), eq(users.nameKey, nameKey(name))) });
}

/** The user or NoSuchEntity, worded as AWS words it. */
export async function requireUser(db: Db, accountId: string, name: string): Promise<UserRow> {
  const row = await findUser(db, accountId, name);
  if (!row) throw new AwsError("NoSuchEntity", `The user with name ${name} cannot be found.`);
  return row;
}

export async function insertUser(db: Db, row: UserRow, tagList: Tag[]): Promise<void> {
  const [{ n } = { n: 0 }] = await db.select({ n: count() }).from(users).where(eq(users.accountId, row.accountId));
  if (n >= MAX_USERS_PER_ACCOUNT) {
    throw new AwsError("LimitExceeded", `Cannot exceed quota for UsersPerAccount: ${MAX_USERS_PER_ACCOUNT}`);
  }
  try {
    await db.batch([db.insert(users).values(row), ...upsertTagStatements(db, row.accountId, "user", row.id, tagList)]);
  } catch (err) {
    if (isUniqueViolation(err)) throw new AwsError("EntityAlreadyExists", `User with name ${row.name} already exists.`);
    throw err;
  }
}

export function listUsersPage(
  db: Db,
  accountId: string,
  prefix: string | undefined,
  after: string | undefined,
  limit: number,
) {
  return db
    .select()
    .from(users)
    .where(
      and(
        eq(users.accountId, accountId),
        pathHasPrefix(users.path, prefix),
        after ? gt(users.nameKey, after) : undefined,
      ),
    )
    .orderBy(asc(users.nameKey))
    .limit(limit);
}

export async function renameUser(db: Db, user: UserRow, newName: string | undefined, newPath: string | undefined) {
  const name = newName ?? user.name;
  const path = newPath ?? user.path;
  const arn = `arn:aws:iam::${user.accountId}:user${path}${name}`;
  try {
    await db
      .update(users)
      .set({ name, nameKey: nameKey(name), path, arn })
      .where(eq(users.id, user.id));
  } catch (err) {
    if (isUniqueViolation(err)) throw new AwsError("EntityAlreadyExists", `User with name ${name} already exists.`);
    throw err;
  }
}

/** AWS refuses to delete a user that still owns anything; the message says what to remove first. */
export async function deleteUser(db: Db, user: UserRow): Promise<void> {
  const [keys, profile, memberships, inline, attached] = await db.batch([
    db.select({ id: accessKeys.id }).from(accessKeys).where(eq(accessKeys.userId, user.id)).limit(1),
    db.select({ id: loginProfiles.userId }).from(loginProfiles).where(eq(loginProfiles.userId, user.id)).limit(1),
    db.select({ id: groupMembers.groupId }).from(groupMembers).where(eq(groupMembers.userId, user.id)).limit(1),
    db.select({ id: inlinePolicies.name }).from(inlinePolicies).where(eq(inlinePolicies.principalId, user.id)).limit(1),
    db.select({ id: attachments.policyArn }).from(attachments).where(eq(attachments.principalId, user.id)).limit(1),
  ]);
  const blockers: [unknown[], string][] = [
    [keys, "Cannot delete entity, must delete access keys first."],
    [profile, "Cannot delete entity, must delete login profile first."],
    [memberships, "Cannot delete entity, must remove users from group first."],
    [inline, "Cannot delete entity, must delete policies first."],
    [attached, "Cannot delete entity, must detach all policies first."],
  ];
  for (const [rows, message] of blockers) if (rows.length > 0) throw new AwsError("DeleteConflict", message);
  await db.batch([db.delete(users).where(eq(users.id, user.id)), deleteTagsStatement(db, user.id)]);
}
