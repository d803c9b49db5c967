// Repository of managed policy attachments and permissions boundaries of users, groups and roles.
import { and, eq, exists, inArray, sql, type SQL } from "drizzle-orm";
import { AwsError } from "../aws/errors";
import { nameKey } from "../iam/names";
import type { Db } from "./db";
import { countBelow } from "./guarded-insert";
import { policyExistsQuery } from "./policies";
import { attachments, groups, roles, users, type PrincipalKind } from "./schema";

export const MAX_ATTACHED_POLICIES = 10;

/** The identity a policy is attached to or embedded in, whatever its kind. */
export interface Principal {
  kind: PrincipalKind;
  id: string;
  name: string;
  path: string;
  arn: string;
}

const NOUN: Record<PrincipalKind, string> = { user: "user", group: "group", role: "role" };

/** The table of an identity's kind; the three share the columns used here, so they are typed as one. */
export const identityTable = (kind: PrincipalKind) =>
  (kind === "user" ? users : kind === "group" ? groups : roles) as typeof users;

/** NoSuchEntity for an identity, in AWS's words (also for one a concurrent request deleted since it was looked up). */
export const noSuchIdentity = (kind: PrincipalKind, name: string) =>
  new AwsError("NoSuchEntity", `The ${NOUN[kind]} with name ${name} cannot be found.`);

/** The identity named by the request, as an unexecuted query (an operation's preload). */
export function principalQuery(db: Db, accountId: string, kind: PrincipalKind, name: string) {
  const table = identityTable(kind);
  return db
    .select({ id: table.id, name: table.name, path: table.path, arn: table.arn })
    .from(table)
    .where(and(eq(table.accountId, accountId), eq(table.nameKey, nameKey(name))))
    .limit(1);
}

/** The identity from rows already fetched, or NoSuchEntity in AWS's words. */
export function fetchedPrincipal(kind: PrincipalKind, name: string, rows: unknown): Principal {
  const row = (rows as { id: string; name: string; path: string; arn: string }[] | undefined)?.[0];
  if (!row) throw noSuchIdentity(kind, name);
  return { kind, ...row };
}

export async function requirePrincipal(
  db: Db,
  accountId: string,
  kind: PrincipalKind,
  name: string,
): Promise<Principal> {
  return fetchedPrincipal(kind, name, await principalQuery(db, accountId, kind, name));
}

/** The ARNs attached to an identity named by the request (at most ten), in ARN order, as one unexecuted query. */
export function attachedArnsQuery(db: Db, accountId: string, kind: PrincipalKind, name: string) {
  const table = identityTable(kind);
  const id = db
    .select({ id: table.id })
    .from(table)
    .where(and(eq(table.accountId, accountId), eq(table.nameKey, nameKey(name))));
  return db
    .select({ arn: attachments.policyArn })
    .from(attachments)
    .where(inArray(attachments.principalId, id))
    .orderBy(attachments.policyArn);
}

const QUOTA: Record<PrincipalKind, string> = {
  user: "PoliciesPerUser",
  group: "PoliciesPerGroup",
  role: "PoliciesPerRole",
};

/** AWS's refusal of an attach past the identity's quota of managed policies. */
export const attachQuotaExceeded = (kind: PrincipalKind) =>
  new AwsError("LimitExceeded", `Cannot exceed quota for ${QUOTA[kind]}: ${MAX_ATTACHED_POLICIES}`);

/** AWS's refusal of a detach of a policy the identity does not have. */
export const policyNotAttached = (policyArn: string) =>
  new AwsError("NoSuchEntity", `Policy ${policyArn} was not found.`);

/** An identity named by the request, for statements that find it themselves (a batch that also reads it). */
export interface NamedIdentity {
  accountId: string;
  kind: PrincipalKind;
  name: string;
  /** Identities whose path starts with this are left alone (service-linked roles belong to their service). */
  protectedPath?: string;
}

