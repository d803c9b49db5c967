// Repository of users' SSH public keys: quota-checked uploads (5 per user), one key per user once, pages, status.
import { and, asc, eq, gt } from "drizzle-orm";
import { AwsError } from "../aws/errors";
import { isUniqueViolation, type Db } from "./db";
import { countBelow, insertForUser } from "./guarded-insert";
import { sshPublicKeys } from "./schema";
import { noSuchUser } from "./users";

export type SshKeyRow = typeof sshPublicKeys.$inferSelect;

export const MAX_SSH_KEYS_PER_USER = 5;

/**
 * The count, the check that the user still exists and the insert are one statement, so parallel uploads stop at the
 * quota and no key goes in for a user a concurrent DeleteUser removed; a repeat loses on the index.
 */
export async function insertSshKey(db: Db, row: SshKeyRow, userName: string): Promise<void> {
  let outcome: Awaited<ReturnType<typeof insertForUser>>;
  try {
    const quota = countBelow(sshPublicKeys, sshPublicKeys.userId, row.userId, MAX_SSH_KEYS_PER_USER);
    outcome = await insertForUser(db, sshPublicKeys, row, row.userId, quota);
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw new AwsError("DuplicateSSHPublicKey", "The SSH public key is already associated with the specified user.");
    }
    throw err;
  }
  if (outcome === "no-user") throw noSuchUser(userName);
  if (outcome === "refused") {
    throw new AwsError("LimitExceeded", `Cannot exceed quota for PublicKeysPerUser: ${MAX_SSH_KEYS_PER_USER}`);
  }
}

export async function requireSshKey(db: Db, userId: string, keyId: string): Promise<SshKeyRow> {
  const [row] = await db
    .select()
    .from(sshPublicKeys)
    .where(and(eq(sshPublicKeys.userId, userId), eq(sshPublicKeys.id, keyId)))
    .limit(1);
  if (!row) throw new AwsError("NoSuchEntity", `The Public Key with id ${keyId} cannot be found.`);
  return row;
}

export const listSshKeysPage = (db: Db, userId: string, after: string | undefined, limit: number) =>
  db
    .select()
    .from(sshPublicKeys)
    .where(and(eq(sshPublicKeys.userId, userId), after ? gt(sshPublicKeys.id, after) : undefined))
    .orderBy(asc(sshPublicKeys.id))
    .limit(limit);

export async function setSshKeyStatus(db: Db, key: SshKeyRow, status: "Active" | "Inactive") {
  await db.update(sshPublicKeys).set({ status }).where(eq(sshPublicKeys.id, key.id));
}

export async function deleteSshKey(db: Db, key: SshKeyRow) {
  await db.delete(sshPublicKeys).where(eq(sshPublicKeys.id, key.id));
}
