// Repository of inline policies embedded in users, groups and roles, with the per-identity aggregate size quota.
import { and, asc, eq, gt, sql } from "drizzle-orm";
import { AwsError } from "../aws/errors";
import type { Db } from "./db";
import type { Principal } from "./attachments";
import { inlinePolicies, type PrincipalKind } from "./schema";

export type InlinePolicyRow = typeof inlinePolicies.$inferSelect;

/** Aggregate size of all inline policies of one identity, whitespace not counted. */
export const MAX_INLINE_SIZE: Record<PrincipalKind, number> = { user: 2048, group: 5120, role: 10240 };

/**
 * Creates or replaces an inline policy. The quota covers the identity's other inline policies plus this one; the
 * policy it replaces does not count. The sum and the write are one statement (an upsert guarded by the quota), so
 * concurrent puts cannot overshoot the quota together; no row changed means the quota refused it.
 */
export async function putInlinePolicy(
  db: Db,
  accountId: string,
  principal: Principal,
  name: string,
  document: string,
  size: number,
): Promise<void> {
  const limit = MAX_INLINE_SIZE[principal.kind];
  const result = await db.run(
    sql`insert into "inline_policies" ("account_id", "principal_kind", "principal_id", "name", "document", "size")
        select ${accountId}, ${principal.kind}, ${principal.id}, ${name}, ${document}, ${size}
        where (select coalesce(sum(p."size"), 0) from "inline_policies" p
               where p."principal_id" = ${principal.id} and p."name" <> ${name}) + ${size} <= ${limit}
        on conflict ("principal_id", "name") do update set "document" = excluded."document", "size" = excluded."size"`,
  );
  if (result.meta.changes === 0) {
    throw new AwsError(
      "LimitExceeded",
      `Maximum policy size of ${limit} bytes exceeded for ${principal.kind} ${principal.name}`,
    );
  }
}

export async function findInlinePolicy(
  db: Db,
  principalId: string,
  name: string,
): Promise<InlinePolicyRow | undefined> {
  return db.query.inlinePolicies.findFirst({
    where: and(eq(inlinePolicies.principalId, principalId), eq(inlinePolicies.name, name)),
  });
}

export async function deleteInlinePolicy(db: Db, principalId: string, name: string): Promise<boolean> {
  const removed = await db
    .delete(inlinePolicies)
    .where(and(eq(inlinePolicies.principalId, principalId), eq(inlinePolicies.name, name)))
    .returning({ name: inlinePolicies.name });
  return removed.length > 0;
}

export function listInlinePolicyNames(db: Db, principalId: string, after: string | undefined, limit: number) {
  return db
    .select({ name: inlinePolicies.name })
    .from(inlinePolicies)
    .where(
      and(
        eq(inlinePolicies.principalId, principalId),
        after !== undefined ? gt(inlinePolicies.name, after) : undefined,
      ),
    )
    .orderBy(asc(inlinePolicies.name))
    .limit(limit);
}
