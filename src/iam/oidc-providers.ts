// OIDC identity provider operations: create, read, list, delete, client IDs, thumbprints and tags.
import { z } from "zod";
import { AwsError } from "../aws/errors";
import { isLocalHost } from "../aws/hosts";
import { list, str } from "../api/validation";
import { iamOperation, type OperationContext } from "../core/operation";
import {
  deleteProvider,
  findProvider,
  insertProvider,
  listProviders,
  OIDC,
  updateOidcLists,
  type OidcProviderRow,
} from "../store/providers";
import { assertDistinctKeys, listTags, tagResource, untagResource } from "../store/tags";
import { arn, paging, tagKeyList, tagList } from "./fields";
import { pageOfTags } from "./tagging";

const url = str({ min: 1, max: 255 });
const clientId = str({ min: 1, max: 255 });
const thumbprint = str({ min: 40, max: 40 });

export const MAX_CLIENT_IDS = 100;
export const MAX_THUMBPRINTS = 5;

const providerArn = (ctx: OperationContext, host: string) =>
  `arn:${ctx.partition}:iam::${ctx.accountId}:oidc-provider/${host}`;

/**
 * The provider's identity is its URL without the scheme; AWS accepts only https, and hosts compare lower-cased.
 * One exception for development: a request that reached a local server may register an http issuer on a loopback
 * host (`http://127.0.0.1:<port>`, `http://localhost`), so tests can serve their own keys without certificates.
 */
function normalizeUrl(raw: string, localRequest = false): string {
  const m = /^(https?):\/\/([^/?#\s]+)((?:\/[^?#\s]*)?)$/i.exec(raw);
  const host = (m?.[2] ?? "").toLowerCase();
  const http = m?.[1]?.toLowerCase() === "http";
  if (!m || (http && !(localRequest && isLocalHost(host.replace(/:\d+$/, ""))))) {
    throw new AwsError("InvalidInput", "Invalid Open ID Connect Provider URL");
  }
  return `${host}${(m[3] ?? "").replace(/\/+$/, "")}`;
}

function checkThumbprints(list: string[]): string[] {
  if (list.length > MAX_THUMBPRINTS) {
    throw new AwsError(
      "LimitExceeded",
      `Cannot exceed quota for ThumbprintsPerOpenIdConnectProvider: ${MAX_THUMBPRINTS}`,
    );
  }
  for (const t of list) {
    if (!/^[0-9a-fA-F]{40}$/.test(t)) throw new AwsError("InvalidInput", `Thumbprint ${t} is not a valid thumbprint.`);
  }
  return [...new Set(list.map((t) => t.toLowerCase()))];
}

function checkClientIds(list: string[]): string[] {
  const distinct = [...new Set(list)];
  if (distinct.length > MAX_CLIENT_IDS) {
    throw new AwsError("LimitExceeded", `Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: ${MAX_CLIENT_IDS}`);
  }
  return distinct;
}

const strings = (json: string) => JSON.parse(json) as string[];

async function requireProvider(ctx: OperationContext, providerArn: string): Promise<OidcProviderRow> {
  const row = await findProvider(ctx.db, OIDC, ctx.accountId, providerArn);
  if (!row) throw new AwsError("NoSuchEntity", `OpenIDConnect Provider not found for arn ${providerArn}`);
  return row;
}

/**
 * Applies a change to a provider's lists, re-reading and retrying when a concurrent edit wrote in between, so
 * neither change is lost.
 */
async function editLists(
  ctx: OperationContext,
  providerArn: string,
  change: (row: OidcProviderRow) => { clientIds?: string[]; thumbprints?: string[] },
): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const row = await requireProvider(ctx, providerArn);
    const next = change(row);
    const written = await updateOidcLists(ctx.db, row, {
      ...(next.clientIds ? { clientIds: JSON.stringify(next.clientIds) } : {}),
      ...(next.thumbprints ? { thumbprints: JSON.stringify(next.thumbprints) } : {}),
    });
    if (written) return;
  }
  throw new AwsError("ConcurrentModification", "The provider is being changed by another request; try again.");
}

export const createOidcProvider = iamOperation(
  "CreateOpenIDConnectProvider",
  z.object({
    Url: url,
    ClientIDList: list(clientId).optional(),
    ThumbprintList: list(thumbprint).optional(),
    Tags: tagList.optional(),
  }),
  (i, ctx) => {
    try {
      return providerArn(ctx, normalizeUrl(i.Url, ctx.localRequest));
    } catch {
      return providerArn(ctx, i.Url);
    }
  },
  async (i, ctx) => {
    const tags = i.Tags ?? [];
    assertDistinctKeys(tags.map((t) => t.Key));
    const host = normalizeUrl(i.Url, ctx.localRequest);
    const row: OidcProviderRow = {
      id: crypto.randomUUID(),
      accountId: ctx.accountId,
      arn: providerArn(ctx, host),
      url: host,
      clientIds: JSON.stringify(checkClientIds(i.ClientIDList ?? [])),
      thumbprints: JSON.stringify(checkThumbprints(i.ThumbprintList ?? [])),
      createdAt: ctx.now.getTime(),
    };
    await insertProvider(ctx.db, OIDC, row, tags);
    return { OpenIDConnectProviderArn: row.arn, Tags: tags.length > 0 ? tags : undefined };
  },
);

