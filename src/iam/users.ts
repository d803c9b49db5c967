// IAM user operations: create, read, list, rename, delete and tag users.
import { z } from "zod";
import { AwsError } from "../aws/errors";
import { uniqueId } from "../aws/ids";
import { iamOperation, entityArn, entityRef, type OperationContext } from "../core/operation";
import { requireUser, insertUser, listUsersPage, renameUser, deleteUser } from "../store/users";
import { assertDistinctKeys, listTags, tagResource, untagResource } from "../store/tags";
import { arn, existingUserName, path, pathPrefix, paging, tagKeyList, tagList, userName } from "./fields";
import { requireCreationBoundary } from "./boundaries";
import { nameKey } from "./names";
import { decodeMarker, DEFAULT_MAX_ITEMS, toPage } from "./paging";
import { pageOfTags } from "./tagging";
import { callerTarget } from "./access-keys";
import { userShape } from "./shapes";

const userResource = (ctx: OperationContext, name: string, p?: string) => entityArn(ctx, "user", name, p);

export const createUser = iamOperation(
  "CreateUser",
  z.object({
    UserName: userName,
    Path: path.optional(),
    PermissionsBoundary: arn.optional(),
    Tags: tagList.optional(),
  }),
  (i, ctx) => userResource(ctx, i.UserName, i.Path),
  async (i, ctx) => {
    const tags = i.Tags ?? [];
    assertDistinctKeys(tags.map((t) => t.Key));
    const p = i.Path ?? "/";
    const row = {
      id: uniqueId("AIDA"),
      accountId: ctx.accountId,
      name: i.UserName,
      nameKey: nameKey(i.UserName),
      path: p,
      arn: userResource(ctx, i.UserName, p),
      permissionsBoundaryArn: i.PermissionsBoundary ?? null,
      passwordLastUsed: null,
      createdAt: ctx.now.getTime(),
    };
    if (row.permissionsBoundaryArn !== null) {
      await requireCreationBoundary(ctx, row.permissionsBoundaryArn, { kind: "user", ...row });
    }
    await insertUser(ctx.db, row, tags);
    return { User: userShape(row, tags) };
  },
);

const optionalUserName = z.object({ UserName: existingUserName.optional() });

export const getUser = iamOperation(
  "GetUser",
  optionalUserName,
  (i, ctx) => (i.UserName ? entityRef(ctx, "user", i.UserName) : callerTarget(ctx)),
  async (i, ctx) => {
    if (i.UserName === undefined && ctx.principal.kind === "root") {
      // The root user has no IAM user; AWS describes the account itself.
      return {
        User: { UserId: ctx.accountId, Arn: ctx.principal.arn, CreateDate: new Date(0) },
      };
    }
    const name = i.UserName ?? (ctx.principal.kind === "user" ? ctx.principal.name : undefined);
    if (name === undefined) {
      throw new AwsError("ValidationError", "Must specify userName when calling with non-User credentials");
    }
    const user = await requireUser(ctx.db, ctx.accountId, name);
    const tags = await listTags(ctx.db, user.id);
    return { User: userShape(user, tags) };
  },
);

export const listUsers = iamOperation(
  "ListUsers",
  z.object({ PathPrefix: pathPrefix.optional(), ...paging }),
  (_i, ctx) => entityArn(ctx, "user", ""),
  async (i, ctx) => {
    const max = i.MaxItems ?? DEFAULT_MAX_ITEMS;
    const rows = await listUsersPage(ctx.db, ctx.accountId, i.PathPrefix, decodeMarker(i.Marker), max + 1);
    const page = toPage(rows, max, (r) => r.nameKey);
    // ListUsers leaves out PermissionsBoundary and Tags, as AWS documents.
    const Users = page.items.map((u) => userShape({ ...u, permissionsBoundaryArn: null }));
    return { Users, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },
);

export const updateUser = iamOperation(
  "UpdateUser",
  z.object({ UserName: existingUserName, NewPath: path.optional(), NewUserName: userName.optional() }),
  // AWS requires the permission on the user as it is and as it will be (new name and path).
  (i, ctx) => ({ ...entityRef(ctx, "user", i.UserName), renameTo: { name: i.NewUserName, path: i.NewPath } }),
  async (i, ctx) => {
    const user = await requireUser(ctx.db, ctx.accountId, i.UserName);
    await renameUser(ctx.db, user, i.NewUserName, i.NewPath);
    return undefined;
  },
);

export const deleteUserOp = iamOperation(
  "DeleteUser",
  z.object({ UserName: existingUserName }),
  (i, ctx) => entityRef(ctx, "user", i.UserName),
  async (i, ctx) => {
    await deleteUser(ctx.db, await requireUser(ctx.db, ctx.accountId, i.UserName));
    return undefined;
  },
);

export const tagUser = iamOperation(
  "TagUser",
  z.object({ UserName: existingUserName, Tags: tagList }),
  (i, ctx) => entityRef(ctx, "user", i.UserName),
  async (i, ctx) => {
    const user = await requireUser(ctx.db, ctx.accountId, i.UserName);
    await tagResource(ctx.db, ctx.accountId, "user", user.id, i.Tags);
    return undefined;
  },
);

export const untagUser = iamOperation(
  "UntagUser",
  z.object({ UserName: existingUserName, TagKeys: tagKeyList }),
  (i, ctx) => entityRef(ctx, "user", i.UserName),
  async (i, ctx) => {
    const user = await requireUser(ctx.db, ctx.accountId, i.UserName);
    await untagResource(ctx.db, user.id, i.TagKeys);
    return undefined;
  },
);

export const listUserTags = iamOperation(
  "ListUserTags",
  z.object({ UserName: existingUserName, ...paging }),
  (i, ctx) => entityRef(ctx, "user", i.UserName),
  async (i, ctx) => {
    const user = await requireUser(ctx.db, ctx.accountId, i.UserName);
    const all = await listTags(ctx.db, user.id);
    return pageOfTags(all, i.Marker, i.MaxItems);
  },
);

export const userOperations = [
  createUser,
  getUser,
  listUsers,
  updateUser,
  deleteUserOp,
  tagUser,
  untagUser,
  listUserTags,
];
