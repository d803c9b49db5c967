// Repository of server certificates: quota-checked uploads (20 per account), lookups by name, pages, renames, deletes.
import { and, asc, eq, gt } from "drizzle-orm";
import { AwsError } from "../aws/errors";
import { nameKey, pathHasPrefix } from "../iam/names";
import { isUniqueViolation, type Db } from "./db";
import { countBelow, insertWhere } from "./guarded-insert";
import { serverCertificates, tags } from "./schema";
import { upsertTagStatements, type Tag } from "./tags";

export type ServerCertificateRow = typeof serverCertificates.$inferSelect;

export const MAX_SERVER_CERTIFICATES = 20;

const exists = (name: string) =>
  new AwsError("EntityAlreadyExists", `The Server Certificate with name ${name} already exists.`);

export async function requireServerCertificate(db: Db, accountId: string, name: string): Promise<ServerCertificateRow> {
  const [row] = await db
    .select()
    .from(serverCertificates)
    .where(and(eq(serverCertificates.accountId, accountId), eq(serverCertificates.nameKey, nameKey(name))))
    .limit(1);
  if (!row) throw new AwsError("NoSuchEntity", `The Server Certificate with name ${name} cannot be found.`);
  return row;
}

/** The count and the insert are one statement, so parallel uploads stop at the quota; a taken name loses on the index. */
export async function insertServerCertificate(db: Db, row: ServerCertificateRow, tagList: Tag[]): Promise<void> {
  const insert = insertWhere(
    db,
    serverCertificates,
    row,
    countBelow(serverCertificates, serverCertificates.accountId, row.accountId, MAX_SERVER_CERTIFICATES),
  ).returning({ id: serverCertificates.id });
  let inserted: { id: string }[];
  try {
    [inserted] = await db.batch([
      insert,
      ...upsertTagStatements(db, row.accountId, "server-certificate", row.id, tagList),
    ]);
  } catch (err) {
    if (isUniqueViolation(err)) throw exists(row.name);
    throw err;
  }
  if (inserted.length === 0) {
    throw new AwsError(
      "LimitExceeded",
      `Cannot exceed quota for ServerCertificatesPerAccount: ${MAX_SERVER_CERTIFICATES}`,
    );
  }
}

export const listServerCertificatesPage = (
  db: Db,
  accountId: string,
  prefix: string | undefined,
  after: string | undefined,
  limit: number,
) =>
  db
    .select()
    .from(serverCertificates)
    .where(
      and(
        eq(serverCertificates.accountId, accountId),
        pathHasPrefix(serverCertificates.path, prefix),
        after ? gt(serverCertificates.nameKey, after) : undefined,
      ),
    )
    .orderBy(asc(serverCertificates.nameKey))
    .limit(limit);

/** Renames and/or moves a certificate; its ARN follows. A name taken by another certificate loses on the index. */
export async function renameServerCertificate(
  db: Db,
  row: ServerCertificateRow,
  to: { name: string; path: string; arn: string },
): Promise<void> {
  try {
    await db
      .update(serverCertificates)
      .set({ name: to.name, nameKey: nameKey(to.name), path: to.path, arn: to.arn })
      .where(eq(serverCertificates.id, row.id));
  } catch (err) {
    if (isUniqueViolation(err)) throw exists(to.name);
    throw err;
  }
}

export async function deleteServerCertificate(db: Db, row: ServerCertificateRow): Promise<void> {
  await db.batch([
    db.delete(serverCertificates).where(eq(serverCertificates.id, row.id)),
    db.delete(tags).where(eq(tags.resourceId, row.id)),
  ]);
}
