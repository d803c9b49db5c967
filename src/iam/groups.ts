// IAM group operations: create, read (with members), list, rename, delete groups and manage their members.
import { z } from "zod";
import { uniqueId } from "../aws/ids";
import { entityArn, entityRef, iamOperation, type OperationContext } from "../core/operation";
import {
  addMember,
  deleteGroup,
  groupUsersPage,
  insertGroup,
  listGroupsPage,
  removeMember,
  renameGroup,
  requireGroup,
  requireGroupAndUser,
  userGroupsPage,
} from "../store/groups";
import { requireUser } from "../store/users";
import { existingUserName, groupName, path, pathPrefix, paging } from "./fields";
import { nameKey } from "./names";
import { decodeMarker, DEFAULT_MAX_ITEMS, toPage } from "./paging";
import { groupShape, userShape } from "./shapes";

const groupResource = (ctx: OperationContext, name: string, p?: string) => entityArn(ctx, "group", name, p);

export const createGroup = iamOperation(
  "CreateGroup",
  z.object({ Path: path.optional(), GroupName: groupName }),
  (i, ctx) => groupResource(ctx, i.GroupName, i.Path),
  async (i, ctx) => {
    const p = i.Path ?? "/";
    const row = {
      id: uniqueId("AGPA"),
      accountId: ctx.accountId,
      name: i.GroupName,
      nameKey: nameKey(i.GroupName),
      path: p,
      arn: groupResource(ctx, i.GroupName, p),
      createdAt: ctx.now.getTime(),
    };
    await insertGroup(ctx.db, row);
    return { Group: groupShape(row) };
  },
);

export const getGroup = iamOperation(
  "GetGroup",
  z.object({ GroupName: groupName, ...paging }),
  (i, ctx) => entityRef(ctx, "group", i.GroupName),
  async (i, ctx) => {
    const group = await requireGroup(ctx.db, ctx.accountId, i.GroupName);
    const max = i.MaxItems ?? DEFAULT_MAX_ITEMS;
    const rows = await groupUsersPage(ctx.db, group.id, decodeMarker(i.Marker), max + 1);
    const page = toPage(rows, max, (u) => u.nameKey);
    return {
      Group: groupShape(group),
      Users: page.items.map((u) => userShape(u)),
      IsTruncated: page.IsTruncated,
      Marker: page.Marker,
    };
  },
);

export const listGroups = iamOperation(
  "ListGroups",
  z.object({ PathPrefix: pathPrefix.optional(), ...paging }),
  (_i, ctx) => groupResource(ctx, ""),
  async (i, ctx) => {
    const max = i.MaxItems ?? DEFAULT_MAX_ITEMS;
    const rows = await listGroupsPage(ctx.db, ctx.accountId, i.PathPrefix, decodeMarker(i.Marker), max + 1);
    const page = toPage(rows, max, (g) => g.nameKey);
    return { Groups: page.items.map(groupShape), IsTruncated: page.IsTruncated, Marker: page.Marker };
  },
);

export const updateGroup = iamOperation(
  "UpdateGroup",
  z.object({ GroupName: groupName, NewPath: path.optional(), NewGroupName: groupName.optional() }),
  // AWS requires the permission on the group as it is and as it will be (new name and path).
  (i, ctx) => ({ ...entityRef(ctx, "group", i.GroupName), renameTo: { name: i.NewGroupName, path: i.NewPath } }),
  async (i, ctx) => {
    const group = await requireGroup(ctx.db, ctx.accountId, i.GroupName);
    await renameGroup(ctx.db, group, i.NewGroupName, i.NewPath);
    return undefined;
  },
);

export const deleteGroupOp = iamOperation(
  "DeleteGroup",
  z.object({ GroupName: groupName }),
  (i, ctx) => entityRef(ctx, "group", i.GroupName),
  async (i, ctx) => {
    await deleteGroup(ctx.db, await requireGroup(ctx.db, ctx.accountId, i.GroupName));
    return undefined;
  },
);

export const addUserToGroup = iamOperation(
  "AddUserToGroup",
  z.object({ GroupName: groupName, UserName: existingUserName }),
  (i, ctx) => entityRef(ctx, "group", i.GroupName),
  async (i, ctx) => {
    const { group, user } = await requireGroupAndUser(ctx.db, ctx.accountId, i.GroupName, i.UserName);
    await addMember(ctx.db, group, user, ctx.now.getTime());
    return undefined;
  },
);

export const removeUserFromGroup = iamOperation(
  "RemoveUserFromGroup",
  z.object({ GroupName: groupName, UserName: existingUserName }),
  (i, ctx) => entityRef(ctx, "group", i.GroupName),
  async (i, ctx) => {
    const { group, user } = await requireGroupAndUser(ctx.db, ctx.accountId, i.GroupName, i.UserName);
    await removeMember(ctx.db, group, user);
    return undefined;
  },
);

export const listGroupsForUser = iamOperation(
  "ListGroupsForUser",
  z.object({ UserName: existingUserName, ...paging }),
  (i, ctx) => entityRef(ctx, "user", i.UserName),
  async (i, ctx) => {
    const user = await requireUser(ctx.db, ctx.accountId, i.UserName);
    const max = i.MaxItems ?? DEFAULT_MAX_ITEMS;
    const rows = await userGroupsPage(ctx.db, user.id, decodeMarker(i.Marker), max + 1);
    const page = toPage(rows, max, (g) => g.nameKey);
    return { Groups: page.items.map(groupShape), IsTruncated: page.IsTruncated, Marker: page.Marker };
  },
);

export const groupOperations = [
  createGroup,
  getGroup,
  listGroups,
  updateGroup,
  deleteGroupOp,
  addUserToGroup,
  removeUserFromGroup,
  listGroupsForUser,
];
