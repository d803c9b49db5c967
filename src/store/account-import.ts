// Repository side of an account import: one read batch (is the account empty, whose ids are taken) and one write batch.
import { getTableColumns, getTableName, is } from "drizzle-orm";
import { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "./db";
import * as schema from "./schema";
import {
  accounts,
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

/** Every row an import writes, already validated; each list is inserted as it is. */
export interface ImportRows {
  accountId: string;
  users: (typeof users.$inferInsert)[];
  groups: (typeof groups.$inferInsert)[];
  members: (typeof groupMembers.$inferInsert)[];
  roles: (typeof roles.$inferInsert)[];
  policies: (typeof policies.$inferInsert)[];
  versions: (typeof policyVersions.$inferInsert)[];
  inline: (typeof inlinePolicies.$inferInsert)[];
  attachments: (typeof attachments.$inferInsert)[];
  tags: (typeof tags.$inferInsert)[];
  instanceProfiles: (typeof instanceProfiles.$inferInsert)[];
  profileRoles: (typeof instanceProfileRoles.$inferInsert)[];
}

/**
 * Every IAM table scoped by account (derived from the schema, so families added later are covered): what "the
 * account's IAM rows" means for the emptiness check and for replace. The alias and the password policy are settings
 * of the account, not part of a snapshot, and Organizations' tables belong to the organization.
 */
const ACCOUNT_TABLES: SQLiteTable[] = (Object.values(schema) as unknown[]).filter(
  (t): t is SQLiteTable =>
    is(t, SQLiteTable) &&
    "accountId" in getTableColumns(t) &&
    !getTableName(t).startsWith("org_") &&
    t !== schema.accountAliases,
);

/** The ids of each kind the snapshot brings, checked against every account in the simulator. */
export interface IdsToCheck {
  users: string[];
  groups: string[];
  roles: string[];
  policies: string[];
  instanceProfiles: string[];
}

/** Import statements are written as SQL over D1 directly: Drizzle cannot batch raw statements that bind values. */
function d1(db: Db): D1Database {
  // drizzle() keeps its client as $client (the round-trip-counting binding), though the Db type does not declare it.
  return (db as Db & { $client: D1Database }).$client;
}

const name = (t: SQLiteTable) => `"${getTableName(t)}"`;

/**
 * One round trip: what the target account holds now, and which of the snapshot's ids another account already uses
 * (ids are primary keys across accounts). The id lists travel as one JSON parameter each, read back with json_each,
 * so the statement stays within D1's 100 bound parameters however many ids there are.
 */
export async function readImportTarget(db: Db, accountId: string, ids: IdsToCheck) {
  const client = d1(db);
  const counts = ACCOUNT_TABLES.map(
    (t) => `(select count(*) from ${name(t)} where account_id = ?1) as "${getTableName(t)}"`,
  );
  const taken = (t: SQLiteTable, param: number) =>
    `select id, account_id as accountId from ${name(t)}
     where id in (select value from json_each(?${param})) and account_id <> ?1`;
  const [held, collisions] = await client.batch([
    client.prepare(`select ${counts.join(", ")}`).bind(accountId),
    client
      .prepare(
        `${taken(users, 2)} union all ${taken(groups, 3)} union all ${taken(roles, 4)}
         union all ${taken(policies, 5)} union all ${taken(instanceProfiles, 6)}`,
      )
      .bind(
        accountId,
        JSON.stringify(ids.users),
        JSON.stringify(ids.groups),
        JSON.stringify(ids.roles),
        JSON.stringify(ids.policies),
        JSON.stringify(ids.instanceProfiles),
      ),
  ]);
  const row = ((held?.results ?? [])[0] ?? {}) as Record<string, number>;
  const clashes = (collisions?.results ?? []) as { id: string; accountId: string }[];
  return {
    /** Rows per table name, only the tables that have some. */
    contents: Object.fromEntries(Object.entries(row).filter(([, n]) => n > 0)),
    taken: new Map(clashes.map((r) => [r.id, r.accountId])),
  };
}

/**
 * A JSON parameter stays well under D1's 2,000,000-byte limit on a string even if every character took three bytes
 * in UTF-8; a statement's text stays tiny because the rows are data, not SQL.
 */
const MAX_CHUNK_CHARS = 600_000;

/** Multi-row INSERTs as `INSERT ... SELECT value->>0, value->>1 ... FROM json_each(?)`, one per chunk of rows. */
function jsonInserts<T extends SQLiteTable>(client: D1Database, table: T, rows: T["$inferInsert"][]) {
  const columns = Object.entries(getTableColumns(table));
  const names = columns.map(([, c]) => `"${c.name}"`).join(", ");
  const values = columns.map((_, i) => `value->>${i}`).join(", ");
  const text = `insert into ${name(table)} (${names}) select ${values} from json_each(?1)`;
  const out: D1PreparedStatement[] = [];
  let chunk: string[] = [];
  let size = 0;
  const flush = () => {
    out.push(client.prepare(text).bind(`[${chunk.join(",")}]`));
    chunk = [];
    size = 0;
  };
  for (const row of rows) {
    const record = row as Record<string, unknown>;
    const json = JSON.stringify(columns.map(([key]) => record[key] ?? null));
    if (size + json.length > MAX_CHUNK_CHARS && chunk.length > 0) flush();
    chunk.push(json);
    size += json.length + 1;
  }
  if (chunk.length > 0) flush();
  return out;
}

/**
 * Deletes of every IAM row of the account. Foreign keys are checked at commit (defer_foreign_keys lasts for the
 * transaction), so the order of the generic table list does not matter; versions hang off policies by policy id.
 */
function wipeStatements(client: D1Database, accountId: string) {
  return [
    client.prepare("pragma defer_foreign_keys = on"),
    client
      .prepare(
        `delete from ${name(policyVersions)} where policy_id in (select id from ${name(policies)} where account_id = ?1)`,
      )
      .bind(accountId),
    ...ACCOUNT_TABLES.map((t) => client.prepare(`delete from ${name(t)} where account_id = ?1`).bind(accountId)),
  ];
}

/** The message the guard fails with when another import filled the account after it was read. */
export const NOT_EMPTY_GUARD = "account-import: target account is not empty";

/**
 * In a batch, a statement that fails (json() of text that is not JSON) when the account holds IAM entities, so a
 * concurrent import or create between the read and the write aborts the whole batch rather than merging into it.
 */
function emptyGuard(client: D1Database, accountId: string) {
  const any = ACCOUNT_TABLES.map((t) => `exists (select 1 from ${name(t)} where account_id = ?1)`);
  return client
    .prepare(`select json(case when ${any.join(" or ")} then ?2 else '{}' end)`)
    .bind(accountId, NOT_EMPTY_GUARD);
}

/**
 * Writes the whole snapshot in ONE D1 batch, which D1 runs as one transaction: the wipe (replace) or the emptiness
 * guard, then every insert. Any failure rolls all of it back, so the account holds the whole snapshot or what it held
 * before. Rows go in parents first: entities, then memberships, versions, inline policies, attachments and tags.
 * Returns how many statements the batch carried.
 */
export async function writeImport(db: Db, rows: ImportRows, replace: boolean, now: number): Promise<number> {
  const client = d1(db);
  const { accountId } = rows;
  const statements = [
    ...(replace ? wipeStatements(client, accountId) : [emptyGuard(client, accountId)]),
    client
      .prepare(`insert into ${name(accounts)} (id, created_at) values (?1, ?2) on conflict do nothing`)
      .bind(accountId, now),
    ...jsonInserts(client, users, rows.users),
    ...jsonInserts(client, groups, rows.groups),
    ...jsonInserts(client, roles, rows.roles),
    ...jsonInserts(client, policies, rows.policies),
    ...jsonInserts(client, groupMembers, rows.members),
    ...jsonInserts(client, policyVersions, rows.versions),
    ...jsonInserts(client, inlinePolicies, rows.inline),
    ...jsonInserts(client, attachments, rows.attachments),
    ...jsonInserts(client, tags, rows.tags),
    ...jsonInserts(client, instanceProfiles, rows.instanceProfiles),
    ...jsonInserts(client, instanceProfileRoles, rows.profileRoles),
  ];
  await client.batch(statements);
  return statements.length;
}
