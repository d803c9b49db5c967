// Service last-accessed data in D1: one row per (entity, action) with the last attempt's time and region, and the reads the reports need (entities, their policies, their records).
import { and, eq, inArray, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "./db";
import {
  attachments,
  groupMembers,
  groups,
  inlinePolicies,
  policies,
  policyVersions,
  roles,
  serviceAccess,
  users,
  type PrincipalKind,
} from "./schema";

export type AccessRow = typeof serviceAccess.$inferSelect;

/** Records one attempt; a row keeps the latest time (a late write of an older attempt never moves it back). */
export function recordAccessRow(db: Db, row: AccessRow): Promise<unknown> {
  return db
    .insert(serviceAccess)
    .values(row)
    .onConflictDoUpdate({
      target: [serviceAccess.accountId, serviceAccess.entityId, serviceAccess.service, serviceAccess.action],
      set: {
        lastAt: sql`excluded.last_at`,
        region: sql`excluded.region`,
        entityArn: sql`excluded.entity_arn`,
      },
      setWhere: sql`excluded.last_at > ${serviceAccess.lastAt}`,
    });
}

/** D1 binds at most 100 parameters per statement: long id lists are read in slices within one batch. */
const SLICE = 90;

function slices<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += SLICE) out.push(items.slice(i, i + SLICE));
  return out;
}

async function batchAll<R>(db: Db, queries: BatchItem<"sqlite">[]): Promise<R[]> {
  const [first, ...rest] = queries;
  if (first === undefined) return [];
  const results = (await db.batch([first, ...rest])) as unknown[];
  return results.flatMap((r) => r as R[]);
}

/** The records of these entities (by unique id) in the account, one round trip. */
export function accessOfEntities(db: Db, accountId: string, entityIds: string[]): Promise<AccessRow[]> {
  return batchAll<AccessRow>(
    db,
    slices([...new Set(entityIds)]).map((ids) =>
      db
        .select()
        .from(serviceAccess)
        .where(and(eq(serviceAccess.accountId, accountId), inArray(serviceAccess.entityId, ids))),
    ),
  );
}

/** Per account and service: the last attempt (time, region) and how many principals attempted it. */
export interface AccountServiceAccess {
  accountId: string;
  service: string;
  lastAt: number;
  region: string;
  entities: number;
}

/** Every account's records summed up per service (Organizations access reports), one round trip. */
export async function accessOfAccounts(db: Db, accountIds: string[]): Promise<AccountServiceAccess[]> {
  const queries = slices([...new Set(accountIds)]).map((ids) =>
    db
      .select({
        accountId: serviceAccess.accountId,
        service: serviceAccess.service,
        // SQLite takes the bare column of the row holding max() as that row's value.
        lastAt: sql<number>`max(${serviceAccess.lastAt})`,
        region: serviceAccess.region,
        entities: sql<number>`count(distinct ${serviceAccess.entityId})`,
      })
      .from(serviceAccess)
      .where(inArray(serviceAccess.accountId, ids))
      .groupBy(serviceAccess.accountId, serviceAccess.service),
  );
  return batchAll<AccountServiceAccess>(db, queries);
}

/** A user or role as reports name it. */
export interface ReportEntity {
  kind: "user" | "role";
  id: string;
  name: string;
  path: string;
  arn: string;
}

/** An owner of inline policies and attachments: a user, group or role row. */
export interface PolicyOwner {
  kind: PrincipalKind;
  id: string;
  name: string;
}

export interface OwnedInline {
  ownerKind: PrincipalKind;
  ownerId: string;
  name: string;
  document: string;
}

export interface OwnedManaged {
  ownerKind: PrincipalKind;
  ownerId: string;
  arn: string;
  /** The default version of a customer managed policy; null for an AWS managed one (the bundled catalogue has it). */
  document: string | null;
}

