// SAML identity provider operations: create, read, list, update and delete providers from validated metadata; tags.
import { z } from "zod";
import { AwsError } from "../aws/errors";
import { str } from "../api/validation";
import { iamOperation, type OperationContext } from "../core/operation";
import {
  deleteProvider,
  findProvider,
  insertProvider,
  listProviders,
  SAML,
  updateSamlMetadata,
  type SamlProviderRow,
} from "../store/providers";
import { assertDistinctKeys, listTags, tagResource, untagResource } from "../store/tags";
import { arn, paging, tagKeyList, tagList } from "./fields";
import { parseSamlMetadata } from "./saml-metadata";
import { pageOfTags } from "./tagging";

const providerName = str({ min: 1, max: 128, pattern: "[\\w._-]+" });
const metadataDocument = str({ min: 1000, max: 10000000 });
const encryptionMode = z.enum(["Required", "Allowed"]);

const providerArn = (ctx: OperationContext, name: string) =>
  `arn:${ctx.partition}:iam::${ctx.accountId}:saml-provider/${name}`;

async function requireProvider(ctx: OperationContext, providerArn: string): Promise<SamlProviderRow> {
  const row = await findProvider(ctx.db, SAML, ctx.accountId, providerArn);
  if (!row) throw new AwsError("NoSuchEntity", `SAMLProvider not found for arn ${providerArn}`);
  return row;
}

/*
 * Assertion encryption needs a private key IAM decrypts with; this simulator keeps no such keys, so it accepts the
 * members AWS accepts but refuses to require encryption it could not perform.
 */
function refuseEncryption(i: { AssertionEncryptionMode?: string; AddPrivateKey?: string }): void {
  if (i.AssertionEncryptionMode === "Required" || i.AddPrivateKey !== undefined) {
    throw new AwsError("InvalidInput", "SAML assertion encryption is not supported by this simulator.");
  }
}

export const createSamlProvider = iamOperation(
  "CreateSAMLProvider",
  z.object({
    SAMLMetadataDocument: metadataDocument,
    Name: providerName,
    Tags: tagList.optional(),
    AssertionEncryptionMode: encryptionMode.optional(),
    AddPrivateKey: str({ min: 1, max: 16384 }).optional(),
  }),
  (i, ctx) => providerArn(ctx, i.Name),
  async (i, ctx) => {
    const tags = i.Tags ?? [];
    assertDistinctKeys(tags.map((t) => t.Key));
    refuseEncryption(i);
    const metadata = parseSamlMetadata(i.SAMLMetadataDocument, ctx.now);
    const row: SamlProviderRow = {
      id: crypto.randomUUID(),
      accountId: ctx.accountId,
      name: i.Name,
      arn: providerArn(ctx, i.Name),
      metadata: i.SAMLMetadataDocument,
      entityId: metadata.entityId,
      validUntil: metadata.validUntil,
      createdAt: ctx.now.getTime(),
    };
    await insertProvider(ctx.db, SAML, row, tags);
    return { SAMLProviderArn: row.arn, Tags: tags.length > 0 ? tags : undefined };
  },
);

const byArn = z.object({ SAMLProviderArn: arn });

export const getSamlProvider = iamOperation(
  "GetSAMLProvider",
  byArn,
  (i) => i.SAMLProviderArn,
  async (i, ctx) => {
    const row = await requireProvider(ctx, i.SAMLProviderArn);
    const tags = await listTags(ctx.db, row.id);
    return {
      SAMLProviderUUID: row.id,
      SAMLMetadataDocument: row.metadata,
      CreateDate: new Date(row.createdAt),
      ValidUntil: new Date(row.validUntil),
      Tags: tags,
      AssertionEncryptionMode: "Allowed",
    };
  },
);

export const listSamlProviders = iamOperation(
  "ListSAMLProviders",
  z.object({}),
  (_i, ctx) => providerArn(ctx, "*"),
  async (_i, ctx) => ({
    SAMLProviderList: (await listProviders(ctx.db, SAML, ctx.accountId)).map((p) => ({
      Arn: p.arn,
      ValidUntil: new Date(p.validUntil),
      CreateDate: new Date(p.createdAt),
    })),
  }),
);

export const updateSamlProvider = iamOperation(
  "UpdateSAMLProvider",
  z.object({
    SAMLMetadataDocument: metadataDocument.optional(),
    SAMLProviderArn: arn,
    AssertionEncryptionMode: encryptionMode.optional(),
    AddPrivateKey: str({ min: 1, max: 16384 }).optional(),
    RemovePrivateKey: str({ min: 22, max: 64, pattern: "[A-Z0-9]+" }).optional(),
  }),
  (i) => i.SAMLProviderArn,
  async (i, ctx) => {
    const row = await requireProvider(ctx, i.SAMLProviderArn);
    refuseEncryption(i);
    if (i.RemovePrivateKey !== undefined) {
      throw new AwsError("InvalidInput", `Private key ${i.RemovePrivateKey} is not associated with this provider.`);
    }
    if (i.SAMLMetadataDocument !== undefined) {
      const metadata = parseSamlMetadata(i.SAMLMetadataDocument, ctx.now);
      await updateSamlMetadata(ctx.db, row, {
        metadata: i.SAMLMetadataDocument,
        entityId: metadata.entityId,
        validUntil: metadata.validUntil,
      });
    }
    return { SAMLProviderArn: row.arn };
  },
);

export const deleteSamlProvider = iamOperation(
  "DeleteSAMLProvider",
  byArn,
  (i) => i.SAMLProviderArn,
  async (i, ctx) => {
    await deleteProvider(ctx.db, SAML, (await requireProvider(ctx, i.SAMLProviderArn)).id);
    return undefined;
  },
);

export const tagSamlProvider = iamOperation(
  "TagSAMLProvider",
  z.object({ SAMLProviderArn: arn, Tags: tagList }),
  (i) => i.SAMLProviderArn,
  async (i, ctx) => {
    const row = await requireProvider(ctx, i.SAMLProviderArn);
    await tagResource(ctx.db, ctx.accountId, "saml-provider", row.id, i.Tags);
    return undefined;
  },
);

export const untagSamlProvider = iamOperation(
  "UntagSAMLProvider",
  z.object({ SAMLProviderArn: arn, TagKeys: tagKeyList }),
  (i) => i.SAMLProviderArn,
  async (i, ctx) => {
    const row = await requireProvider(ctx, i.SAMLProviderArn);
    await untagResource(ctx.db, row.id, i.TagKeys);
    return undefined;
  },
);

export const listSamlProviderTags = iamOperation(
  "ListSAMLProviderTags",
  z.object({ SAMLProviderArn: arn, ...paging }),
  (i) => i.SAMLProviderArn,
  async (i, ctx) => {
    const row = await requireProvider(ctx, i.SAMLProviderArn);
    return pageOfTags(await listTags(ctx.db, row.id), i.Marker, i.MaxItems);
  },
);

export const samlProviderOperations = [
  createSamlProvider,
  getSamlProvider,
  listSamlProviders,
  updateSamlProvider,
  deleteSamlProvider,
  tagSamlProvider,
  untagSamlProvider,
  listSamlProviderTags,
];
