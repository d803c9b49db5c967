// Server certificate operations: upload (key checked against the certificate, stored encrypted), read, list, rename, delete, tags.
import { z } from "zod";
import { encryptSecret } from "../aws/crypto";
import { uniqueId } from "../aws/ids";
import type { XmlValue } from "../aws/xml";
import { str } from "../api/validation";
import { entityArn, iamOperation, type EntityRef, type OperationContext } from "../core/operation";
import {
  deleteServerCertificate,
  insertServerCertificate,
  listServerCertificatesPage,
  renameServerCertificate,
  requireServerCertificate,
  type ServerCertificateRow,
} from "../store/server-certificates";
import { assertDistinctKeys, listTags, tagResource, untagResource, type Tag } from "../store/tags";
import { path, pathPrefix, paging, tagKeyList, tagList } from "./fields";
import { nameKey } from "./names";
import { decodeMarker, DEFAULT_MAX_ITEMS, toPage } from "./paging";
import { pageOfTags } from "./tagging";
import { assertKeyMatches, parseCertificate, parseCertificates } from "./x509";

const certificateName = str({ min: 1, max: 128, pattern: "[\\w+=,.@-]+" });
const pemText = "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+";
const certificateBody = str({ min: 1, max: 16384, pattern: pemText });
const privateKey = str({ min: 1, max: 16384, pattern: pemText });
const certificateChain = str({ min: 1, max: 2097152, pattern: pemText });

/**
 * The certificate as policies see it: the stored row gives its path, so `server-certificate/division/*` matches; a
 * rename or move also needs the permission on the new ARN, as AWS requires.
 */
const certificateRef = (ctx: OperationContext, name: string, renameTo?: EntityRef["renameTo"]): EntityRef => ({
  kind: "server-certificate",
  accountId: ctx.accountId,
  name,
  ...(renameTo ? { renameTo } : {}),
});

const metadata = (c: ServerCertificateRow): XmlValue => ({
  Path: c.path,
  ServerCertificateName: c.name,
  ServerCertificateId: c.id,
  Arn: c.arn,
  UploadDate: new Date(c.uploadedAt),
  Expiration: new Date(c.expiresAt),
});

const tagsOrNothing = (tags: Tag[]) =>
  tags.length > 0 ? tags.map((t) => ({ Key: t.Key, Value: t.Value })) : undefined;

export const uploadServerCertificate = iamOperation(
  "UploadServerCertificate",
  z.object({
    Path: path.optional(),
    ServerCertificateName: certificateName,
    CertificateBody: certificateBody,
    PrivateKey: privateKey,
    CertificateChain: certificateChain.optional(),
    Tags: tagList.optional(),
  }),
  (i, ctx) => entityArn(ctx, "server-certificate", i.ServerCertificateName, i.Path),
  async (i, ctx) => {
    const tags = i.Tags ?? [];
    assertDistinctKeys(tags.map((t) => t.Key));
    const cert = parseCertificate(i.CertificateBody);
    if (i.CertificateChain !== undefined) parseCertificates(i.CertificateChain, "certificate chain");
    await assertKeyMatches(cert, i.PrivateKey);
    const p = i.Path ?? "/";
    const row: ServerCertificateRow = {
      // AWS's server certificate ids carry the ASCA prefix; the rest is drawn like every other unique id.
      id: `ASCA${uniqueId("ACCA").slice(4)}`,
      accountId: ctx.accountId,
      name: i.ServerCertificateName,
      nameKey: nameKey(i.ServerCertificateName),
      path: p,
      arn: entityArn(ctx, "server-certificate", i.ServerCertificateName, p),
      body: i.CertificateBody,
      chain: i.CertificateChain ?? null,
      // The private key is a secret: encrypted at rest and never returned by any operation.
      privateKeyEncrypted: await encryptSecret(i.PrivateKey, ctx.env.SECRET_ENCRYPTION_KEY),
      expiresAt: cert.notAfter.getTime(),
      uploadedAt: ctx.now.getTime(),
    };
    await insertServerCertificate(ctx.db, row, tags);
    return { ServerCertificateMetadata: metadata(row), Tags: tagsOrNothing(tags) };
  },
);

const byName = z.object({ ServerCertificateName: certificateName });

