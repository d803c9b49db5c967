// Repository of service-specific credentials: quota-checked creates (2 per user and service), lookups, resets, status.
import { and, asc, eq, gt, sql } from "drizzle-orm";
import { AwsError } from "../aws/errors";
import type { Db } from "./db";
import { insertForUser } from "./guarded-insert";
import { serviceCredentials } from "./schema";
import { noSuchUser } from "./users";

export type ServiceCredentialRow = typeof serviceCredentials.$inferSelect;

export const MAX_CREDENTIALS_PER_SERVICE = 2;

/**
 * The count (per user and service), the check that the user still exists and the insert are one statement, so
 * parallel creates stop at the quota and no credential goes in for a user a concurrent DeleteUser removed.
 */
export async function insertServiceCredential(db: Db, row: ServiceCredentialRow, userName: string): Promise<void> {
  const t = serviceCredentials;
  const quota = sql`(select count(*) from ${t} where ${t.userId} = ${row.userId} and ${t.serviceName} = ${row.serviceName}) < ${MAX_CREDENTIALS_PER_SERVICE}`;
  const outcome = await insertForUser(db, t, row, row.userId, quota);
  if (outcome === "no-user") throw noSuchUser(userName);
  if (outcome === "refused") {
    throw new AwsError(
      "LimitExceeded",
      `Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: ${MAX_CREDENTIALS_PER_SERVICE}`,
    );
  }
}

export async function requireServiceCredential(db: Db, userId: string, id: string): Promise<ServiceCredentialRow> {
  const [row] = await db
    .select()
    .from(serviceCredentials)
    .where(and(eq(serviceCredentials.userId, userId), eq(serviceCredentials.id, id)))
    .limit(1);
  if (!row) throw new AwsError("NoSuchEntity", `No such credential ${id} exists`);
  return row;
}

/** A page of credentials in id order; `userId` undefined lists the whole account (AllUsers). */
export const listServiceCredentialsPage = (
  db: Db,
  where: { accountId: string; userId?: string; serviceName?: string },
  after: string | undefined,
  limit: number,
) =>
  db
    .select()
    .from(serviceCredentials)
    .where(
      and(
        eq(serviceCredentials.accountId, where.accountId),
        where.userId ? eq(serviceCredentials.userId, where.userId) : undefined,
        where.serviceName ? eq(serviceCredentials.serviceName, where.serviceName) : undefined,
        after ? gt(serviceCredentials.id, after) : undefined,
      ),
    )
    .orderBy(asc(serviceCredentials.id))
    .limit(limit);

export async function updateServiceCredential(
  db: Db,
  row: ServiceCredentialRow,
  changes: Partial<Pick<ServiceCredentialRow, "status" | "passwordHash">>,
) {
  await db.update(serviceCredentials).set(changes).where(eq(serviceCredentials.id, row.id));
}

export async function deleteServiceCredential(db: Db, row: ServiceCredentialRow) {
  await db.delete(serviceCredentials).where(eq(serviceCredentials.id, row.id));
}
