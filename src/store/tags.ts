// Tags of users, roles and policies: one table, keys unique case-insensitively per resource, at most 50.
import { and, asc, eq, inArray } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { AwsError } from "../aws/errors";
import type { Db } from "./db";
import { tags, type TaggableKind } from "./schema";

export interface Tag {
  Key: string;
  Value: string;
}

export const MAX_TAGS = 50;

/** Rejects a request that names one key twice (AWS compares tag keys case-insensitively). */
export function assertDistinctKeys(keys: string[]): void {
  const seen = new Set<string>();
  for (const k of keys) {
    const lower = k.toLowerCase();
    if (seen.has(lower)) {
      throw new AwsError("InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.");
    }
    seen.add(lower);
  }
}

export function listTags(db: Db, resourceId: string) {
  return db
    .select({ Key: tags.key, Value: tags.value })
    .from(tags)
    .where(eq(tags.resourceId, resourceId))
    .orderBy(asc(tags.keyLower));
}

/** Statements that insert or overwrite tags; callers put them in the same batch as the entity write. */
export function upsertTagStatements(
  db: Db,
  accountId: string,
  kind: TaggableKind,
  resourceId: string,
  list: Tag[],
): BatchItem<"sqlite">[] {
  return list.map((t) =>
    db
      .insert(tags)
      .values({
        accountId,
        resourceKind: kind,
        resourceId,
        key: t.Key,
        keyLower: t.Key.toLowerCase(),
        value: t.Value,
      })
      .onConflictDoUpdate({ target: [tags.resourceId, tags.keyLower], set: { key: t.Key, value: t.Value } }),
  );
}

/** Adds tags to an existing resource, enforcing the 50-tag quota over old and new keys together. */
export async function tagResource(db: Db, accountId: string, kind: TaggableKind, resourceId: string, list: Tag[]) {
  assertDistinctKeys(list.map((t) => t.Key));
  const existing = await db.select({ keyLower: tags.keyLower }).from(tags).where(eq(tags.resourceId, resourceId));
  const keys = new Set(existing.map((r) => r.keyLower));
  for (const t of list) keys.add(t.Key.toLowerCase());
  if (keys.size > MAX_TAGS) {
    throw new AwsError("LimitExceeded", `The number of tags has reached the maximum limit of ${MAX_TAGS}.`);
  }
  const [first, ...rest] = upsertTagStatements(db, accountId, kind, resourceId, list);
  if (first) await db.batch([first, ...rest]);
}

export async function untagResource(db: Db, resourceId: string, keys: string[]) {
  if (keys.length === 0) return;
  await db.delete(tags).where(
    and(
      eq(tags.resourceId, resourceId),
      inArray(
        tags.keyLower,
        keys.map((k) => k.toLowerCase()),
      ),
    ),
  );
}

export function deleteTagsStatement(db: Db, resourceId: string) {
  return db.delete(tags).where(eq(tags.resourceId, resourceId));
}
