// Tags of IAM resources (users, roles, policies, profiles, providers, MFA devices): keys unique case-insensitively, at most 50.
import { and, eq, inArray, notInArray, sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { AwsError, concurrentModification } from "../aws/errors";
import type { Db } from "./db";
import { insertWhere, rowExists, rowRead } from "./guarded-insert";
import {
  instanceProfiles,
  mfaDevices,
  oidcProviders,
  policies,
  roles,
  samlProviders,
  serverCertificates,
  tags,
  users,
  type TaggableKind,
} from "./schema";

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

/**
 * SQLite's rowid of a tag row: rising with each insert and kept when a tag's value is overwritten in place, so it
 * orders a resource's tags as they were added.
 */
export const tagInsertionOrder = sql`${tags}.rowid`;

/**
 * A resource's tags in the order they were added, as Get* answers carry them; List*Tags sorts them by key
 * (`pageOfTags`), as AWS documents for those calls.
 */
export function listTags(db: Db, resourceId: string) {
  return db
    .select({ Key: tags.key, Value: tags.value })
    .from(tags)
    .where(eq(tags.resourceId, resourceId))
    .orderBy(tagInsertionOrder);
}

const TAGGED_TABLE = {
  user: users,
  role: roles,
  policy: policies,
  "instance-profile": instanceProfiles,
  "oidc-provider": oidcProviders,
  "saml-provider": samlProviders,
  mfa: mfaDevices,
  "server-certificate": serverCertificates,
} as const;

/** One tag as a row of the tags table. */
const tagRow = (accountId: string, kind: TaggableKind, resourceId: string, t: Tag) => ({
  accountId,
  resourceKind: kind,
  resourceId,
  key: t.Key,
  keyLower: t.Key.toLowerCase(),
  value: t.Value,
});

/** Upserts of the given tags, each written only while `condition` holds; a key already present is overwritten. */
function guardedUpserts(
  db: Db,
  accountId: string,
  kind: TaggableKind,
  resourceId: string,
  list: Tag[],
  condition: SQL,
) {
  return list.map((t) =>
    insertWhere(db, tags, tagRow(accountId, kind, resourceId, t), condition)
      .onConflictDoUpdate({ target: [tags.resourceId, tags.keyLower], set: { key: t.Key, value: t.Value } })
      .returning({ key: tags.keyLower }),
  );
}

/**
 * Statements that insert or overwrite tags; callers put them in the same batch as the entity write. Each is
 * conditional on the resource's row, so the tags of a create the quota refused do not go in without it.
 */
export function upsertTagStatements(
  db: Db,
  accountId: string,
  kind: TaggableKind,
  resourceId: string,
  list: Tag[],
): BatchItem<"sqlite">[] {
  const table = TAGGED_TABLE[kind];
  return guardedUpserts(db, accountId, kind, resourceId, list, rowExists(table, table.id, resourceId));
}

/**
 * Adds tags to an existing resource, enforcing the 50-tag quota over old and new keys together. Every upsert carries
 * the same condition: the resource still exists, and the keys outside this request plus the request's keys fit the
 * quota. The batch is one transaction and the request's own writes change neither, so the condition has one value
 * for the whole batch: all the tags go in or none do, concurrent requests cannot together pass the quota, and no tag
 * is left on a resource a concurrent delete removed. The read after them tells those refusals apart: `missing` is
 * the error for a resource that is gone (the caller's NoSuchEntity; ConcurrentModification when not given).
 */
export async function tagResource(
  db: Db,
  accountId: string,
  kind: TaggableKind,
  resourceId: string,
  list: Tag[],
  missing: () => AwsError = concurrentModification,
) {
  assertDistinctKeys(list.map((t) => t.Key));
  const lower = list.map((t) => t.Key.toLowerCase());
  const table = TAGGED_TABLE[kind];
  const fits = sql`(select count(*) from ${tags} where ${tags.resourceId} = ${resourceId}
    and ${notInArray(tags.keyLower, lower)}) + ${list.length} <= ${MAX_TAGS} and ${rowExists(table, table.id, resourceId)}`;
  const [first, ...rest] = guardedUpserts(db, accountId, kind, resourceId, list, fits);
  if (!first) return;
  const results = await db.batch([first, ...rest, rowRead(db, table, table.id, resourceId)]);
  if ((results[0] as unknown[]).length > 0) return;
  if ((results[results.length - 1] as unknown[]).length === 0) throw missing();
  throw new AwsError("LimitExceeded", `The number of tags has reached the maximum limit of ${MAX_TAGS}.`);
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
