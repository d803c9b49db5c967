// Repository of inline policies embedded in users, groups and roles, with the per-identity aggregate size quota.
import { and, asc, eq, gt, sql } from "drizzle-orm";
import { AwsError } from "../aws/errors";
import type { Db } from "./db";
import { identityTable, noSuchIdentity, type Principal } from "./attachments";
import { insertWhere, rowExists, rowRead } from "./guarded-insert";
import { inlinePolicies, type PrincipalKind } from "./schema";

export type InlinePolicyRow = typeof inlinePolicies.$inferSelect;

/** Aggregate size of all inline policies of one identity, whitespace not counted. */
export const MAX_INLINE_SIZE: Record<PrincipalKind, number> = { user: 2048, group: 5120, role: 10240 };

/**
 * Creates or replaces an inline policy. The quota covers the identity's other inline policies plus this one; the
 * policy it replaces does not count. The sum, the check that the identity still exists and the write are one
 * statement (an upsert guarded by both), so concurrent puts cannot overshoot the quota together and no policy is
 * left embedded in an identity a concurrent delete removed (there is no foreign key to stop it); the read after it
 * tells the two refusals apart.
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
  const owner = identityTable(principal.kind);
  const fits = sql`(select coalesce(sum(p."size"), 0) from ${inlinePolicies} p
    where p."principal_id" = ${principal.id} and p."name" <> ${name}) + ${size} <= ${limit}`;
  const row = { accountId, principalKind: principal.kind, principalId: principal.id, name, document, size };
  const [written, still] = await db.batch([
    insertWhere(db, inlinePolicies, row, sql`${fits} and ${rowExists(owner, owner.id, principal.id)}`)
      .onConflictDoUpdate({ target: [inlinePolicies.principalId, inlinePolicies.name], set: { document, size } })
      .returning({ name: inlinePolicies.name }),
    rowRead(db, owner, owner.id, principal.id),
  ]);
  if (written.length > 0) return;
  if (still.length === 0) throw noSuchIdentity(principal.kind, principal.name);
  throw new AwsError(
    "LimitExceeded",
    `Maximum policy size of ${limit} bytes exceeded for ${principal.kind} ${principal.name}`,
  );
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
