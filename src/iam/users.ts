// IAM user operations: create, read, list, rename, delete and tag users.
import { z } from "zod";
import { AwsError, concurrentModification } from "../aws/errors";
import { uniqueId } from "../aws/ids";
import { iamOperation, entityArn, entityRef, guardedWrite, type OperationContext } from "../core/operation";
import {
  requireUser,
  insertUser,
  renameUser,
  deleteBlockerQueries,
  deleteUserOutcome,
  deleteUserStatements,
  noSuchUser,
  refuseDeleteConflicts,
  USER,
  type UserRow,
} from "../store/users";
import { listNamedPageQuery, namedQuery, namedTagsQuery, requireFetched } from "../store/named-entities";
import { assertDistinctKeys, listTags, tagResource, untagResource, type Tag } from "../store/tags";
import { arn, existingUserName, path, pathPrefix, paging, tagKeyList, tagList, userName } from "./fields";
import { creationBoundaryRequirement, requireCreationBoundary } from "./boundaries";
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
    await insertUser(ctx.db, row, tags, creationBoundaryRequirement(ctx, row.permissionsBoundaryArn));
    return { User: userShape(row, tags) };
  },
);

const optionalUserName = z.object({ UserName: existingUserName.optional() });

/** The user GetUser describes: the named one, or the calling IAM user. */
const getUserName = (i: { UserName?: string }, ctx: OperationContext) =>
  i.UserName ?? (ctx.principal.kind === "user" ? ctx.principal.name : undefined);

export const getUser = {
  ...iamOperation(
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
      const name = getUserName(i, ctx);
      if (name === undefined) {
        throw new AwsError("ValidationError", "Must specify userName when calling with non-User credentials");
      }
      const [rows, tags] = ctx.preloaded ?? [];
      const user = requireFetched(USER, name, rows as unknown[]);
      return { User: userShape(user, tags as Tag[]) };
    },
  ),
  // The user and its tags ride in the authorization batch: one round trip in all.
  preload: (i: { UserName?: string }, ctx: OperationContext) => {
    const name = getUserName(i, ctx);
    return name === undefined
      ? []
      : [namedQuery(ctx.db, USER, ctx.accountId, name), namedTagsQuery(ctx.db, USER, ctx.accountId, name)];
  },
};

const listUsersInput = z.object({ PathPrefix: pathPrefix.optional(), ...paging });

export const listUsers = {
  ...iamOperation(
    "ListUsers",
    listUsersInput,
    (_i, ctx) => entityArn(ctx, "user", ""),
    async (i, ctx) => {
      const max = i.MaxItems ?? DEFAULT_MAX_ITEMS;
      const rows = (ctx.preloaded?.[0] ?? []) as UserRow[];
      const page = toPage(rows, max, (r) => r.nameKey);
      // ListUsers leaves out PermissionsBoundary and Tags, as AWS documents.
      const Users = page.items.map((u) => userShape({ ...u, permissionsBoundaryArn: null }));
      return { Users, IsTruncated: page.IsTruncated, Marker: page.Marker };
    },
  ),
  // The page rides in the authorization batch (a marker that fails to decode fails before any query).
  preload: (i: z.infer<typeof listUsersInput>, ctx: OperationContext) => [
    listNamedPageQuery(
      ctx.db,
      USER,
      ctx.accountId,
      i.PathPrefix,
      decodeMarker(i.Marker),
      (i.MaxItems ?? DEFAULT_MAX_ITEMS) + 1,
    ),
  ],
};

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

const deleteUserInput = z.object({ UserName: existingUserName });

export const deleteUserOp = {
  ...iamOperation(
    "DeleteUser",
    deleteUserInput,
    (i, ctx) => entityRef(ctx, "user", i.UserName),
    async (i, ctx) => {
      const [rows, ...blockers] = ctx.preloaded ?? [];
      requireFetched(USER, i.UserName, rows as unknown[]);
      refuseDeleteConflicts(blockers);
      const outcome = deleteUserOutcome(await guardedWrite(ctx));
      if (outcome.deleted) return undefined;
      // The guard refused what the preload allowed: a concurrent request deleted the user or gave it something that
      // blocks the delete (a key, a membership, a policy...). The guard's own reads say which, in the same words.
      requireFetched(USER, i.UserName, outcome.userRows);
      refuseDeleteConflicts(outcome.blockers);
      throw concurrentModification();
    },
  ),
  // The user and everything that blocks its deletion ride in the authorization batch, then the guarded deletes: two
  // round trips in all, or one for a caller with no authorization batch, whose deletes ride along.
  preload: (i: z.infer<typeof deleteUserInput>, ctx: OperationContext) => [
    namedQuery(ctx.db, USER, ctx.accountId, i.UserName),
    ...deleteBlockerQueries(ctx.db, ctx.accountId, i.UserName),
  ],
  write: (i: z.infer<typeof deleteUserInput>, ctx: OperationContext) =>
    deleteUserStatements(ctx.db, ctx.accountId, i.UserName),
};

export const tagUser = iamOperation(
  "TagUser",
  z.object({ UserName: existingUserName, Tags: tagList }),
  (i, ctx) => entityRef(ctx, "user", i.UserName),
  async (i, ctx) => {
    const user = await requireUser(ctx.db, ctx.accountId, i.UserName);
    await tagResource(ctx.db, ctx.accountId, "user", user.id, i.Tags, () => noSuchUser(user.name));
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