/** The named identity's row, unless its path is protected, and further conditions: what the statements below guard on. */
function editable(who: NamedIdentity, ...more: (SQL | undefined)[]) {
  const t = identityTable(who.kind);
  const open =
    who.protectedPath === undefined
      ? undefined
      : sql`substr(${t.path}, 1, ${who.protectedPath.length}) <> ${who.protectedPath}`;
  return and(eq(t.accountId, who.accountId), eq(t.nameKey, nameKey(who.name)), open, ...more);
}

/** The id of the named identity unless it is protected, as a subquery. */
function editableIds(db: Db, who: NamedIdentity) {
  const t = identityTable(who.kind);
  return db.select({ id: t.id }).from(t).where(editable(who));
}

/**
 * Attaches a managed policy to the identity named by the request, as guarded statements (an operation's `write`):
 * the insert goes in only if the identity exists and is not protected, the customer managed policy exists (when
 * `customerPolicy`) and the quota has room, all in the one statement, so neither a concurrent delete nor concurrent
 * attaches can be written past. Attaching one already attached changes nothing and succeeds, as in AWS. The reads
 * after it say whether the policy is attached now and, for a guard that refused, the identity's and the policy's rows
 * as it saw them (`attachOutcome`).
 */
export function attachStatements(db: Db, who: NamedIdentity, policyArn: string, now: number, customerPolicy: boolean) {
  const t = identityTable(who.kind);
  const policyExists = customerPolicy ? exists(policyExistsQuery(db, who.accountId, policyArn)) : undefined;
  const insert = db
    .insert(attachments)
    .select(
      db
        .select({
          accountId: sql<string>`${who.accountId}`.as("account_id"),
          principalKind: sql<PrincipalKind>`${who.kind}`.as("principal_kind"),
          principalId: t.id,
          policyArn: sql<string>`${policyArn}`.as("policy_arn"),
          createdAt: sql<number>`${now}`.as("created_at"),
        })
        .from(t)
        .where(
          editable(who, policyExists, countBelow(attachments, attachments.principalId, t.id, MAX_ATTACHED_POLICIES)),
        ),
    )
    .onConflictDoNothing();
  const present = db
    .select({ arn: attachments.policyArn })
    .from(attachments)
    .where(and(inArray(attachments.principalId, editableIds(db, who)), eq(attachments.policyArn, policyArn)))
    .limit(1);
  return [
    insert,
    present,
    principalQuery(db, who.accountId, who.kind, who.name),
    policyExistsQuery(db, who.accountId, policyArn),
  ];
}

/** The results of `attachStatements`, in order: attached, or the rows to judge the refusal by. */
export function attachOutcome(results: unknown[]) {
  const [, present, principalRows, policyRows] = results;
  return { attached: (present as unknown[]).length > 0, principalRows, policyRows };
}

/**
 * Detaches a managed policy from the identity named by the request, as guarded statements: one delete that finds the
 * identity by name and leaves a protected one alone, then the identity's row as the delete saw it (`detachOutcome`).
 */
export function detachStatements(db: Db, who: NamedIdentity, policyArn: string) {
  return [
    db
      .delete(attachments)
      .where(and(inArray(attachments.principalId, editableIds(db, who)), eq(attachments.policyArn, policyArn)))
      .returning({ arn: attachments.policyArn }),
    principalQuery(db, who.accountId, who.kind, who.name),
  ];
}

/** The results of `detachStatements`, in order: detached, or the identity's row to judge the refusal by. */
export function detachOutcome(results: unknown[]) {
  const [removed, principalRows] = results;
  return { detached: (removed as unknown[]).length > 0, principalRows };
}

/**
 * Sets the permissions boundary of the user or role named by the request, as guarded statements (an operation's
 * `write`): the update goes only if the identity exists and is not protected and the customer managed policy exists
 * (when `customerPolicy`; AWS managed ones always do), all in the one statement, so a DeletePolicy that ran since the
 * checks leaves no boundary naming a deleted policy. The reads after it are the identity's and the policy's rows as
 * the guard saw them (`boundaryOutcome`).
 */
