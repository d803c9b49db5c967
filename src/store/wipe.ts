// Wipes every stored row and KV entry: the development reset behind ALLOW_RESET, for test suites only.
import { sql } from "drizzle-orm";
import type { Db } from "./db";

/**
 * The application's tables as SQLite lists them, so a table added by a later migration is wiped too. D1's own
 * bookkeeping (migrations, `_cf_*`) and SQLite's are kept.
 */
async function applicationTables(db: Db): Promise<string[]> {
  const rows = await db.all<{ name: string }>(sql`SELECT name FROM sqlite_master WHERE type = 'table'`);
  return rows
    .map((r) => r.name)
    .filter((n) => !n.startsWith("sqlite_") && !n.startsWith("_cf_") && n !== "d1_migrations");
}

/**
 * Deletes every row of every application table in one transaction (foreign keys checked at its end, so the order
 * of the deletes does not matter), then every KV entry (sessions, links, uploads).
 */
export async function wipeAllState(db: Db, kv: KVNamespace): Promise<void> {
  const tables = await applicationTables(db);
  const deletes = tables.map((t) => db.run(sql.raw(`DELETE FROM "${t.replace(/"/g, '""')}"`)));
  await db.batch([db.run(sql`PRAGMA defer_foreign_keys = ON`), ...deletes]);
  let cursor: string | undefined;
  do {
    const page = await kv.list({ cursor });
    await Promise.all(page.keys.map((k) => kv.delete(k.name)));
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
}
