// Repository of instance profiles: quota-checked creates, lookups with their role, one role per profile, deletes.
import { and, asc, eq, gt, inArray, notExists, sql } from "drizzle-orm";
import { AwsError } from "../aws/errors";
import { nameKey, pathHasPrefix } from "../iam/names";
import { isUniqueViolation, type Db } from "./db";
import { countBelow, insertWhere, rowExists, rowRead } from "./guarded-insert";
import { noSuchRole } from "./roles";
import { instanceProfileRoles, instanceProfiles, roles, tags } from "./schema";
import { upsertTagStatements, type Tag } from "./tags";

export type InstanceProfileRow = typeof instanceProfiles.$inferSelect;
export type RoleRow = typeof roles.$inferSelect;

export const MAX_INSTANCE_PROFILES = 1000;

const notFound = (name: string) => new AwsError("NoSuchEntity", `Instance Profile ${name} cannot be found.`);

/** The id of the profile named `name`, as a subquery, so reads by name need no round trip of their own. */
const idByName = (db: Db, accountId: string, name: string) =>
  db
    .select({ id: instanceProfiles.id })
    .from(instanceProfiles)
    .where(and(eq(instanceProfiles.accountId, accountId), eq(instanceProfiles.nameKey, nameKey(name))));

export const profileQuery = (db: Db, accountId: string, name: string) =>
  db
    .select()
    .from(instanceProfiles)
    .where(and(eq(instanceProfiles.accountId, accountId), eq(instanceProfiles.nameKey, nameKey(name))))
    .limit(1);

export const profileTagsQuery = (db: Db, accountId: string, name: string) =>
  db
    .select({ Key: tags.key, Value: tags.value })
    .from(tags)
    .where(inArray(tags.resourceId, idByName(db, accountId, name)))
    .orderBy(asc(tags.keyLower));

/** The role in the named profile (at most one). */
export const profileRolesQuery = (db: Db, accountId: string, name: string) =>
  db
    .select({ role: roles })
    .from(instanceProfileRoles)
    .innerJoin(roles, eq(roles.id, instanceProfileRoles.roleId))
    .where(inArray(instanceProfileRoles.profileId, idByName(db, accountId, name)));

export function requireFetchedProfile(name: string, rows: unknown[]): InstanceProfileRow {
  const row = rows[0] as InstanceProfileRow | undefined;
  if (!row) throw notFound(name);
  return row;
}

export async function requireProfile(db: Db, accountId: string, name: string): Promise<InstanceProfileRow> {
  return requireFetchedProfile(name, await profileQuery(db, accountId, name));
}

/** Creates a profile and its tags within the account quota; a duplicate name loses on the unique index. */
export async function insertProfile(db: Db, row: InstanceProfileRow, tagList: Tag[]): Promise<void> {
  const insert = insertWhere(
    db,
    instanceProfiles,
    row,
    countBelow(instanceProfiles, instanceProfiles.accountId, row.accountId, MAX_INSTANCE_PROFILES),
  ).returning({ id: instanceProfiles.id });
  let inserted: { id: string }[];
  try {
    [inserted] = await db.batch([
      insert,
      ...upsertTagStatements(db, row.accountId, "instance-profile", row.id, tagList),
    ]);
  } catch (err) {
    if (isUniqueViolation(err))
      throw new AwsError("EntityAlreadyExists", `Instance Profile ${row.name} already exists.`);
    throw err;
  }
  if (inserted.length === 0) {
    throw new AwsError("LimitExceeded", `Cannot exceed quota for InstanceProfilesPerAccount: ${MAX_INSTANCE_PROFILES}`);
  }
}

