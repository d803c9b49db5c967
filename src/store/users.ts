// Repository of IAM users: create, find, list by path in SQL pages, update and the conflicts that block deletion.
import { partitionOfArn } from "../aws/arn";
import { and, eq, inArray, notExists } from "drizzle-orm";
import { AwsError } from "../aws/errors";
import { nameKey } from "../iam/names";
import { isUniqueViolation, type Db } from "./db";
import {
  findNamed,
  insertNamed,
  listNamedPage,
  namedQuery,
  requireNamed,
  type EntityKind,
  type InsertRequirement,
} from "./named-entities";
import {
  accessKeys,
  attachments,
  groupMembers,
  inlinePolicies,
  loginProfiles,
  mfaDevices,
  serviceCredentials,
  signingCertificates,
  sshPublicKeys,
  tags,
  users,
} from "./schema";
import { upsertTagStatements, type Tag } from "./tags";

export type UserRow = typeof users.$inferSelect;

export const MAX_USERS_PER_ACCOUNT = 5000;

export const USER: EntityKind<typeof users> = {
  table: users,
  label: "user",
  quotaName: "UsersPerAccount",
  quota: MAX_USERS_PER_ACCOUNT,
};

export const findUser = (db: Db, accountId: string, name: string) => findNamed(db, USER, accountId, name);
export const requireUser = (db: Db, accountId: string, name: string) => requireNamed(db, USER, accountId, name);

/**
 * NoSuchEntity for a user, in AWS's words. A write that finds its user deleted by a concurrent request since it looked
 * the user up answers this too: the user is not there.
 */
export const noSuchUser = (name: string) => new AwsError("NoSuchEntity", `The user with name ${name} cannot be found.`);

/** `requires`: a customer managed boundary policy, checked in the insert (see `InsertRequirement`). */
export function insertUser(db: Db, row: UserRow, tagList: Tag[], requires?: InsertRequirement): Promise<void> {
  return insertNamed(db, USER, row, upsertTagStatements(db, row.accountId, "user", row.id, tagList), requires);
}

export const listUsersPage = (
  db: Db,
  accountId: string,
  prefix: string | undefined,
  after: string | undefined,
  limit: number,
) => listNamedPage(db, USER, accountId, prefix, after, limit);

export async function renameUser(db: Db, user: UserRow, newName: string | undefined, newPath: string | undefined) {
  const name = newName ?? user.name;
  const path = newPath ?? user.path;
  // A rename keeps the partition the user was made in.
  const arn = `arn:${partitionOfArn(user.arn)}:iam::${user.accountId}:user${path}${name}`;
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

/**
 * What blocks deleting a user (keys, login profile, group memberships, inline and attached policies), as unexecuted
 * queries on the user named by the request, so they can ride in the authorization batch.
 */
export function deleteBlockerQueries(db: Db, accountId: string, name: string) {
  const id = db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.accountId, accountId), eq(users.nameKey, nameKey(name))));
  return [
    db.select({ id: accessKeys.id }).from(accessKeys).where(inArray(accessKeys.userId, id)).limit(1),
    db.select({ id: loginProfiles.userId }).from(loginProfiles).where(inArray(loginProfiles.userId, id)).limit(1),
    db.select({ id: groupMembers.groupId }).from(groupMembers).where(inArray(groupMembers.userId, id)).limit(1),
    db.select({ id: inlinePolicies.name }).from(inlinePolicies).where(inArray(inlinePolicies.principalId, id)).limit(1),
    db.select({ id: attachments.policyArn }).from(attachments).where(inArray(attachments.principalId, id)).limit(1),
    db.select({ id: sshPublicKeys.userId }).from(sshPublicKeys).where(inArray(sshPublicKeys.userId, id)).limit(1),
    db
      .select({ id: serviceCredentials.userId })
      .from(serviceCredentials)
      .where(inArray(serviceCredentials.userId, id))
      .limit(1),
    db.select({ id: mfaDevices.userId }).from(mfaDevices).where(inArray(mfaDevices.userId, id)).limit(1),
    db
      .select({ id: signingCertificates.userId })
      .from(signingCertificates)
      .where(inArray(signingCertificates.userId, id))
      .limit(1),
  ] as const;
}

const BLOCKERS = [
  "Cannot delete entity, must delete access keys first.",
  "Cannot delete entity, must delete login profile first.",
  "Cannot delete entity, must remove users from group first.",
  "Cannot delete entity, must delete policies first.",
  "Cannot delete entity, must detach all policies first.",
  // AWS lists these among what must go before DeleteUser (API_DeleteUser); the wording follows the ones above.
  "Cannot delete entity, must delete SSH public keys first.",
  "Cannot delete entity, must delete service specific credentials first.",
  "Cannot delete entity, must delete MFA device first.",
  "Cannot delete entity, must delete signing certificates first.",
];

/** DeleteConflict, in AWS's words, for the first blocker (the results of `deleteBlockerQueries`, in order) found. */
export function refuseDeleteConflicts(blockers: unknown[]): void {
  for (const [i, rows] of blockers.entries()) {
    if ((rows as unknown[]).length > 0) throw new AwsError("DeleteConflict", BLOCKERS[i] ?? "Cannot delete entity.");
  }
}

/**
 * Deletes the user named by the request, with its tags, as guarded statements (an operation's `write`): both go only
 * if the user exists and nothing blocks its deletion, judged in the statements themselves, so a key, membership or
 * policy a concurrent request adds is either seen (DeleteConflict) or finds no user to belong to, and no cascade
 * removes what another request just handed out. The reads after them are the user and its blockers as the guard saw
 * them (`deleteUserOutcome`).
 */
export function deleteUserStatements(db: Db, accountId: string, name: string) {
  const unblocked = deleteBlockerQueries(db, accountId, name).map((q) => notExists(q));
  const deletable = db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.accountId, accountId), eq(users.nameKey, nameKey(name)), ...unblocked));
  // The tags first: once the user row is gone, nothing names their resource any more.
  return [
    db.delete(tags).where(inArray(tags.resourceId, deletable)),
    db.delete(users).where(inArray(users.id, deletable)).returning({ id: users.id }),
    namedQuery(db, USER, accountId, name),
    ...deleteBlockerQueries(db, accountId, name),
  ];
}

/** The results of `deleteUserStatements`, in order: deleted, or the user's row and blockers to judge the refusal by. */
export function deleteUserOutcome(results: unknown[]) {
  const [, deleted, userRows, ...blockers] = results;
  return { deleted: (deleted as unknown[]).length > 0, userRows: userRows as unknown[], blockers };
}
