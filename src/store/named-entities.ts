// Queries shared by the named IAM entities (users, groups, roles): case-insensitive lookup, path pages, quota inserts.
import { and, asc, eq, gt, inArray, sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { AwsError } from "../aws/errors";
import { nameKey, pathHasPrefix } from "../iam/names";
import { isUniqueViolation, type Db } from "./db";
import { countBelow, insertWhere } from "./guarded-insert";
import { tagInsertionOrder } from "./tags";
import { groups, roles, tags, users } from "./schema";

type NamedTable = typeof users | typeof groups | typeof roles;

/** How one kind of entity is named in AWS's messages and capped by its account quota. */
export interface EntityKind<T extends NamedTable> {
  table: T;
  /** "user", "group" or "role", as AWS's messages spell it. */
  label: string;
  quotaName: string;
  quota: number;
}

/*
 * The three tables share the columns used here; Drizzle's types cannot express "any of these tables" in a query,
 * so the queries are written against one of them and the row type is restored from the kind.
 */
const columnsOf = (t: NamedTable) => t as typeof users;

/** The query for one entity by name, unexecuted, so it can ride in another batch (an operation's preload). */
export function namedQuery<T extends NamedTable>(db: Db, kind: EntityKind<T>, accountId: string, name: string) {
  const t = columnsOf(kind.table);
  return db
    .select()
    .from(t)
    .where(and(eq(t.accountId, accountId), eq(t.nameKey, nameKey(name))))
    .limit(1);
}

/** The tags of an entity named by name, as one unexecuted query (a subquery finds its id). */
export function namedTagsQuery<T extends NamedTable>(db: Db, kind: EntityKind<T>, accountId: string, name: string) {
  const t = columnsOf(kind.table);
  const id = db
    .select({ id: t.id })
    .from(t)
    .where(and(eq(t.accountId, accountId), eq(t.nameKey, nameKey(name))));
  return db
    .select({ Key: tags.key, Value: tags.value })
    .from(tags)
    .where(inArray(tags.resourceId, id))
    .orderBy(tagInsertionOrder);
}

export async function findNamed<T extends NamedTable>(
  db: Db,
  kind: EntityKind<T>,
  accountId: string,
  name: string,
): Promise<T["$inferSelect"] | undefined> {
  const [row] = await namedQuery(db, kind, accountId, name);
  return row as T["$inferSelect"] | undefined;
}

/** The entity from rows already fetched (a preload), or NoSuchEntity worded as AWS words it. */
export function requireFetched<T extends NamedTable>(
  kind: EntityKind<T>,
  name: string,
  rows: unknown[],
): T["$inferSelect"] {
  const row = rows[0] as T["$inferSelect"] | undefined;
  if (!row) throw new AwsError("NoSuchEntity", `The ${kind.label} with name ${name} cannot be found.`);
  return row;
}

/** The entity or NoSuchEntity, worded as AWS words it. */
export async function requireNamed<T extends NamedTable>(
  db: Db,
  kind: EntityKind<T>,
  accountId: string,
  name: string,
): Promise<T["$inferSelect"]> {
  const row = await findNamed(db, kind, accountId, name);
  if (!row) throw new AwsError("NoSuchEntity", `The ${kind.label} with name ${name} cannot be found.`);
  return row;
}

/** One page of an account's entities under a path prefix, in name order (LIMIT is the page size plus one). */
export function listNamedPageQuery<T extends NamedTable>(
  db: Db,
  kind: EntityKind<T>,
  accountId: string,
  prefix: string | undefined,
  after: string | undefined,
  limit: number,
) {
  const t = columnsOf(kind.table);
  return db
    .select()
    .from(t)
    .where(and(eq(t.accountId, accountId), pathHasPrefix(t.path, prefix), after ? gt(t.nameKey, after) : undefined))
    .orderBy(asc(t.nameKey))
    .limit(limit);
}

export async function listNamedPage<T extends NamedTable>(
  db: Db,
  kind: EntityKind<T>,
  accountId: string,
  prefix: string | undefined,
  after: string | undefined,
  limit: number,
): Promise<T["$inferSelect"][]> {
  return (await listNamedPageQuery(db, kind, accountId, prefix, after, limit)) as T["$inferSelect"][];
}

/**
 * A row a new entity needs besides its quota (a customer managed policy named as its permissions boundary): checked in
 * the insert itself, so a concurrent delete of that row is never written past, and read after it to tell that refusal
 * from a full quota.
 */
export interface InsertRequirement {
  /** Holds while the row exists (a condition of the insert). */
  condition: SQL;
  /** One row while the row exists, none once it is gone. */
  read: BatchItem<"sqlite">;
  /** The refusal when it is gone. */
  missing: () => AwsError;
}

/**
 * Inserts an entity (and whatever belongs with it, e.g. tags) within the account quota. The count and the insert are
 * one statement, so concurrent creates cannot overshoot the quota; whatever comes alongside must be conditional on
 * the entity's row existing, since a refused insert leaves the rest of the batch to run. The unique name index
 * turns a concurrent duplicate into EntityAlreadyExists.
 */
export async function insertNamed<T extends NamedTable>(
  db: Db,
  kind: EntityKind<T>,
  row: T["$inferInsert"],
  alongside: BatchItem<"sqlite">[] = [],
  requires?: InsertRequirement,
): Promise<void> {
  const t = columnsOf(kind.table);
  const quota = countBelow(t, t.accountId, row.accountId, kind.quota);
  const condition = requires ? sql`${quota} and ${requires.condition}` : quota;
  const insert = insertWhere(db, t, row as typeof users.$inferInsert, condition).returning({ id: t.id });
  let inserted: { id: string }[];
  let required: unknown[] | undefined;
  try {
    const results: unknown[] = await db.batch([insert, ...alongside, ...(requires ? [requires.read] : [])]);
    inserted = results[0] as { id: string }[];
    if (requires) required = results[results.length - 1] as unknown[];
  } catch (err) {
    if (isUniqueViolation(err)) {
      const label = kind.label.charAt(0).toUpperCase() + kind.label.slice(1);
      throw new AwsError("EntityAlreadyExists", `${label} with name ${row.name} already exists.`);
    }
    throw err;
  }
  if (inserted.length === 0) {
    if (requires && required?.length === 0) throw requires.missing();
    throw new AwsError("LimitExceeded", `Cannot exceed quota for ${kind.quotaName}: ${kind.quota}`);
  }
}
