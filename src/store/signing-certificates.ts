// Repository of users' signing certificates: quota-checked uploads (2 per user), one certificate per account, pages.
import { and, asc, eq, gt } from "drizzle-orm";
import { AwsError } from "../aws/errors";
import { isUniqueViolation, type Db } from "./db";
import { countBelow, insertForUser } from "./guarded-insert";
import { signingCertificates } from "./schema";
import { noSuchUser } from "./users";

export type SigningCertificateRow = typeof signingCertificates.$inferSelect;

export const MAX_SIGNING_CERTIFICATES_PER_USER = 2;

/**
 * The count and the insert are one statement, so parallel uploads stop at the quota. The id is derived from the
 * certificate, so the same certificate uploaded again (for any user of the account) loses on the primary key.
 */
export async function insertSigningCertificate(db: Db, row: SigningCertificateRow, userName: string): Promise<void> {
  let outcome: Awaited<ReturnType<typeof insertForUser>>;
  try {
    // The user must still exist in the same statement: a concurrent DeleteUser leaves no certificate behind.
    const quota = countBelow(
      signingCertificates,
      signingCertificates.userId,
      row.userId,
      MAX_SIGNING_CERTIFICATES_PER_USER,
    );
    outcome = await insertForUser(db, signingCertificates, row, row.userId, quota);
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw new AwsError("DuplicateCertificate", "The same certificate is associated with an IAM user in the account.");
    }
    throw err;
  }
  if (outcome === "no-user") throw noSuchUser(userName);
  if (outcome === "refused") {
    throw new AwsError(
      "LimitExceeded",
      `Cannot exceed quota for SigningCertificatesPerUser: ${MAX_SIGNING_CERTIFICATES_PER_USER}`,
    );
  }
}

export async function requireSigningCertificate(db: Db, userId: string, id: string): Promise<SigningCertificateRow> {
  const [row] = await db
    .select()
    .from(signingCertificates)
    .where(and(eq(signingCertificates.userId, userId), eq(signingCertificates.id, id)))
    .limit(1);
  if (!row) throw new AwsError("NoSuchEntity", `The Certificate with id ${id} cannot be found.`);
  return row;
}

export const listSigningCertificatesPage = (db: Db, userId: string, after: string | undefined, limit: number) =>
  db
    .select()
    .from(signingCertificates)
    .where(and(eq(signingCertificates.userId, userId), after ? gt(signingCertificates.id, after) : undefined))
    .orderBy(asc(signingCertificates.id))
    .limit(limit);

export async function setSigningCertificateStatus(db: Db, row: SigningCertificateRow, status: "Active" | "Inactive") {
  await db
    .update(signingCertificates)
    .set({ status })
    .where(and(eq(signingCertificates.accountId, row.accountId), eq(signingCertificates.id, row.id)));
}

export async function deleteSigningCertificate(db: Db, row: SigningCertificateRow) {
  await db
    .delete(signingCertificates)
    .where(and(eq(signingCertificates.accountId, row.accountId), eq(signingCertificates.id, row.id)));
}
