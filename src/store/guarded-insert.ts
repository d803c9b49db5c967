// Conditional inserts: a quota's check and the write are one statement, so concurrent requests cannot overshoot it.
import { eq, getTableColumns, is, sql, SQL, type AnyColumn } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "./db";
import { users } from "./schema";

/**
 * `select <the row's values>` in the column order Drizzle's insert ... select lists the columns in, filling omitted
 * columns with their schema defaults as a plain `values` insert would. (Drizzle would also leave generated columns
 * out of that list; the schema has none.)
 */
function rowAsSelect<T extends SQLiteTable>(table: T, row: T["$inferInsert"]): SQL {
  const values = Object.entries(getTableColumns(table)).map(([key, col]) => {
    const value = (row as Record<string, unknown>)[key];
    if (value !== undefined) return sql.param(value, col);
    if (col.default !== undefined) return is(col.default, SQL) ? col.default : sql.param(col.default, col);
    if (col.defaultFn !== undefined) {
      const made = col.defaultFn();
      return is(made, SQL) ? made : sql.param(made, col);
    }
    return sql`null`;
  });
  return sql`select ${sql.join(values, sql`, `)}`;
}

/**
 * Inserts the row only when `condition` holds at the moment of the write. SQLite runs one statement (and D1 one
 * batch) at a time, so no other write can slip between the condition and the insert. The caller learns whether
 * the row went in through `.returning()` or a read later in the same batch. The WHERE clause also keeps an
 * ON CONFLICT clause unambiguous after the SELECT, as SQLite requires.
 */
export function insertWhere<T extends SQLiteTable>(db: Db, table: T, row: T["$inferInsert"], condition: SQL) {
  return db.insert(table).select(sql`${rowAsSelect(table, row)} where ${condition}`);
}

/** True while fewer than `quota` rows of `table` have `column` equal to `value` (a column of an outer query too). */
export function countBelow(table: SQLiteTable, column: AnyColumn, value: string | AnyColumn, quota: number): SQL {
  return sql`(select count(*) from ${table} where ${column} = ${value}) < ${quota}`;
}

/** True when a row of `table` has `column` equal to `value`: dependents of a refused insert must not go in. */
export function rowExists(table: SQLiteTable, column: AnyColumn, value: string): SQL {
  return sql`exists (select 1 from ${table} where ${column} = ${value})`;
}

/**
 * Whether the row of `table` with `column` equal to `value` exists, as a read for the batch of a guarded write: placed
 * after the write, it sees what the guard saw, so a refusal can name the row a concurrent delete removed.
 */
export function rowRead(db: Db, table: SQLiteTable, column: AnyColumn, value: string) {
  return db
    .select({ found: sql<number>`1` })
    .from(table)
    .where(eq(column, value))
    .limit(1);
}

/**
 * Inserts a row that belongs to a user where `condition` (its quota) holds and the user still exists, in one
 * statement, with a read of the user after it in the same batch: "inserted", "no-user" (a concurrent DeleteUser
 * removed the user) or "refused" (the condition failed). A unique violation is thrown for the caller to name.
 */
export async function insertForUser<T extends SQLiteTable>(
  db: Db,
  table: T,
  row: T["$inferInsert"],
  userId: string,
  condition: SQL,
): Promise<"inserted" | "no-user" | "refused"> {
  const [inserted, owner] = await db.batch([
    insertWhere(db, table, row, sql`${condition} and ${rowExists(users, users.id, userId)}`).returning(),
    rowRead(db, users, users.id, userId),
  ]);
  if (inserted.length > 0) return "inserted";
  return owner.length === 0 ? "no-user" : "refused";
}
