// The credential report's data (one D1 batch over users, passwords, keys and MFA) and the generated report in KV.
import { asc, eq } from "drizzle-orm";
import type { Db } from "./db";
import { accessKeys, loginProfiles, mfaDevices, users } from "./schema";

/** Everything the report lists, read in one batch. */
export async function loadCredentialData(db: Db, accountId: string) {
  const [userRows, profiles, keys, devices] = await db.batch([
    db.select().from(users).where(eq(users.accountId, accountId)).orderBy(asc(users.nameKey)),
    db.select().from(loginProfiles).where(eq(loginProfiles.accountId, accountId)),
    db.select().from(accessKeys).where(eq(accessKeys.accountId, accountId)).orderBy(asc(accessKeys.createdAt)),
    db.select({ userId: mfaDevices.userId }).from(mfaDevices).where(eq(mfaDevices.accountId, accountId)),
  ]);
  return { users: userRows, profiles, keys, devices };
}

export interface StoredReport {
  generatedAt: number;
  csv: string;
}

const reportKey = (accountId: string) => `credential-report:${accountId}`;

/** AWS keeps a report for four hours; KV expires it a little later, the read checks the exact age. */
export const REPORT_TTL_SECONDS = 4 * 3600;

export async function readReport(kv: KVNamespace, accountId: string): Promise<StoredReport | null> {
  return kv.get<StoredReport>(reportKey(accountId), "json");
}

export async function writeReport(kv: KVNamespace, accountId: string, report: StoredReport): Promise<void> {
  await kv.put(reportKey(accountId), JSON.stringify(report), { expirationTtl: REPORT_TTL_SECONDS + 600 });
}