/** The inline and attached policies of these owners, one round trip. */
export async function policiesOfOwners(
  db: Db,
  accountId: string,
  ownerIds: string[],
): Promise<{ inline: OwnedInline[]; managed: OwnedManaged[] }> {
  if (ownerIds.length === 0) return { inline: [], managed: [] };
  const parts = slices([...new Set(ownerIds)]);
  const inlineQueries = parts.map((ids) =>
    db
      .select({
        ownerKind: inlinePolicies.principalKind,
        ownerId: inlinePolicies.principalId,
        name: inlinePolicies.name,
        document: inlinePolicies.document,
      })
      .from(inlinePolicies)
      .where(and(eq(inlinePolicies.accountId, accountId), inArray(inlinePolicies.principalId, ids))),
  );
  const managedQueries = parts.map((ids) =>
    db
      .select({
        ownerKind: attachments.principalKind,
        ownerId: attachments.principalId,
        arn: attachments.policyArn,
        document: policyVersions.document,
      })
      .from(attachments)
      .leftJoin(policies, and(eq(policies.arn, attachments.policyArn), eq(policies.accountId, accountId)))
      .leftJoin(
        policyVersions,
        and(eq(policyVersions.policyId, policies.id), eq(policyVersions.versionId, policies.defaultVersionId)),
      )
      .where(and(eq(attachments.accountId, accountId), inArray(attachments.principalId, ids))),
  );
  const queries = [...inlineQueries, ...managedQueries] as unknown as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]];
  const results = (await db.batch(queries)) as unknown[];
  const inline = results.slice(0, inlineQueries.length).flatMap((r) => r as OwnedInline[]);
  const managed = results.slice(inlineQueries.length).flatMap((r) => r as OwnedManaged[]);
  return { inline, managed };
}

const userColumns = { id: users.id, name: users.name, path: users.path, arn: users.arn };
const roleColumns = { id: roles.id, name: roles.name, path: roles.path, arn: roles.arn };

/** The groups a user belongs to. */
export function groupsOfUser(db: Db, userId: string): Promise<PolicyOwner[]> {
  return db
    .select({ kind: sql<PrincipalKind>`'group'`, id: groups.id, name: groups.name })
    .from(groupMembers)
    .innerJoin(groups, eq(groups.id, groupMembers.groupId))
    .where(eq(groupMembers.userId, userId));
}

/** The users in these groups, each once. */
export async function membersOfGroups(db: Db, groupIds: string[]): Promise<ReportEntity[]> {
  const rows = await batchAll<Omit<ReportEntity, "kind">>(
    db,
    slices(groupIds).map((ids) =>
      db
        .selectDistinct(userColumns)
        .from(groupMembers)
        .innerJoin(users, eq(users.id, groupMembers.userId))
        .where(inArray(groupMembers.groupId, ids)),
    ),
  );
  const seen = new Map(rows.map((r) => [r.id, { kind: "user" as const, ...r }]));
  return [...seen.values()];
}

/** Who a managed policy is attached to: users and roles directly, and groups (whose members use it), one round trip. */
export async function attachedToPolicy(
  db: Db,
  accountId: string,
  policyArn: string,
): Promise<{ entities: ReportEntity[]; groupIds: string[] }> {
  const where = (kind: PrincipalKind) =>
    and(
      eq(attachments.accountId, accountId),
      eq(attachments.policyArn, policyArn),
      eq(attachments.principalKind, kind),
    );
  const [userRows, roleRows, groupRows] = await db.batch([
    db
      .select(userColumns)
      .from(attachments)
      .innerJoin(users, eq(users.id, attachments.principalId))
      .where(where("user")),
    db
      .select(roleColumns)
      .from(attachments)
      .innerJoin(roles, eq(roles.id, attachments.principalId))
      .where(where("role")),
    db.select({ id: attachments.principalId }).from(attachments).where(where("group")),
  ]);
  return {
    entities: [
      ...userRows.map((r) => ({ kind: "user" as const, ...r })),
      ...roleRows.map((r) => ({ kind: "role" as const, ...r })),
    ],
    groupIds: groupRows.map((r) => r.id),
  };
}

/** A customer managed policy's name and default version's document; undefined when the account has no such policy. */
export async function customerPolicyDocument(
  db: Db,
  accountId: string,
  arn: string,
): Promise<{ name: string; document: string } | undefined> {
  const [row] = await db
    .select({ name: policies.name, document: policyVersions.document })
    .from(policies)
    .innerJoin(
      policyVersions,
      and(eq(policyVersions.policyId, policies.id), eq(policyVersions.versionId, policies.defaultVersionId)),
    )
    .where(and(eq(policies.accountId, accountId), eq(policies.arn, arn)))
    .limit(1);
  return row;
}

/** How long a generated report stays readable by its JobId; AWS documents no lifetime, so reports are kept a week. */
export const ACCESS_JOB_TTL_SECONDS = 7 * 24 * 3600;

const jobKey = (jobId: string) => `access-job:${jobId}`;

/** A generated report (service last-accessed or Organizations access), as JSON in KV under its unguessable JobId. */
export async function writeAccessJob(kv: KVNamespace, jobId: string, job: unknown): Promise<void> {
  await kv.put(jobKey(jobId), JSON.stringify(job), { expirationTtl: ACCESS_JOB_TTL_SECONDS });
}

export async function readAccessJob<T>(kv: KVNamespace, jobId: string): Promise<T | null> {
  return kv.get<T>(jobKey(jobId), "json");
}
