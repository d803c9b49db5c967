// IAM role operations: create, read, list, update, delete and tag roles, and replace their trust policies.
import { z } from "zod";
import { AwsError } from "../aws/errors";
import { uniqueId } from "../aws/ids";
import { entityArn, entityRef, iamOperation, withPreload, type OperationContext } from "../core/operation";
import { validatePolicyDocument } from "../engine/index";
import { deleteRole, insertRole, noSuchRole, requireRole, ROLE, updateRole, type RoleRow } from "../store/roles";
import { listNamedPageQuery, namedQuery, namedTagsQuery, requireFetched } from "../store/named-entities";
import { assertDistinctKeys, listTags, tagResource, untagResource, type Tag } from "../store/tags";
import {
  arn,
  maxSessionDuration,
  path,
  pathPrefix,
  paging,
  policyDocument,
  roleDescription,
  roleName,
  tagKeyList,
  tagList,
} from "./fields";
import { creationBoundaryRequirement, requireCreationBoundary } from "./boundaries";
import { nameKey } from "./names";
import { decodeMarker, DEFAULT_MAX_ITEMS, toPage } from "./paging";
import { roleShape } from "./shapes";
import { pageOfTags } from "./tagging";
import { assertTrustPrincipalsExist } from "./trust-principals";
import { refuseServiceLinkedRoleEdit, refuseServiceRolePath } from "./service-linked-guard";

const roleResource = (ctx: OperationContext, name: string, p?: string) => entityArn(ctx, "role", name, p);

export const MAX_TRUST_POLICY_SIZE = 2048;

/** A trust policy must parse as one and fit the quota, which AWS counts without whitespace. */
function checkTrustPolicy(document: string, partition: string): void {
  if (document.replace(/\s/g, "").length > MAX_TRUST_POLICY_SIZE) {
    throw new AwsError("LimitExceeded", `Cannot exceed quota for ACLSizePerRole: ${MAX_TRUST_POLICY_SIZE}`);
  }
  const result = validatePolicyDocument(document, "trust", { partition });
  if (!result.ok) throw new AwsError("MalformedPolicyDocument", result.message);
}

/** GetRole and the calls that return a whole role send its tags along. */
async function fullRole(ctx: OperationContext, role: RoleRow) {
  return roleShape(role, await listTags(ctx.db, role.id));
}

export const createRole = iamOperation(
  "CreateRole",
  z.object({
    Path: path.optional(),
    RoleName: roleName,
    AssumeRolePolicyDocument: policyDocument,
    Description: roleDescription.optional(),
    MaxSessionDuration: maxSessionDuration.optional(),
    PermissionsBoundary: arn.optional(),
    Tags: tagList.optional(),
  }),
  (i, ctx) => roleResource(ctx, i.RoleName, i.Path),
  async (i, ctx) => {
    const tags = i.Tags ?? [];
    // Only CreateServiceLinkedRole puts a role under /aws-service-role/.
    refuseServiceRolePath(i.Path ?? "/");
    assertDistinctKeys(tags.map((t) => t.Key));
    checkTrustPolicy(i.AssumeRolePolicyDocument, ctx.partition);
    await assertTrustPrincipalsExist(ctx.db, ctx.accountId, i.AssumeRolePolicyDocument);
    const p = i.Path ?? "/";
    const row: RoleRow = {
      id: uniqueId("AROA"),
      accountId: ctx.accountId,
      name: i.RoleName,
      nameKey: nameKey(i.RoleName),
      path: p,
      arn: roleResource(ctx, i.RoleName, p),
      assumeRolePolicy: i.AssumeRolePolicyDocument,
      description: i.Description ?? null,
      maxSessionDuration: i.MaxSessionDuration ?? 3600,
      permissionsBoundaryArn: i.PermissionsBoundary ?? null,
      lastUsedAt: null,
      lastUsedRegion: null,
      createdAt: ctx.now.getTime(),
    };
    if (row.permissionsBoundaryArn !== null) {
      await requireCreationBoundary(ctx, row.permissionsBoundaryArn, { kind: "role", ...row });
    }
    await insertRole(ctx.db, row, tags, creationBoundaryRequirement(ctx, row.permissionsBoundaryArn));
    // AWS's CreateRole answer carries no RoleLastUsed: the role cannot have been used yet.
    return { Role: roleShape(row, tags, false) };
  },
);

// Reads ride in the authorization batch: one D1 round trip each.
export const getRole = withPreload(
  iamOperation(
    "GetRole",
    z.object({ RoleName: roleName }),
    (i, ctx) => entityRef(ctx, "role", i.RoleName),
    async (i, ctx) => {
      const [rows, tags] = ctx.preloaded ?? [];
      return { Role: roleShape(requireFetched(ROLE, i.RoleName, rows as unknown[]), tags as Tag[]) };
    },
  ),
  (i, ctx) => [
    namedQuery(ctx.db, ROLE, ctx.accountId, i.RoleName),
    namedTagsQuery(ctx.db, ROLE, ctx.accountId, i.RoleName),
  ],
);

