// Account-level settings: the password policy (JSON on the accounts row), the account alias and the usage summary counts.
import { and, eq, isNotNull, sql } from "drizzle-orm";
import { AwsError } from "../aws/errors";
import { isUniqueViolation, type Db } from "./db";
import { accountAliases, accounts, attachments, groups, policies, roles, users } from "./schema";

/** The account password policy as stored: every field resolved to its value (AWS's defaults filled in). */
export interface PasswordPolicy {
  MinimumPasswordLength: number;
  RequireSymbols: boolean;
  RequireNumbers: boolean;
  RequireUppercaseCharacters: boolean;
  RequireLowercaseCharacters: boolean;
  AllowUsersToChangePassword: boolean;
  /** 0 means passwords never expire. */
  MaxPasswordAge: number;
  /** 0 means previous passwords may be reused. */
  PasswordReusePrevention: number;
  /** Absent in policies stored before every update wrote it; read as false, AWS's default. */
  HardExpiry?: boolean;
}

function parsePolicy(text: string | null | undefined): PasswordPolicy | null {
  if (text === null || text === undefined) return null;
  return JSON.parse(text) as PasswordPolicy;
}

/** A statement that makes sure the account's row exists, for the writes that hang off it. */
function ensureAccountRow(db: Db, accountId: string, now: number) {
  return db.insert(accounts).values({ id: accountId, passwordPolicy: null, createdAt: now }).onConflictDoNothing();
}

export function passwordPolicyQuery(db: Db, accountId: string) {
  return db.select({ policy: accounts.passwordPolicy }).from(accounts).where(eq(accounts.id, accountId)).limit(1);
}

/** Turns the result of passwordPolicyQuery (run alone or in a caller's batch) into the policy, or null if none. */
export function passwordPolicyFrom(rows: { policy: string | null }[]): PasswordPolicy | null {
  return parsePolicy(rows[0]?.policy);
}

export async function getPasswordPolicy(db: Db, accountId: string): Promise<PasswordPolicy | null> {
  return passwordPolicyFrom(await passwordPolicyQuery(db, accountId));
}

export async function putPasswordPolicy(db: Db, accountId: string, policy: PasswordPolicy, now: number): Promise<void> {
  const json = JSON.stringify(policy);
  await db
    .insert(accounts)
    .values({ id: accountId, passwordPolicy: json, createdAt: now })
    .onConflictDoUpdate({ target: accounts.id, set: { passwordPolicy: json } });
}

/** Removes the policy; NoSuchEntity when there was none, as AWS answers. */
export async function deletePasswordPolicy(db: Db, accountId: string): Promise<void> {
  const cleared = await db
    .update(accounts)
    .set({ passwordPolicy: null })
    .where(and(eq(accounts.id, accountId), isNotNull(accounts.passwordPolicy)))
    .returning({ id: accounts.id });
  if (cleared.length === 0) {
    throw new AwsError("NoSuchEntity", `The Password Policy with domain name ${accountId} cannot be found.`);
  }
}

export async function listAliases(db: Db, accountId: string): Promise<string[]> {
  const rows = await db
    .select({ alias: accountAliases.alias })
    .from(accountAliases)
    .where(eq(accountAliases.accountId, accountId));
  return rows.map((r) => r.alias);
}

/**
 * Sets the account's one alias. A new alias replaces the previous one (AWS: "the new alias overwrites the previous
 * alias"); creating the current alias again succeeds; an alias another account holds is EntityAlreadyExists. The
 * replace and the insert share one batch, so a refused alias leaves the old one in place.
 */
export async function createAlias(db: Db, accountId: string, alias: string, now: number): Promise<void> {
  try {
    await db.batch([
      ensureAccountRow(db, accountId, now),
      db
        .delete(accountAliases)
        .where(and(eq(accountAliases.accountId, accountId), sql`${accountAliases.alias} <> ${alias}`)),
      db.insert(accountAliases).values({ alias, accountId }),
    ]);
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const [owner] = await db
      .select({ accountId: accountAliases.accountId })
      .from(accountAliases)
      .where(eq(accountAliases.alias, alias));
    if (owner?.accountId === accountId) return;
    throw new AwsError("EntityAlreadyExists", `The account alias ${alias} already exists.`);
  }
}

export async function deleteAlias(db: Db, accountId: string, alias: string): Promise<void> {
  const deleted = await db
    .delete(accountAliases)
    .where(and(eq(accountAliases.accountId, accountId), eq(accountAliases.alias, alias)))
    .returning({ alias: accountAliases.alias });
  if (deleted.length === 0) throw new AwsError("NoSuchEntity", `The account alias ${alias} cannot be found.`);
}

export interface AccountCounts {
  users: number;
  groups: number;
  roles: number;
  policies: number;
  /** Attachments of managed policies to the account's users, groups and roles. */
  policyVersionsInUse: number;
}

/** Every usage count GetAccountSummary reports, in one statement of scalar subqueries. */
export async function accountCounts(db: Db, accountId: string): Promise<AccountCounts> {
  const n = (table: typeof users | typeof groups | typeof roles | typeof policies | typeof attachments) =>
    sql`(select count(*) from ${table} where account_id = ${accountId})`;
  const [row] = await db.all<AccountCounts>(sql`select
      ${n(users)} as "users",
      ${n(groups)} as "groups",
      ${n(roles)} as "roles",
      ${n(policies)} as "policies",
      ${n(attachments)} as "policyVersionsInUse"`);
  return row ?? { users: 0, groups: 0, roles: 0, policies: 0, policyVersionsInUse: 0 };
}
