// IAM access key operations: create (the only time the secret is shown), list, activate or deactivate, delete, last use.
import { z } from "zod";
import { AwsError } from "../aws/errors";
import { encryptSecret } from "../aws/crypto";
import { accessKeyId as newAccessKeyId, secretAccessKey } from "../aws/ids";
import { authorize } from "../core/authorize";
import {
  entityArn,
  entityRef,
  iamOperation,
  type Operation,
  type OperationContext,
  type ResourceTarget,
} from "../core/operation";
import {
  deleteAccessKey,
  findAccessKey,
  insertAccessKey,
  listAccessKeysPage,
  noSuchKey,
  requireUserAccessKey,
  setAccessKeyStatus,
} from "../store/access-keys";
import { requireUser, type UserRow } from "../store/users";
import { accessKeyId, existingUserName, paging } from "./fields";
import { decodeMarker, DEFAULT_MAX_ITEMS, toPage } from "./paging";

/** The user an operation acts on: the named one, or the calling IAM user when UserName is left out. */
export async function targetUser(ctx: OperationContext, name: string | undefined): Promise<UserRow> {
  if (name !== undefined) return requireUser(ctx.db, ctx.accountId, name);
  if (ctx.principal.kind === "user") return requireUser(ctx.db, ctx.accountId, ctx.principal.name);
  throw new AwsError("ValidationError", "Must specify userName when calling with non-User credentials");
}

/** Authorization resource of a call that may leave UserName out: the named user, or the caller itself. */
export const userOrCaller = (ctx: OperationContext, name: string | undefined): ResourceTarget =>
  name !== undefined ? entityRef(ctx, "user", name) : callerTarget(ctx);

/**
 * The caller itself as a target: an IAM user is read like any named user (so its own tags are aws:ResourceTag);
 * other principals are their ARN.
 */
export const callerTarget = (ctx: OperationContext): ResourceTarget =>
  ctx.principal.kind === "user" ? entityRef(ctx, "user", ctx.principal.name) : ctx.principal.arn;

const statusType = z.enum(["Active", "Inactive", "Expired"]);

export const createAccessKey = iamOperation(
  "CreateAccessKey",
  z.object({ UserName: existingUserName.optional() }),
  (i, ctx) => userOrCaller(ctx, i.UserName),
  async (i, ctx) => {
    if (i.UserName === undefined && ctx.principal.kind === "root") {
      // Root credentials are the Worker's ROOT_ACCESS_KEY_ID/ROOT_SECRET_ACCESS_KEY variables, not rows.
      throw new AwsError(
        "ValidationError",
        "Creating access keys for the root user is not supported by this simulator: root credentials are set in the " +
          "Worker configuration (ROOT_ACCESS_KEY_ID, ROOT_SECRET_ACCESS_KEY). Specify UserName to create a key for an IAM user.",
      );
    }
    const user = await targetUser(ctx, i.UserName);
    const secret = secretAccessKey();
    const row = {
      id: newAccessKeyId("AKIA"),
      accountId: ctx.accountId,
      userId: user.id,
      secretEncrypted: await encryptSecret(secret, ctx.env.SECRET_ENCRYPTION_KEY),
      status: "Active" as const,
      createdAt: ctx.now.getTime(),
      lastUsedAt: null,
      lastUsedService: null,
      lastUsedRegion: null,
    };
    await insertAccessKey(ctx.db, row, user.name);
    return {
      AccessKey: {
        UserName: user.name,
        AccessKeyId: row.id,
        Status: row.status,
        SecretAccessKey: secret,
        CreateDate: new Date(row.createdAt),
      },
    };
  },
);

export const listAccessKeys = iamOperation(
  "ListAccessKeys",
  z.object({ UserName: existingUserName.optional(), ...paging }),
  (i, ctx) => userOrCaller(ctx, i.UserName),
  async (i, ctx) => {
    // The root user's only key lives in the Worker configuration, so it has no IAM key rows to list.
    if (i.UserName === undefined && ctx.principal.kind === "root") return { AccessKeyMetadata: [], IsTruncated: false };
    const user = await targetUser(ctx, i.UserName);
    const max = i.MaxItems ?? DEFAULT_MAX_ITEMS;
    const rows = await listAccessKeysPage(ctx.db, user.id, decodeMarker(i.Marker), max + 1);
    const page = toPage(rows, max, (k) => k.id);
    return {
      AccessKeyMetadata: page.items.map((k) => ({
        UserName: user.name,
        AccessKeyId: k.id,
        Status: k.status,
        CreateDate: new Date(k.createdAt),
      })),
      IsTruncated: page.IsTruncated,
      Marker: page.Marker,
    };
  },
);

export const updateAccessKey = iamOperation(
  "UpdateAccessKey",
  z.object({ UserName: existingUserName.optional(), AccessKeyId: accessKeyId, Status: statusType }),
  (i, ctx) => userOrCaller(ctx, i.UserName),
  async (i, ctx) => {
    if (i.Status === "Expired") {
      throw new AwsError("InvalidInput", "Access key status can only be set to Active or Inactive.");
    }
    const user = await targetUser(ctx, i.UserName);
    const key = await requireUserAccessKey(ctx.db, user.id, i.AccessKeyId);
    await setAccessKeyStatus(ctx.db, key.id, i.Status);
    return undefined;
  },
);

export const deleteAccessKeyOp = iamOperation(
  "DeleteAccessKey",
  z.object({ UserName: existingUserName.optional(), AccessKeyId: accessKeyId }),
  (i, ctx) => userOrCaller(ctx, i.UserName),
  async (i, ctx) => {
    const user = await targetUser(ctx, i.UserName);
    const key = await requireUserAccessKey(ctx.db, user.id, i.AccessKeyId);
    await deleteAccessKey(ctx.db, key.id);
    return undefined;
  },
);

/**
 * The resource of GetAccessKeyLastUsed is the key's owner, which only the stored key tells; so the pipeline skips
 * authorization (action null) and the handler authorizes once it has found the owner.
 */
export const getAccessKeyLastUsed: Operation<z.ZodObject<{ AccessKeyId: typeof accessKeyId }>> = {
  ...iamOperation(
    "GetAccessKeyLastUsed",
    z.object({ AccessKeyId: accessKeyId }),
    (_i, ctx) => entityArn(ctx, "user", "*"),
    async (i, ctx) => {
      const found = await findAccessKey(ctx.db, ctx.accountId, i.AccessKeyId);
      // INVARIANT: whether a key exists is itself information. A key that is not found is decided as a key of
      // any user (user/*), so only a caller allowed on every user learns NoSuchEntity; others get AccessDenied,
      // exactly as for someone else's existing key.
      const owner = found ? entityRef(ctx, "user", found.userName) : entityArn(ctx, "user", "*");
      await authorize(ctx.db, ctx.principal, ctx, { action: "iam:GetAccessKeyLastUsed", target: owner });
      if (!found) throw noSuchKey(i.AccessKeyId);
      const k = found.key;
      return {
        UserName: found.userName,
        AccessKeyLastUsed: {
          LastUsedDate: k.lastUsedAt === null ? undefined : new Date(k.lastUsedAt),
          // AWS answers "N/A" for a key that has never been used.
          ServiceName: k.lastUsedService ?? "N/A",
          Region: k.lastUsedRegion ?? "N/A",
        },
      };
    },
  ),
  action: null,
};

export const accessKeyOperations = [
  createAccessKey,
  listAccessKeys,
  updateAccessKey,
  deleteAccessKeyOp,
  getAccessKeyLastUsed,
];