export function putBoundaryStatements(db: Db, who: NamedIdentity, policyArn: string, customerPolicy: boolean) {
  const t = identityTable(who.kind);
  const policyExists = customerPolicy ? exists(policyExistsQuery(db, who.accountId, policyArn)) : undefined;
  return [
    db.update(t).set({ permissionsBoundaryArn: policyArn }).where(editable(who, policyExists)).returning({ id: t.id }),
    principalQuery(db, who.accountId, who.kind, who.name),
    policyExistsQuery(db, who.accountId, policyArn),
  ];
}

/** The results of `putBoundaryStatements`, in order: set, or the rows to judge the refusal by. */
export function boundaryOutcome(results: unknown[]) {
  const [updated, principalRows, policyRows] = results;
  return { set: (updated as unknown[]).length > 0, principalRows, policyRows };
}

export async function setPermissionsBoundary(db: Db, principal: Principal, policyArn: string | null): Promise<void> {
  if (principal.kind === "user") {
    await db.update(users).set({ permissionsBoundaryArn: policyArn }).where(eq(users.id, principal.id));
  } else if (principal.kind === "role") {
    await db.update(roles).set({ permissionsBoundaryArn: policyArn }).where(eq(roles.id, principal.id));
  }
}

export type EntityKind = "group" | "user" | "role";

export interface PolicyEntity {
  kind: EntityKind;
  name: string;
  id: string;
  /** Sort key: the kind's rank and the name key, so one keyset orders groups, then users, then roles. */
  sortKey: string;
}

export interface EntityQuery {
  accountId: string;
  policyArn: string;
  kinds: EntityKind[];
  /** Attached as a permissions policy, used as a permissions boundary, or both. */
  asPolicy: boolean;
  asBoundary: boolean;
  pathPrefix?: string;
  after?: string;
  limit: number;
}

const RANK: Record<EntityKind, string> = { group: "1", user: "2", role: "3" };

/**
 * The entities using a policy, paged in SQL: one UNION over attachments and boundaries of groups, users and roles,
 * deduplicated (an entity may both have the policy attached and use it as its boundary), in keyset order.
 */
export async function listEntitiesForPolicy(db: Db, q: EntityQuery): Promise<PolicyEntity[]> {
  const parts = [];
  const prefix = q.pathPrefix && q.pathPrefix !== "/" ? q.pathPrefix : undefined;
  const pathOk = (col: ReturnType<typeof sql.raw>) =>
    prefix === undefined ? sql`1 = 1` : sql`substr(${col}, 1, ${prefix.length}) = ${prefix}`;
  const tables = { group: "groups", user: "users", role: "roles" } as const;
  for (const kind of q.kinds) {
    const t = sql.raw(`"${tables[kind]}"`);
    const col = (c: string) => sql.raw(`"${tables[kind]}"."${c}"`);
    const rank = RANK[kind];
    if (q.asPolicy) {
      parts.push(
        sql`select ${kind} as kind, ${col("name")} as name, ${col("id")} as id, ${rank} || ${col("name_key")} as sort_key
            from "attachments" join ${t} on ${col("id")} = "attachments"."principal_id"
            where "attachments"."account_id" = ${q.accountId} and "attachments"."policy_arn" = ${q.policyArn}
              and ${pathOk(col("path"))}`,
      );
    }
    if (q.asBoundary && kind !== "group") {
      parts.push(
        sql`select ${kind} as kind, ${col("name")} as name, ${col("id")} as id, ${rank} || ${col("name_key")} as sort_key
            from ${t} where ${col("account_id")} = ${q.accountId} and ${col("permissions_boundary_arn")} = ${q.policyArn}
              and ${pathOk(col("path"))}`,
      );
    }
  }
  if (parts.length === 0) return [];
  const union = sql.join(parts, sql` union `);
  const after = q.after === undefined ? sql`` : sql`where sort_key > ${q.after}`;
  return db.all<PolicyEntity>(
    sql`select kind, name, id, sort_key as sortKey from (${union}) ${after} order by sort_key limit ${q.limit}`,
  );
}
