// Repository of virtual MFA devices: create with tags, find by serial, assign to and release from users, list, delete.
import { and, asc, eq, gt, isNotNull, isNull } from "drizzle-orm";
import { AwsError } from "../aws/errors";
import { isUniqueViolation, type Db } from "./db";
import { countBelow, insertWhere, rowExists, rowRead } from "./guarded-insert";
import { mfaDevices, tags, users } from "./schema";
import { noSuchUser } from "./users";
import { upsertTagStatements, type Tag } from "./tags";

export type MfaDeviceRow = typeof mfaDevices.$inferSelect;

/** AWS allows up to 8 MFA devices per user; devices per account follow the users quota. */
export const MAX_MFA_PER_USER = 8;
export const MAX_MFA_PER_ACCOUNT = 5000;

export async function insertMfaDevice(db: Db, row: MfaDeviceRow, tagList: Tag[]): Promise<void> {
  const insert = insertWhere(
    db,
    mfaDevices,
    row,
    countBelow(mfaDevices, mfaDevices.accountId, row.accountId, MAX_MFA_PER_ACCOUNT),
  ).returning({ id: mfaDevices.id });
  let inserted: { id: string }[];
  try {
    [inserted] = await db.batch([insert, ...upsertTagStatements(db, row.accountId, "mfa", row.id, tagList)]);
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw new AwsError("EntityAlreadyExists", "MFADevice entity at the same path and name already exists.");
    }
    throw err;
  }
  if (inserted.length === 0) {
    throw new AwsError("LimitExceeded", `Cannot exceed quota for MFADevicesPerAccount: ${MAX_MFA_PER_ACCOUNT}`);
  }
}

export async function findMfaDevice(db: Db, accountId: string, serial: string): Promise<MfaDeviceRow | undefined> {
  const [row] = await db
    .select()
    .from(mfaDevices)
    .where(and(eq(mfaDevices.accountId, accountId), eq(mfaDevices.serialKey, serial.toLowerCase())))
    .limit(1);
  return row;
}

/**
 * Assigns an unassigned device to a user within the per-user quota. The update is conditional on the device being
 * unassigned, on the user's devices being below the quota and on the user still existing, all in the one statement,
 * so two enables of one device cannot both win, parallel enables cannot pass the quota, and a device is never given
 * to a user a concurrent DeleteUser removed (its foreign key would fail). The reads after it say what refused it.
 */
export async function assignMfaDevice(
  db: Db,
  device: MfaDeviceRow,
  user: { id: string; name: string },
  now: number,
  step: number,
  missingDevice: () => AwsError,
) {
  const [written, deviceRows, owner] = await db.batch([
    db
      .update(mfaDevices)
      .set({ userId: user.id, enabledAt: now, lastStep: step })
      .where(
        and(
          eq(mfaDevices.id, device.id),
          isNull(mfaDevices.userId),
          countBelow(mfaDevices, mfaDevices.userId, user.id, MAX_MFA_PER_USER),
          rowExists(users, users.id, user.id),
        ),
      )
      .returning({ id: mfaDevices.id }),
    db.select({ userId: mfaDevices.userId }).from(mfaDevices).where(eq(mfaDevices.id, device.id)).limit(1),
    rowRead(db, users, users.id, user.id),
  ]);
  if (written.length > 0) return;
  // In the order the handler checks them: the user, the device, whether the device is free; then the quota.
  if (owner.length === 0) throw noSuchUser(user.name);
  const [current] = deviceRows;
  if (current === undefined) throw missingDevice();
  if (current.userId !== null) throw new AwsError("EntityAlreadyExists", "MFA Device is already in use.");
  throw new AwsError("LimitExceeded", `Cannot exceed quota for MFADevicesPerUser: ${MAX_MFA_PER_USER}`);
}

/** Records the last step accepted, only moving forward, so one code cannot be used twice. */
export async function recordStep(db: Db, device: MfaDeviceRow, step: number): Promise<boolean> {
  const written = await db
    .update(mfaDevices)
    .set({ lastStep: step })
    .where(
      and(
        eq(mfaDevices.id, device.id),
        device.lastStep === null ? isNull(mfaDevices.lastStep) : eq(mfaDevices.lastStep, device.lastStep),
      ),
    )
    .returning({ id: mfaDevices.id });
  return written.length > 0;
}

export async function releaseMfaDevice(db: Db, device: MfaDeviceRow) {
  await db.update(mfaDevices).set({ userId: null, enabledAt: null }).where(eq(mfaDevices.id, device.id));
}

export async function deleteMfaDevice(db: Db, device: MfaDeviceRow) {
  const [deleted] = await db.batch([
    db
      .delete(mfaDevices)
      .where(and(eq(mfaDevices.id, device.id), isNull(mfaDevices.userId)))
      .returning({ id: mfaDevices.id }),
  ]);
  if (deleted.length === 0) throw new AwsError("DeleteConflict", "MFA Device is in use.");
  await db.delete(tags).where(eq(tags.resourceId, device.id));
}

/** A page of devices (all, assigned or unassigned) in serial order, each with its user. */
export const listMfaPage = (
  db: Db,
  where: { accountId: string; userId?: string; assigned?: boolean },
  after: string | undefined,
  limit: number,
) =>
  db
    .select({ device: mfaDevices, user: users })
    .from(mfaDevices)
    .leftJoin(users, eq(users.id, mfaDevices.userId))
    .where(
      and(
        eq(mfaDevices.accountId, where.accountId),
        where.userId ? eq(mfaDevices.userId, where.userId) : undefined,
        where.assigned === true
          ? isNotNull(mfaDevices.userId)
          : where.assigned === false
            ? isNull(mfaDevices.userId)
            : undefined,
        after ? gt(mfaDevices.serialKey, after) : undefined,
      ),
    )
    .orderBy(asc(mfaDevices.serialKey))
    .limit(limit);
