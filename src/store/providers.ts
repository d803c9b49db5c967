// Repository of identity providers (OIDC and SAML): quota-checked creates, lookups by ARN, updates and deletes.
import { and, asc, eq, notExists } from "drizzle-orm";
import { AwsError } from "../aws/errors";
import { isUniqueViolation, type Db } from "./db";
import { countBelow, insertWhere } from "./guarded-insert";
import { oidcProviders, samlProviders, tags } from "./schema";
import { upsertTagStatements, type Tag } from "./tags";

export type OidcProviderRow = typeof oidcProviders.$inferSelect;
export type SamlProviderRow = typeof samlProviders.$inferSelect;

/** AWS's default quotas: 100 OIDC and 100 SAML providers per account. */
export const MAX_OIDC_PROVIDERS = 100;
export const MAX_SAML_PROVIDERS = 100;

type ProviderTable = typeof oidcProviders | typeof samlProviders;

interface ProviderKind<T extends ProviderTable> {
  table: T;
  tagKind: "oidc-provider" | "saml-provider";
  quotaName: string;
  quota: number;
  /** AWS's wording of a duplicate. */
  exists: (row: T["$inferInsert"]) => string;
}

export const OIDC: ProviderKind<typeof oidcProviders> = {
  table: oidcProviders,
  tagKind: "oidc-provider",
  quotaName: "OpenIdConnectProvidersPerAccount",
  quota: MAX_OIDC_PROVIDERS,
  exists: (row) => `Provider with url https://${row.url} already exists.`,
};

export const SAML: ProviderKind<typeof samlProviders> = {
  table: samlProviders,
  tagKind: "saml-provider",
  quotaName: "SAMLProvidersPerAccount",
  quota: MAX_SAML_PROVIDERS,
  exists: (row) => `SAMLProvider ${row.name} already exists.`,
};

/** The two tables share the columns used here; queries are written against one and typed back from the kind. */
const asOidc = (t: ProviderTable) => t as typeof oidcProviders;

/** Inserts a provider and its tags within the account quota; the unique ARN index makes a racing duplicate lose. */
export async function insertProvider<T extends ProviderTable>(
  db: Db,
  kind: ProviderKind<T>,
  row: T["$inferInsert"],
  tagList: Tag[],
): Promise<void> {
  const t = asOidc(kind.table);
  const insert = insertWhere(
    db,
    t,
    row as typeof oidcProviders.$inferInsert,
    countBelow(t, t.accountId, row.accountId, kind.quota),
  ).returning({ id: t.id });
  let inserted: { id: string }[];
  try {
    [inserted] = await db.batch([insert, ...upsertTagStatements(db, row.accountId, kind.tagKind, row.id, tagList)]);
  } catch (err) {
    if (isUniqueViolation(err)) throw new AwsError("EntityAlreadyExists", kind.exists(row));
    throw err;
  }
  if (inserted.length === 0) {
    throw new AwsError("LimitExceeded", `Cannot exceed quota for ${kind.quotaName}: ${kind.quota}`);
  }
}

export const providerQuery = <T extends ProviderTable>(db: Db, kind: ProviderKind<T>, accountId: string, arn: string) =>
  db
    .select()
    .from(asOidc(kind.table))
    .where(and(eq(asOidc(kind.table).accountId, accountId), eq(asOidc(kind.table).arn, arn)))
    .limit(1);

export async function findProvider<T extends ProviderTable>(
  db: Db,
  kind: ProviderKind<T>,
  accountId: string,
  arn: string,
): Promise<T["$inferSelect"] | undefined> {
  const [row] = await providerQuery(db, kind, accountId, arn);
  return row as T["$inferSelect"] | undefined;
}

export async function listProviders<T extends ProviderTable>(
  db: Db,
  kind: ProviderKind<T>,
  accountId: string,
): Promise<T["$inferSelect"][]> {
  const t = asOidc(kind.table);
  return (await db.select().from(t).where(eq(t.accountId, accountId)).orderBy(asc(t.arn))) as T["$inferSelect"][];
}

/**
 * Changes an OIDC provider's lists only if they are still what the caller read, so two concurrent edits cannot
 * silently drop each other's change; returns false when someone else wrote first (the caller reads and retries).
 */
export async function updateOidcLists(
  db: Db,
  before: OidcProviderRow,
  changes: { clientIds?: string; thumbprints?: string },
): Promise<boolean> {
  const written = await db
    .update(oidcProviders)
    .set(changes)
    .where(
      and(
        eq(oidcProviders.id, before.id),
        eq(oidcProviders.clientIds, before.clientIds),
        eq(oidcProviders.thumbprints, before.thumbprints),
      ),
    )
    .returning({ id: oidcProviders.id });
  return written.length > 0;
}

export async function updateSamlMetadata(
  db: Db,
  row: SamlProviderRow,
  changes: Pick<SamlProviderRow, "metadata" | "entityId" | "validUntil">,
) {
  await db.update(samlProviders).set(changes).where(eq(samlProviders.id, row.id));
}

/** Deletes a provider and then its tags (only once the row is gone). */
export async function deleteProvider<T extends ProviderTable>(db: Db, kind: ProviderKind<T>, id: string) {
  const t = asOidc(kind.table);
  await db.batch([
    db.delete(t).where(eq(t.id, id)),
    db.delete(tags).where(and(eq(tags.resourceId, id), notExists(db.select({ id: t.id }).from(t).where(eq(t.id, id))))),
  ]);
}
