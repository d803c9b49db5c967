// Repository of IAM groups and their memberships: create, find, list in SQL pages, rename, delete, add and remove users.
import { partitionOfArn } from "../aws/arn";
import { and, asc, eq, gt, notExists, sql } from "drizzle-orm";
import { AwsError, concurrentModification } from "../aws/errors";
import { nameKey } from "../iam/names";
import { isUniqueViolation, type Db } from "./db";
import { findNamed, insertNamed, listNamedPage, requireNamed, type EntityKind } from "./named-entities";
import { attachments, groupMembers, groups, inlinePolicies, users } from "./schema";
import { rowExists, rowRead } from "./guarded-insert";
import { noSuchUser, type UserRow } from "./users";

export type GroupRow = typeof groups.$inferSelect;

export const MAX_GROUPS_PER_ACCOUNT = 300;
export const MAX_GROUPS_PER_USER = 10;

export const GROUP: EntityKind<typeof groups> = {
  table: groups,
  label: "group",
  quotaName: "GroupsPerAccount",
  quota: MAX_GROUPS_PER_ACCOUNT,
};

const noSuchGroup = (name: string) => new AwsError("NoSuchEntity", `The group with name ${name} cannot be found.`);

export const findGroup = (db: Db, accountId: string, name: string) => findNamed(db, GROUP, accountId, name);
export const requireGroup = (db: Db, accountId: string, name: string) => requireNamed(db, GROUP, accountId, name);

/** A group and a user looked up in one round trip, for the membership operations. */
export async function requireGroupAndUser(
  db: Db,
  accountId: string,
  groupName: string,
  userName: string,
): Promise<{ group: GroupRow; user: UserRow }> {
  const [groupRows, userRows] = await db.batch([
    db
      .select()
      .from(groups)
      .where(and(eq(groups.accountId, accountId), eq(groups.nameKey, nameKey(groupName))))
      .limit(1),
    db
      .select()
      .from(users)
      .where(and(eq(users.accountId, accountId), eq(users.nameKey, nameKey(userName))))
      .limit(1),
  ]);
  const group = groupRows[0];
  if (!group) throw noSuchGroup(groupName);
  const user = userRows[0];
  if (!user) throw noSuchUser(userName);
  return { group, user };
}

export const insertGroup = (db: Db, row: GroupRow) => insertNamed(db, GROUP, row);

export const listGroupsPage = (
  db: Db,
  accountId: string,
  prefix: string | undefined,
  after: string | undefined,
  limit: number,
) => listNamedPage(db, GROUP, accountId, prefix, after, limit);

/** The users of a group, ordered by name so the page marker is the last user's name key. */
export function groupUsersPage(db: Db, groupId: string, after: string | undefined, limit: number) {
  return db
    .select({
      id: users.id,
      accountId: users.accountId,
      name: users.name,
      nameKey: users.nameKey,
      path: users.path,
      arn: users.arn,
      permissionsBoundaryArn: users.permissionsBoundaryArn,
      passwordLastUsed: users.passwordLastUsed,
      createdAt: users.createdAt,
    })
    .from(groupMembers)
    .innerJoin(users, eq(users.id, groupMembers.userId))
    .where(and(eq(groupMembers.groupId, groupId), after ? gt(users.nameKey, after) : undefined))
    .orderBy(asc(users.nameKey))
    .limit(limit);
}

/** The groups a user belongs to, ordered by group name. */
export function userGroupsPage(db: Db, userId: string, after: string | undefined, limit: number) {
  return db
    .select({
      id: groups.id,
      accountId: groups.accountId,
      name: groups.name,
      nameKey: groups.nameKey,
      path: groups.path,
      arn: groups.arn,
      createdAt: groups.createdAt,
    })
    .from(groupMembers)
    .innerJoin(groups, eq(groups.id, groupMembers.groupId))
    .where(and(eq(groupMembers.userId, userId), after ? gt(groups.nameKey, after) : undefined))
    .orderBy(asc(groups.nameKey))
    .limit(limit);
}

