// Instance profile operations: create, read, list, delete and tag profiles, and put a role in (or take it out of) one.
import { z } from "zod";
import { uniqueId } from "../aws/ids";
import type { XmlValue } from "../aws/xml";
import { entityArn, entityRef, iamOperation, type OperationContext } from "../core/operation";
import {
  addRoleToProfile,
  deleteProfile,
  insertProfile,
  listProfilesPage,
  profileQuery,
  profileRolesQuery,
  profileTagsQuery,
  removeRoleFromProfile,
  requireFetchedProfile,
  requireProfile,
  type InstanceProfileRow,
  type RoleRow,
} from "../store/instance-profiles";
import { requireRole } from "../store/roles";
import { assertDistinctKeys, listTags, tagResource, untagResource, type Tag } from "../store/tags";
import { str } from "../api/validation";
import { path, pathPrefix, paging, roleName, tagKeyList, tagList } from "./fields";
import { nameKey } from "./names";
import { decodeMarker, DEFAULT_MAX_ITEMS, toPage } from "./paging";
import { roleShape } from "./shapes";
import { pageOfTags } from "./tagging";
import { refuseServiceLinkedRoleEdit } from "./service-linked-guard";

const profileName = str({ min: 1, max: 128, pattern: "[\\w+=,.@-]+" });

/*
 * The path of an existing profile is only in its row, so policies see its ARN without the path; the name still
 * matches `instance-profile/<name>` and `instance-profile/*`.
 */
const profileArn = (ctx: OperationContext, name: string, p?: string) => entityArn(ctx, "instance-profile", name, p);

/** A role inside a profile: the role's own members, without last use, boundary or tags, as AWS lists it there. */
const memberRole = (r: RoleRow) => roleShape({ ...r, permissionsBoundaryArn: null }, undefined, false);

function profileShape(p: InstanceProfileRow, roles: RoleRow[], tags?: Tag[]): XmlValue {
  return {
    Path: p.path,
    InstanceProfileName: p.name,
    InstanceProfileId: p.id,
    Arn: p.arn,
    CreateDate: new Date(p.createdAt),
    Roles: roles.map(memberRole),
    Tags: tags && tags.length > 0 ? tags.map((t) => ({ Key: t.Key, Value: t.Value })) : undefined,
  };
}

export const createInstanceProfile = iamOperation(
  "CreateInstanceProfile",
  z.object({ InstanceProfileName: profileName, Path: path.optional(), Tags: tagList.optional() }),
  (i, ctx) => profileArn(ctx, i.InstanceProfileName, i.Path),
  async (i, ctx) => {
    const tags = i.Tags ?? [];
    assertDistinctKeys(tags.map((t) => t.Key));
    const p = i.Path ?? "/";
    const row: InstanceProfileRow = {
      id: uniqueId("AIPA"),
      accountId: ctx.accountId,
      name: i.InstanceProfileName,
      nameKey: nameKey(i.InstanceProfileName),
      path: p,
      arn: profileArn(ctx, i.InstanceProfileName, p),
      createdAt: ctx.now.getTime(),
    };
    await insertProfile(ctx.db, row, tags);
    return { InstanceProfile: profileShape(row, [], tags) };
  },
);

const byName = z.object({ InstanceProfileName: profileName });

export const getInstanceProfile = {
  ...iamOperation(
    "GetInstanceProfile",
    byName,
    (i, ctx) => profileArn(ctx, i.InstanceProfileName),
    async (i, ctx) => {
      const [rows, roles, tags] = ctx.preloaded ?? [];
      const profile = requireFetchedProfile(i.InstanceProfileName, rows as unknown[]);
      const members = (roles as { role: RoleRow }[]).map((m) => m.role);
      return { InstanceProfile: profileShape(profile, members, tags as Tag[]) };
    },
  ),
  // The profile, its role and its tags ride in the authorization batch: one round trip.
  preload: (i: z.infer<typeof byName>, ctx: OperationContext) => [
    profileQuery(ctx.db, ctx.accountId, i.InstanceProfileName),
    profileRolesQuery(ctx.db, ctx.accountId, i.InstanceProfileName),
    profileTagsQuery(ctx.db, ctx.accountId, i.InstanceProfileName),
  ],
};