export const getServerCertificate = iamOperation(
  "GetServerCertificate",
  byName,
  (i, ctx) => certificateRef(ctx, i.ServerCertificateName),
  async (i, ctx) => {
    const row = await requireServerCertificate(ctx.db, ctx.accountId, i.ServerCertificateName);
    const tags = await listTags(ctx.db, row.id);
    return {
      ServerCertificate: {
        ServerCertificateMetadata: metadata(row),
        CertificateBody: row.body,
        CertificateChain: row.chain ?? undefined,
        Tags: tagsOrNothing(tags),
      },
    };
  },
);

export const listServerCertificates = iamOperation(
  "ListServerCertificates",
  z.object({ PathPrefix: pathPrefix.optional(), ...paging }),
  (_i, ctx) => entityArn(ctx, "server-certificate", ""),
  async (i, ctx) => {
    const max = i.MaxItems ?? DEFAULT_MAX_ITEMS;
    const rows = await listServerCertificatesPage(ctx.db, ctx.accountId, i.PathPrefix, decodeMarker(i.Marker), max + 1);
    const page = toPage(rows, max, (r) => r.nameKey);
    return {
      ServerCertificateMetadataList: page.items.map(metadata),
      IsTruncated: page.IsTruncated,
      Marker: page.Marker,
    };
  },
);

export const updateServerCertificate = iamOperation(
  "UpdateServerCertificate",
  z.object({
    ServerCertificateName: certificateName,
    NewPath: path.optional(),
    NewServerCertificateName: certificateName.optional(),
  }),
  // AWS requires the permission on the certificate as it is and as it will be (new name and path).
  (i, ctx) => certificateRef(ctx, i.ServerCertificateName, { name: i.NewServerCertificateName, path: i.NewPath }),
  async (i, ctx) => {
    const row = await requireServerCertificate(ctx.db, ctx.accountId, i.ServerCertificateName);
    const name = i.NewServerCertificateName ?? row.name;
    const p = i.NewPath ?? row.path;
    await renameServerCertificate(ctx.db, row, { name, path: p, arn: entityArn(ctx, "server-certificate", name, p) });
    return undefined;
  },
);

export const deleteServerCertificateOp = iamOperation(
  "DeleteServerCertificate",
  byName,
  (i, ctx) => certificateRef(ctx, i.ServerCertificateName),
  async (i, ctx) => {
    await deleteServerCertificate(
      ctx.db,
      await requireServerCertificate(ctx.db, ctx.accountId, i.ServerCertificateName),
    );
    return undefined;
  },
);

export const tagServerCertificate = iamOperation(
  "TagServerCertificate",
  z.object({ ServerCertificateName: certificateName, Tags: tagList }),
  (i, ctx) => certificateRef(ctx, i.ServerCertificateName),
  async (i, ctx) => {
    const row = await requireServerCertificate(ctx.db, ctx.accountId, i.ServerCertificateName);
    await tagResource(ctx.db, ctx.accountId, "server-certificate", row.id, i.Tags);
    return undefined;
  },
);

export const untagServerCertificate = iamOperation(
  "UntagServerCertificate",
  z.object({ ServerCertificateName: certificateName, TagKeys: tagKeyList }),
  (i, ctx) => certificateRef(ctx, i.ServerCertificateName),
  async (i, ctx) => {
    const row = await requireServerCertificate(ctx.db, ctx.accountId, i.ServerCertificateName);
    await untagResource(ctx.db, row.id, i.TagKeys);
    return undefined;
  },
);

export const listServerCertificateTags = iamOperation(
  "ListServerCertificateTags",
  z.object({ ServerCertificateName: certificateName, ...paging }),
  (i, ctx) => certificateRef(ctx, i.ServerCertificateName),
  async (i, ctx) => {
    const row = await requireServerCertificate(ctx.db, ctx.accountId, i.ServerCertificateName);
    return pageOfTags(await listTags(ctx.db, row.id), i.Marker, i.MaxItems);
  },
);

export const serverCertificateOperations = [
  uploadServerCertificate,
  getServerCertificate,
  listServerCertificates,
  updateServerCertificate,
  deleteServerCertificateOp,
  tagServerCertificate,
  untagServerCertificate,
  listServerCertificateTags,
];