export async function renameGroup(db: Db, group: GroupRow, newName: string | undefined, newPath: string | undefined) {
  const name = newName ?? group.name;
  const path = newPath ?? group.path;
  // A rename keeps the partition the group was made in.
  const arn = `arn:${partitionOfArn(group.arn)}:iam::${group.accountId}:group${path}${name}`;
  try {
    await db
      .update(groups)
      .set({ name, nameKey: nameKey(name), path, arn })
      .where(eq(groups.id, group.id));
  } catch (err) {
    if (isUniqueViolation(err)) throw new AwsError("EntityAlreadyExists", `Group with name ${name} already exists.`);
    throw err;
  }
}

/**
 * AWS refuses to delete a group that still has members or policies. The checks are part of the delete statement, so
 * a member or policy a concurrent request adds is either seen (DeleteConflict) or finds no group to belong to (no
 * cascade removes a membership another request just made); the reads after it say why a refused delete was refused.
 */
export async function deleteGroup(db: Db, group: GroupRow): Promise<void> {
  const blockers = [
    db.select({ id: groupMembers.userId }).from(groupMembers).where(eq(groupMembers.groupId, group.id)).limit(1),
    db
      .select({ id: inlinePolicies.name })
      .from(inlinePolicies)
      .where(eq(inlinePolicies.principalId, group.id))
      .limit(1),
    db.select({ id: attachments.policyArn }).from(attachments).where(eq(attachments.principalId, group.id)).limit(1),
  ] as const;
  const [deleted, members, inline, attached, still] = await db.batch([
    db
      .delete(groups)
      .where(and(eq(groups.id, group.id), ...blockers.map((q) => notExists(q))))
      .returning({ id: groups.id }),
    ...blockers,
    rowRead(db, groups, groups.id, group.id),
  ]);
  if (deleted.length > 0) return;
  if (still.length === 0) throw noSuchGroup(group.name);
  const found: [unknown[], string][] = [
    [members, "Cannot delete entity, must remove users from group first."],
    [inline, "Cannot delete entity, must delete policies first."],
    [attached, "Cannot delete entity, must detach all policies first."],
  ];
  for (const [rows, message] of found) if (rows.length > 0) throw new AwsError("DeleteConflict", message);
  throw concurrentModification();
}

/**
 * Adds a user to a group; adding an existing member changes nothing. The quota check, the checks that the group and
 * the user still exist and the insert are one statement, so two concurrent adds cannot take a user past the limit and
 * no membership goes in for a group or user a concurrent delete removed; the reads after it say which, if any.
 */
export async function addMember(db: Db, group: GroupRow, user: UserRow, now: number): Promise<void> {
  const [, present, groupStill, userStill] = await db.batch([
    // insert ... select lists every column in table order: account_id, group_id, user_id, created_at.
    db
      .insert(groupMembers)
      .select(
        sql`select ${group.accountId}, ${group.id}, ${user.id}, ${now}
          where (select count(*) from ${groupMembers} where user_id = ${user.id}) < ${MAX_GROUPS_PER_USER}
            and ${rowExists(groups, groups.id, group.id)} and ${rowExists(users, users.id, user.id)}`,
      )
      .onConflictDoNothing(),
    db
      .select({ id: groupMembers.userId })
      .from(groupMembers)
      .where(and(eq(groupMembers.groupId, group.id), eq(groupMembers.userId, user.id)))
      .limit(1),
    rowRead(db, groups, groups.id, group.id),
    rowRead(db, users, users.id, user.id),
  ]);
  if (present.length > 0) return;
  // In the order the lookup reports them: the group first.
  if (groupStill.length === 0) throw noSuchGroup(group.name);
  if (userStill.length === 0) throw noSuchUser(user.name);
  throw new AwsError("LimitExceeded", `Cannot exceed quota for GroupsPerUser: ${MAX_GROUPS_PER_USER}`);
}

/** Removes a membership; a user who is not in the group is reported the way AWS reports it. */
export async function removeMember(db: Db, group: GroupRow, user: UserRow): Promise<void> {
  const removed = await db
    .delete(groupMembers)
    .where(and(eq(groupMembers.groupId, group.id), eq(groupMembers.userId, user.id)))
    .returning({ id: groupMembers.userId });
  if (removed.length === 0) throw new AwsError("NoSuchEntity", `The user with name ${user.name} cannot be found.`);
}
