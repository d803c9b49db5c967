// Repository of IAM users' console passwords (login profiles): at most one per user, stored only as a PBKDF2 hash.
import { and, eq, inArray } from "drizzle-orm";
import { AwsError } from "../aws/errors";
import { nameKey } from "../iam/names";
import { isUniqueViolation, type Db } from "./db";
import { loginProfiles, users } from "./schema";
import { passwordPolicyFrom, passwordPolicyQuery, type PasswordPolicy } from "./account";
import { insertWhere, rowExists } from "./guarded-insert";
import { noSuchUser, type UserRow } from "./users";

export type LoginProfileRow = typeof loginProfiles.$inferSelect;

export const noSuchLoginProfile = (userName: string) =>
  new AwsError("NoSuchEntity", `Login Profile for User ${userName} cannot be found.`);

/**
 * One round trip for everything a password operation needs: the user, its login profile (if any) and the
 * account password policy (if any).
 */
export async function loadPasswordContext(
  db: Db,
  accountId: string,
  userName: string,
): Promise<{ user: UserRow; profile: LoginProfileRow | undefined; policy: PasswordPolicy | null }> {
  const key = nameKey(userName);
  // Separate selects rather than a join: D1 batches return rows keyed by column name, and both tables have
  // account_id and created_at.
  const [found, profiles, policyRows] = await db.batch([
    db
      .select()
      .from(users)
      .where(and(eq(users.accountId, accountId), eq(users.nameKey, key)))
      .limit(1),
    db
      .select()
      .from(loginProfiles)
      .where(
        inArray(
          loginProfiles.userId,
          db
            .select({ id: users.id })
            .from(users)
            .where(and(eq(users.accountId, accountId), eq(users.nameKey, key))),
        ),
      )
      .limit(1),
    passwordPolicyQuery(db, accountId),
  ]);
  const user = found[0];
  if (!user) throw new AwsError("NoSuchEntity", `The user with name ${userName} cannot be found.`);
  return { user, profile: profiles[0], policy: passwordPolicyFrom(policyRows) };
}

/**
 * Stores the user's login profile. It goes in only while the user exists (one statement), so a concurrent DeleteUser
 * leaves no profile behind and fails no foreign key: the user is then not found. A second profile loses on the key.
 */
export async function insertLoginProfile(db: Db, row: LoginProfileRow, userName: string): Promise<void> {
  let inserted: { id: string }[];
  try {
    inserted = await insertWhere(db, loginProfiles, row, rowExists(users, users.id, row.userId)).returning({
      id: loginProfiles.userId,
    });
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw new AwsError("EntityAlreadyExists", `Login Profile for user ${userName} already exists.`);
    }
    throw err;
  }
  if (inserted.length === 0) throw noSuchUser(userName);
}

export async function updateLoginProfile(
  db: Db,
  userId: string,
  changes: Partial<Pick<LoginProfileRow, "passwordHash" | "passwordResetRequired">>,
): Promise<void> {
  if (Object.keys(changes).length === 0) return;
  await db.update(loginProfiles).set(changes).where(eq(loginProfiles.userId, userId));
}

export async function deleteLoginProfile(db: Db, userId: string): Promise<void> {
  await db.delete(loginProfiles).where(eq(loginProfiles.userId, userId));
}
