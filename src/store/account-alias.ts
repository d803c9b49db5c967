// The account's alias as an unexecuted query, so an operation can read it in its authorization batch (a preload).
import { eq } from "drizzle-orm";
import type { Db } from "./db";
import { accountAliases } from "./schema";

/** The account's one alias (AWS allows at most one), or no row. */
export function accountAliasQuery(db: Db, accountId: string) {
  return db
    .select({ alias: accountAliases.alias })
    .from(accountAliases)
    .where(eq(accountAliases.accountId, accountId))
    .limit(1);
}

/** The alias from the rows of accountAliasQuery, or undefined when the account has none. */
export function aliasFrom(rows: unknown): string | undefined {
  return (rows as { alias: string }[] | undefined)?.[0]?.alias;
}