export const listRoles = withPreload(
  iamOperation(
    "ListRoles",
    z.object({ PathPrefix: pathPrefix.optional(), ...paging }),
    (_i, ctx) => roleResource(ctx, ""),
    async (i, ctx) => {
      const max = i.MaxItems ?? DEFAULT_MAX_ITEMS;
      const rows = (ctx.preloaded?.[0] ?? []) as RoleRow[];
      const page = toPage(rows, max, (r) => r.nameKey);
      // ListRoles leaves out PermissionsBoundary, RoleLastUsed and Tags, as AWS documents.
      const Roles = page.items.map((r) => roleShape({ ...r, permissionsBoundaryArn: null }, undefined, false));
      return { Roles, IsTruncated: page.IsTruncated, Marker: page.Marker };
    },
  ),
  (i, ctx) => [
    listNamedPageQuery(
      ctx.db,
      ROLE,
      ctx.accountId,
      i.PathPrefix,
      decodeMarker(i.Marker),
      (i.MaxItems ?? DEFAULT_MAX_ITEMS) + 1,
    ),
  ],
);

export const updateRoleOp = iamOperation(
  "UpdateRole",
  z.object({
    RoleName: roleName,
    Description: roleDescription.optional(),
    MaxSessionDuration: maxSessionDuration.optional(),
  }),
  (i, ctx) => entityRef(ctx, "role", i.RoleName),
  async (i, ctx) => {
    const role = await requireRole(ctx.db, ctx.accountId, i.RoleName);
    // AWS lets anyone edit a service-linked role's description ("Update a service-linked role"); anything else of
    // it, the maximum session duration included, is its service's to change.
    if (i.MaxSessionDuration !== undefined) refuseServiceLinkedRoleEdit(role);
    await updateRole(ctx.db, role, {
      ...(i.Description !== undefined ? { description: i.Description } : {}),
      ...(i.MaxSessionDuration !== undefined ? { maxSessionDuration: i.MaxSessionDuration } : {}),
    });
    return {};
  },
);

export const updateRoleDescription = iamOperation(
  "UpdateRoleDescription",
  z.object({ RoleName: roleName, Description: roleDescription }),
  (i, ctx) => entityRef(ctx, "role", i.RoleName),
  async (i, ctx) => {
    const role = await requireRole(ctx.db, ctx.accountId, i.RoleName);
    return { Role: await fullRole(ctx, await updateRole(ctx.db, role, { description: i.Description })) };
  },
);

export const updateAssumeRolePolicy = iamOperation(
  "UpdateAssumeRolePolicy",
  z.object({ RoleName: roleName, PolicyDocument: policyDocument }),
  (i, ctx) => entityRef(ctx, "role", i.RoleName),
  async (i, ctx) => {
    const role = await requireRole(ctx.db, ctx.accountId, i.RoleName);
    refuseServiceLinkedRoleEdit(role);
    checkTrustPolicy(i.PolicyDocument, ctx.partition);
    await assertTrustPrincipalsExist(ctx.db, ctx.accountId, i.PolicyDocument);
    await updateRole(ctx.db, role, { assumeRolePolicy: i.PolicyDocument });
    return undefined;
  },
);

export const deleteRoleOp = iamOperation(
  "DeleteRole",
  z.object({ RoleName: roleName }),
  (i, ctx) => entityRef(ctx, "role", i.RoleName),
  async (i, ctx) => {
    const role = await requireRole(ctx.db, ctx.accountId, i.RoleName);
    // A service-linked role goes only through DeleteServiceLinkedRole.
    refuseServiceLinkedRoleEdit(role);
    await deleteRole(ctx.db, role);
    return undefined;
  },
);

export const tagRole = iamOperation(
  "TagRole",
  z.object({ RoleName: roleName, Tags: tagList }),
  (i, ctx) => entityRef(ctx, "role", i.RoleName),
  async (i, ctx) => {
    const role = await requireRole(ctx.db, ctx.accountId, i.RoleName);
    await tagResource(ctx.db, ctx.accountId, "role", role.id, i.Tags, () => noSuchRole(role.name));
    return undefined;
  },
);

export const untagRole = iamOperation(
  "UntagRole",
  z.object({ RoleName: roleName, TagKeys: tagKeyList }),
  (i, ctx) => entityRef(ctx, "role", i.RoleName),
  async (i, ctx) => {
    const role = await requireRole(ctx.db, ctx.accountId, i.RoleName);
    await untagResource(ctx.db, role.id, i.TagKeys);
    return undefined;
  },
);

export const listRoleTags = iamOperation(
  "ListRoleTags",
  z.object({ RoleName: roleName, ...paging }),
  (i, ctx) => entityRef(ctx, "role", i.RoleName),
  async (i, ctx) => {
    const role = await requireRole(ctx.db, ctx.accountId, i.RoleName);
    return pageOfTags(await listTags(ctx.db, role.id), i.Marker, i.MaxItems);
  },
);

export const roleOperations = [
  createRole,
  getRole,
  listRoles,
  updateRoleOp,
  updateRoleDescription,
  updateAssumeRolePolicy,
  deleteRoleOp,
  tagRole,
  untagRole,
  listRoleTags,
];
