// Repository read of GetAccountAuthorizationDetails: one page of users, groups, roles and policies in ONE D1 batch.
import { and, asc, eq, gt, inArray, or } from "drizzle-orm";
import type { Db } from "./db";
import { awsManagedUsageStatements, policyWithUsage, usageByArn } from "./policies";
import {
  attachments,
  groupMembers,
  groups,
  inlinePolicies,
  instanceProfileRoles,
  instanceProfiles,
  policies,
  policyVersions,
  roles,
  tags,
  users,
} from "./schema";

/** Which sections of GetAccountAuthorizationDetails a page reads, and where each starts (after that name key). */
export interface AuthorizationDetailsQuery {
  accountId: string;
  /** Rows per section (the page size plus one, to detect truncation); 0 skips a section. */
  limits: { users: number; groups: number; roles: number; policies: number };
  after: { users?: string; groups?: string; roles?: string; policies?: string };
}

/**
 * Everything one page of GetAccountAuthorizationDetails shows, in ONE batch: each section's rows (keyset paged by name
 * key) and, through subqueries over those same pages, their inline policies, attachments, group memberships, tags and
 * policy versions, plus the AWS managed policies' usage. The round trips do not grow with the account.
 */
export async function loadAuthorizationDetails(db: Db, q: AuthorizationDetailsQuery) {
  const { accountId, limits, after } = q;
  const page = <T extends typeof users | typeof groups | typeof roles | typeof policies>(
    t: T,
    key: string | undefined,
    limit: number,
  ) =>
    db
      .select({ id: t.id })
      .from(t as typeof users)
      .where(and(eq(t.accountId, accountId), key !== undefined ? gt(t.nameKey, key) : undefined))
      .orderBy(asc(t.nameKey))
      .limit(limit);
  const userIds = page(users, after.users, limits.users);
  const groupIds = page(groups, after.groups, limits.groups);
  const roleIds = page(roles, after.roles, limits.roles);
  const policyIds = page(policies, after.policies, limits.policies);
  const [ua, ub, uc] = awsManagedUsageStatements(db, accountId);

  const [
    userRows,
    groupRows,
    roleRows,
    policyRows,
    inline,
    attached,
    memberships,
    tagRows,
    versions,
    profiles,
    awsAttached,
    awsUserBoundaries,
    awsRoleBoundaries,
  ] = await db.batch([
    db
      .select()
      .from(users)
      .where(
        and(eq(users.accountId, accountId), after.users !== undefined ? gt(users.nameKey, after.users) : undefined),
      )
      .orderBy(asc(users.nameKey))
      .limit(limits.users),
    db
      .select()
      .from(groups)
      .where(
        and(eq(groups.accountId, accountId), after.groups !== undefined ? gt(groups.nameKey, after.groups) : undefined),
      )
      .orderBy(asc(groups.nameKey))
      .limit(limits.groups),
    db
      .select()
      .from(roles)
      .where(
        and(eq(roles.accountId, accountId), after.roles !== undefined ? gt(roles.nameKey, after.roles) : undefined),
      )
      .orderBy(asc(roles.nameKey))
      .limit(limits.roles),
    db
      .select(policyWithUsage)
      .from(policies)
      .where(
        and(
          eq(policies.accountId, accountId),
          after.policies !== undefined ? gt(policies.nameKey, after.policies) : undefined,
        ),
      )
      .orderBy(asc(policies.nameKey))
      .limit(limits.policies),
    db
      .select({ owner: inlinePolicies.principalId, name: inlinePolicies.name, document: inlinePolicies.document })
      .from(inlinePolicies)
      .where(
        or(
          inArray(inlinePolicies.principalId, userIds),
          inArray(inlinePolicies.principalId, groupIds),
          inArray(inlinePolicies.principalId, roleIds),
        ),
      )
      .orderBy(asc(inlinePolicies.name)),
    db
      .select({ owner: attachments.principalId, arn: attachments.policyArn })
      .from(attachments)
      .where(
        or(
          inArray(attachments.principalId, userIds),
          inArray(attachments.principalId, groupIds),
          inArray(attachments.principalId, roleIds),
        ),
      )
      .orderBy(asc(attachments.policyArn)),
    db
      .select({ userId: groupMembers.userId, group: groups.name })
      .from(groupMembers)
      .innerJoin(groups, eq(groups.id, groupMembers.groupId))
      .where(inArray(groupMembers.userId, userIds))
      .orderBy(asc(groups.nameKey)),
    db
      .select({ owner: tags.resourceId, Key: tags.key, Value: tags.value })
      .from(tags)
      .where(or(inArray(tags.resourceId, userIds), inArray(tags.resourceId, roleIds)))
      .orderBy(asc(tags.keyLower)),
    db.select().from(policyVersions).where(inArray(policyVersions.policyId, policyIds)),
    // The instance profiles each role of the page is in (RoleDetail's InstanceProfileList).
    db
      .select({ roleId: instanceProfileRoles.roleId, profile: instanceProfiles })
      .from(instanceProfileRoles)
      .innerJoin(instanceProfiles, eq(instanceProfiles.id, instanceProfileRoles.profileId))
      .where(inArray(instanceProfileRoles.roleId, roleIds))
      .orderBy(asc(instanceProfiles.nameKey)),
    ua,
    ub,
    uc,
  ]);
  return {
    users: userRows,
    groups: groupRows,
    roles: roleRows,
    policies: policyRows,
    inline,
    attached,
    memberships,
    tags: tagRows,
    versions,
    profiles,
    awsUsage: usageByArn(awsAttached, awsUserBoundaries, awsRoleBoundaries),
  };
}
