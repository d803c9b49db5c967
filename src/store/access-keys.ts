// Repository of IAM users' long-term access keys: create within the per-user quota, list, find, update and delete.
import { and, asc, eq, gt, sql } from "drizzle-orm";
import { AwsError } from "../aws/errors";
import type { Db } from "./db";
import { rowExists, rowRead } from "./guarded-insert";
import { accessKeys, users } from "./schema";
import { noSuchUser } from "./users";

export type AccessKeyRow = typeof accessKeys.$inferSelect;

export const MAX_ACCESS_KEYS_PER_USER = 2;

/**
 * Stores a new key for the user `userName`. The quota check, the check that the user still exists and the insert are
 * one statement, so two concurrent creates cannot give a user a third key, and a key never goes in for a user a
 * concurrent DeleteUser removed (the foreign key would fail the insert); the reads after it in the same batch tell
 * whether the row went in and, if not, whether the user was still there.
 */
export async function insertAccessKey(db: Db, row: AccessKeyRow, userName: string): Promise<void> {
  const [, inserted, owner] = await db.batch([
    // insert ... select lists every column in table order, the last-use columns starting out null.
    db.insert(accessKeys).select(
      sql`select ${row.id}, ${row.accountId}, ${row.userId}, ${row.secretEncrypted}, ${row.status}, ${row.createdAt},
          null, null, null
          where (select count(*) from ${accessKeys} where user_id = ${row.userId}) < ${MAX_ACCESS_KEYS_PER_USER}
            and ${rowExists(users, users.id, row.userId)}`,
    ),
    db.select({ id: accessKeys.id }).from(accessKeys).where(eq(accessKeys.id, row.id)).limit(1),
    rowRead(db, users, users.id, row.userId),
  ]);
  if (inserted.length > 0) return;
  if (owner.length === 0) throw noSuchUser(userName);
  throw new AwsError("LimitExceeded", `Cannot exceed quota for AccessKeysPerUser: ${MAX_ACCESS_KEYS_PER_USER}`);
}

/** A user's keys in key-id order; the marker is the last key id. */
export function listAccessKeysPage(db: Db, userId: string, after: string | undefined, limit: number) {
  return db
    .select()
    .from(accessKeys)
    .where(and(eq(accessKeys.userId, userId), after ? gt(accessKeys.id, after) : undefined))
    .orderBy(asc(accessKeys.id))
    .limit(limit);
}

/** A key of the account together with its owner's name and ARN, or undefined. */
export async function findAccessKey(db: Db, accountId: string, keyId: string) {
  const [row] = await db
    .select({ key: accessKeys, userName: users.name, userNameKey: users.nameKey, userArn: users.arn })
    .from(accessKeys)
    .innerJoin(users, eq(users.id, accessKeys.userId))
    .where(and(eq(accessKeys.id, keyId), eq(accessKeys.accountId, accountId)))
    .limit(1);
  return row;
}

export const noSuchKey = (keyId: string) =>
  new AwsError("NoSuchEntity", `The Access Key with id ${keyId} cannot be found.`);

/** A key that belongs to the given user; any other key is reported as not found, as AWS does. */
export async function requireUserAccessKey(db: Db, userId: string, keyId: string): Promise<AccessKeyRow> {
  const [row] = await db
    .select()
    .from(accessKeys)
    .where(and(eq(accessKeys.id, keyId), eq(accessKeys.userId, userId)))
    .limit(1);
  if (!row) throw noSuchKey(keyId);
  return row;
}

export async function setAccessKeyStatus(db: Db, keyId: string, status: "Active" | "Inactive"): Promise<void> {
  await db.update(accessKeys).set({ status }).where(eq(accessKeys.id, keyId));
}

export async function deleteAccessKey(db: Db, keyId: string): Promise<void> {
  await db.delete(accessKeys).where(eq(accessKeys.id, keyId));
}