const byArn = z.object({ OpenIDConnectProviderArn: arn });

export const getOidcProvider = iamOperation(
  "GetOpenIDConnectProvider",
  byArn,
  (i) => i.OpenIDConnectProviderArn,
  async (i, ctx) => {
    const row = await requireProvider(ctx, i.OpenIDConnectProviderArn);
    const tags = await listTags(ctx.db, row.id);
    return {
      Url: row.url,
      ClientIDList: strings(row.clientIds),
      ThumbprintList: strings(row.thumbprints),
      CreateDate: new Date(row.createdAt),
      Tags: tags,
    };
  },
);

export const listOidcProviders = iamOperation(
  "ListOpenIDConnectProviders",
  z.object({}),
  (_i, ctx) => providerArn(ctx, "*"),
  async (_i, ctx) => ({
    OpenIDConnectProviderList: (await listProviders(ctx.db, OIDC, ctx.accountId)).map((p) => ({ Arn: p.arn })),
  }),
);

export const deleteOidcProvider = iamOperation(
  "DeleteOpenIDConnectProvider",
  byArn,
  (i) => i.OpenIDConnectProviderArn,
  async (i, ctx) => {
    await deleteProvider(ctx.db, OIDC, (await requireProvider(ctx, i.OpenIDConnectProviderArn)).id);
    return undefined;
  },
);

const clientIdInput = z.object({ OpenIDConnectProviderArn: arn, ClientID: clientId });

export const addClientId = iamOperation(
  "AddClientIDToOpenIDConnectProvider",
  clientIdInput,
  (i) => i.OpenIDConnectProviderArn,
  async (i, ctx) => {
    // Adding an ID the provider already has changes nothing, as AWS documents.
    await editLists(ctx, i.OpenIDConnectProviderArn, (row) => ({
      clientIds: checkClientIds([...strings(row.clientIds), i.ClientID]),
    }));
    return undefined;
  },
);

export const removeClientId = iamOperation(
  "RemoveClientIDFromOpenIDConnectProvider",
  clientIdInput,
  (i) => i.OpenIDConnectProviderArn,
  async (i, ctx) => {
    // Removing an ID the provider does not have is not an error (the call is idempotent).
    await editLists(ctx, i.OpenIDConnectProviderArn, (row) => ({
      clientIds: strings(row.clientIds).filter((c) => c !== i.ClientID),
    }));
    return undefined;
  },
);

export const updateThumbprint = iamOperation(
  "UpdateOpenIDConnectProviderThumbprint",
  z.object({ OpenIDConnectProviderArn: arn, ThumbprintList: list(thumbprint) }),
  (i) => i.OpenIDConnectProviderArn,
  async (i, ctx) => {
    const thumbprints = checkThumbprints(i.ThumbprintList);
    await editLists(ctx, i.OpenIDConnectProviderArn, () => ({ thumbprints }));
    return undefined;
  },
);

export const tagOidcProvider = iamOperation(
  "TagOpenIDConnectProvider",
  z.object({ OpenIDConnectProviderArn: arn, Tags: tagList }),
  (i) => i.OpenIDConnectProviderArn,
  async (i, ctx) => {
    const row = await requireProvider(ctx, i.OpenIDConnectProviderArn);
    await tagResource(ctx.db, ctx.accountId, "oidc-provider", row.id, i.Tags);
    return undefined;
  },
);

export const untagOidcProvider = iamOperation(
  "UntagOpenIDConnectProvider",
  z.object({ OpenIDConnectProviderArn: arn, TagKeys: tagKeyList }),
  (i) => i.OpenIDConnectProviderArn,
  async (i, ctx) => {
    const row = await requireProvider(ctx, i.OpenIDConnectProviderArn);
    await untagResource(ctx.db, row.id, i.TagKeys);
    return undefined;
  },
);

export const listOidcProviderTags = iamOperation(
  "ListOpenIDConnectProviderTags",
  z.object({ OpenIDConnectProviderArn: arn, ...paging }),
  (i) => i.OpenIDConnectProviderArn,
  async (i, ctx) => {
    const row = await requireProvider(ctx, i.OpenIDConnectProviderArn);
    return pageOfTags(await listTags(ctx.db, row.id), i.Marker, i.MaxItems);
  },
);

export const oidcProviderOperations = [
  createOidcProvider,
  getOidcProvider,
  listOidcProviders,
  deleteOidcProvider,
  addClientId,
  removeClientId,
  updateThumbprint,
  tagOidcProvider,
  untagOidcProvider,
  listOidcProviderTags,
];