/** One page of profiles under a path prefix in name order, with the role of each. */
export async function listProfilesPage(
  db: Db,
  accountId: string,
  where: { prefix?: string; roleId?: string },
  after: string | undefined,
  limit: number,
): Promise<{ profile: InstanceProfileRow; roles: RoleRow[] }[]> {
  const t = instanceProfiles;
  const forRole = where.roleId
    ? inArray(
        t.id,
        db
          .select({ id: instanceProfileRoles.profileId })
          .from(instanceProfileRoles)
          .where(eq(instanceProfileRoles.roleId, where.roleId)),
      )
    : undefined;
  const page = await db
    .select()
    .from(t)
    .where(
      and(
        eq(t.accountId, accountId),
        pathHasPrefix(t.path, where.prefix),
        forRole,
        after ? gt(t.nameKey, after) : undefined,
      ),
    )
    .orderBy(asc(t.nameKey))
    .limit(limit);
  if (page.length === 0) return [];
  const members = await db
    .select({ profileId: instanceProfileRoles.profileId, role: roles })
    .from(instanceProfileRoles)
    .innerJoin(roles, eq(roles.id, instanceProfileRoles.roleId))
    .where(
      inArray(
        instanceProfileRoles.profileId,
        page.map((p) => p.id),
      ),
    );
  return page.map((profile) => ({
    profile,
    roles: members.filter((m) => m.profileId === profile.id).map((m) => m.role),
  }));
}

/**
 * Puts a role in a profile. The profile id is the membership's primary key, so a second role (or the same one again)
 * loses on it even when two requests race: AWS allows one role per profile. The membership goes in only while the
 * profile and the role both exist (the same statement), so a concurrent delete of either fails no foreign key: the
 * reads after it name the one that is gone.
 */
export async function addRoleToProfile(db: Db, profile: InstanceProfileRow, role: RoleRow, now: number) {
  const row = { profileId: profile.id, roleId: role.id, accountId: profile.accountId, createdAt: now };
  const both = sql`${rowExists(instanceProfiles, instanceProfiles.id, profile.id)} and ${rowExists(roles, roles.id, role.id)}`;
  const [inserted, profileStill, roleStill] = await db.batch([
    insertWhere(db, instanceProfileRoles, row, both)
      .onConflictDoNothing()
      .returning({ id: instanceProfileRoles.profileId }),
    rowRead(db, instanceProfiles, instanceProfiles.id, profile.id),
    rowRead(db, roles, roles.id, role.id),
  ]);
  if (inserted.length > 0) return;
  // In the order the lookup reports them: the profile first.
  if (profileStill.length === 0) throw notFound(profile.name);
  if (roleStill.length === 0) throw noSuchRole(role.name);
  throw new AwsError("LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1");
}

export async function removeRoleFromProfile(db: Db, profile: InstanceProfileRow, role: RoleRow) {
  const removed = await db
    .delete(instanceProfileRoles)
    .where(and(eq(instanceProfileRoles.profileId, profile.id), eq(instanceProfileRoles.roleId, role.id)))
    .returning({ id: instanceProfileRoles.profileId });
  if (removed.length === 0) throw new AwsError("NoSuchEntity", `The role with name ${role.name} cannot be found.`);
}

/**
 * A profile that still holds a role cannot be deleted. The membership check and the delete are one statement, and
 * the tags go only once the row is gone, so a concurrent AddRoleToInstanceProfile cannot leave a role in a deleted
 * profile nor a refused delete lose the tags.
 */
export async function deleteProfile(db: Db, profile: InstanceProfileRow) {
  const held = db
    .select({ id: instanceProfileRoles.profileId })
    .from(instanceProfileRoles)
    .where(eq(instanceProfileRoles.profileId, profile.id));
  const [deleted] = await db.batch([
    db
      .delete(instanceProfiles)
      .where(and(eq(instanceProfiles.id, profile.id), notExists(held)))
      .returning({ id: instanceProfiles.id }),
    db
      .delete(tags)
      .where(
        and(
          eq(tags.resourceId, profile.id),
          notExists(
            db.select({ id: instanceProfiles.id }).from(instanceProfiles).where(eq(instanceProfiles.id, profile.id)),
          ),
        ),
      ),
  ]);
  if (deleted.length === 0) {
    throw new AwsError("DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.");
  }
}
