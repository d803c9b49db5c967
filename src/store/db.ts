// The Drizzle handle over D1 that every repository takes; created per request, never held in module scope.
import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Db = DrizzleD1Database<typeof schema>;

export function openDb(d1: D1Database): Db {
  return drizzle(d1, { schema });
}

/** The text of a D1 failure: Drizzle wraps D1's error (the one with SQLite's words) as the cause of its own. */
function failureText(err: unknown): string {
  return err instanceof Error ? `${err.message} ${String((err as { cause?: unknown }).cause ?? "")}` : String(err);
}

/**
 * SQLite reports a violated foreign key this way: a row was written for a parent row (a user, group, role...) that a
 * concurrent request deleted between the write's read and the write itself.
 */
export function isForeignKeyViolation(err: unknown): boolean {
  return /FOREIGN KEY constraint failed|SQLITE_CONSTRAINT_FOREIGNKEY/i.test(failureText(err));
}

/**
 * SQLite reports a violated unique or primary key this way; creates map it to EntityAlreadyExists. A foreign key
 * failure carries SQLITE_CONSTRAINT too, but is no duplicate: it is left to `isForeignKeyViolation`.
 */
export function isUniqueViolation(err: unknown): boolean {
  if (isForeignKeyViolation(err)) return false;
  return /UNIQUE constraint failed|PRIMARY KEY constraint failed|SQLITE_CONSTRAINT/i.test(failureText(err));
}
