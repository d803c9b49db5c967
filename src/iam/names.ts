// Name rules shared by IAM entities: case-insensitive uniqueness keys and the path prefix filter.
import { sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";

/** IAM names are unique case-insensitively; this is the key stored for uniqueness and ordering. */
export function nameKey(name: string): string {
  return name.toLowerCase();
}

/** PathPrefix compares literally; substr avoids LIKE's wildcard characters in user-supplied paths. */
export function pathHasPrefix(column: SQLiteColumn, prefix: string | undefined): SQL | undefined {
  if (prefix === undefined || prefix === "/") return undefined;
  return sql`substr(${column}, 1, ${prefix.length}) = ${prefix}`;
}