export const listInstanceProfiles = iamOperation(
  "ListInstanceProfiles",
  z.object({ PathPrefix: pathPrefix.optional(), ...paging }),
  (_i, ctx) => profileArn(ctx, ""),
  async (i, ctx) => {
    const max = i.MaxItems ?? DEFAULT_MAX_ITEMS;
    const rows = await listProfilesPage(
      ctx.db,
      ctx.accountId,
      { prefix: i.PathPrefix },
      decodeMarker(i.Marker),
      max + 1,
    );
    const page = toPage(rows, max, (r) => r.profile.nameKey);
    // ListInstanceProfiles leaves out tags, as AWS documents.
    const InstanceProfiles = page.items.map((r) => profileShape(r.profile, r.roles));
    return { InstanceProfiles, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },
);

export const listInstanceProfilesForRole = iamOperation(
  "ListInstanceProfilesForRole",
  z.object({ RoleName: roleName, ...paging }),
  (i, ctx) => entityRef(ctx, "role", i.RoleName),
  async (i, ctx) => {
    const role = await requireRole(ctx.db, ctx.accountId, i.RoleName);
    const max = i.MaxItems ?? DEFAULT_MAX_ITEMS;
    const rows = await listProfilesPage(ctx.db, ctx.accountId, { roleId: role.id }, decodeMarker(i.Marker), max + 1);
    const page = toPage(rows, max, (r) => r.profile.nameKey);
    const InstanceProfiles = page.items.map((r) => profileShape(r.profile, r.roles));
    return { InstanceProfiles, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },
);

export const deleteInstanceProfile = iamOperation(
  "DeleteInstanceProfile",
  byName,
  (i, ctx) => profileArn(ctx, i.InstanceProfileName),
  async (i, ctx) => {
    await deleteProfile(ctx.db, await requireProfile(ctx.db, ctx.accountId, i.InstanceProfileName));
    return undefined;
  },
);

const membership = z.object({ InstanceProfileName: profileName, RoleName: roleName });

/** Both calls need the profile and the role; a missing profile is reported before a missing role, as AWS does. */
async function profileAndRole(ctx: OperationContext, i: z.infer<typeof membership>) {
  const profile = await requireProfile(ctx.db, ctx.accountId, i.InstanceProfileName);
  const role = await requireRole(ctx.db, ctx.accountId, i.RoleName);
  refuseServiceLinkedRoleEdit(role);
  return { profile, role };
}

export const addRoleToInstanceProfile = iamOperation(
  "AddRoleToInstanceProfile",
  membership,
  (i, ctx) => profileArn(ctx, i.InstanceProfileName),
  async (i, ctx) => {
    const { profile, role } = await profileAndRole(ctx, i);
    await addRoleToProfile(ctx.db, profile, role, ctx.now.getTime());
    return undefined;
  },
);

export const removeRoleFromInstanceProfile = iamOperation(
  "RemoveRoleFromInstanceProfile",
  membership,
  (i, ctx) => profileArn(ctx, i.InstanceProfileName),
  async (i, ctx) => {
    const { profile, role } = await profileAndRole(ctx, i);
    await removeRoleFromProfile(ctx.db, profile, role);
    return undefined;
  },
);

export const tagInstanceProfile = iamOperation(
  "TagInstanceProfile",
  z.object({ InstanceProfileName: profileName, Tags: tagList }),
  (i, ctx) => profileArn(ctx, i.InstanceProfileName),
  async (i, ctx) => {
    const profile = await requireProfile(ctx.db, ctx.accountId, i.InstanceProfileName);
    await tagResource(ctx.db, ctx.accountId, "instance-profile", profile.id, i.Tags);
    return undefined;
  },
);

export const untagInstanceProfile = iamOperation(
  "UntagInstanceProfile",
  z.object({ InstanceProfileName: profileName, TagKeys: tagKeyList }),
  (i, ctx) => profileArn(ctx, i.InstanceProfileName),
  async (i, ctx) => {
    const profile = await requireProfile(ctx.db, ctx.accountId, i.InstanceProfileName);
    await untagResource(ctx.db, profile.id, i.TagKeys);
    return undefined;
  },
);

export const listInstanceProfileTags = iamOperation(
  "ListInstanceProfileTags",
  z.object({ InstanceProfileName: profileName, ...paging }),
  (i, ctx) => profileArn(ctx, i.InstanceProfileName),
  async (i, ctx) => {
    const profile = await requireProfile(ctx.db, ctx.accountId, i.InstanceProfileName);
    return pageOfTags(await listTags(ctx.db, profile.id), i.Marker, i.MaxItems);
  },
);

export const instanceProfileOperations = [
  createInstanceProfile,
  getInstanceProfile,
  listInstanceProfiles,
  listInstanceProfilesForRole,
  deleteInstanceProfile,
  addRoleToInstanceProfile,
  removeRoleFromInstanceProfile,
  tagInstanceProfile,
  untagInstanceProfile,
  listInstanceProfileTags,
];
