// Permissions boundaries: set or remove the managed policy that caps a user's or a role's permissions.
import { z } from "zod";
import { entityRef, iamOperation, type OperationContext } from "../core/operation";
import { requirePrincipal, setPermissionsBoundary, type Principal } from "../store/attachments";
import { requireAttachablePolicy } from "./attachments";
import { arn, roleName, userName } from "./fields";
import { refuseServiceLinkedRoleEdit } from "./service-linked-guard";

/**
 * The boundary a CreateUser or CreateRole names must exist before the entity is stored; AWS words this refusal
 * differently from PutUserPermissionsBoundary's ("Scope ARN: ...").
 */
export async function requireCreationBoundary(ctx: OperationContext, policyArn: string, entity: Principal) {
  await requireAttachablePolicy(ctx, policyArn, entity, `Scope ARN: ${policyArn} does not exist or is not attachable.`);
}

export const putUserPermissionsBoundary = iamOperation(
  "PutUserPermissionsBoundary",
  z.object({ UserName: userName, PermissionsBoundary: arn }),
  (i, ctx) => entityRef(ctx, "user", i.UserName),
  async (i, ctx) => {
    const user = await requirePrincipal(ctx.db, ctx.accountId, "user", i.UserName);
    await requireAttachablePolicy(ctx, i.PermissionsBoundary, user);
    await setPermissionsBoundary(ctx.db, user, i.PermissionsBoundary);
    return undefined;
  },
);

export const deleteUserPermissionsBoundary = iamOperation(
  "DeleteUserPermissionsBoundary",
  z.object({ UserName: userName }),
  (i, ctx) => entityRef(ctx, "user", i.UserName),
  async (i, ctx) => {
    const user = await requirePrincipal(ctx.db, ctx.accountId, "user", i.UserName);
    await setPermissionsBoundary(ctx.db, user, null);
    return undefined;
  },
);

// API_PutRolePermissionsBoundary: "You cannot set the boundary for a service-linked role."
export const putRolePermissionsBoundary = iamOperation(
  "PutRolePermissionsBoundary",
  z.object({ RoleName: roleName, PermissionsBoundary: arn }),
  (i, ctx) => entityRef(ctx, "role", i.RoleName),
  async (i, ctx) => {
    const role = await requirePrincipal(ctx.db, ctx.accountId, "role", i.RoleName);
    refuseServiceLinkedRoleEdit(role);
    await requireAttachablePolicy(ctx, i.PermissionsBoundary, role);
    await setPermissionsBoundary(ctx.db, role, i.PermissionsBoundary);
    return undefined;
  },
);

export const deleteRolePermissionsBoundary = iamOperation(
  "DeleteRolePermissionsBoundary",
  z.object({ RoleName: roleName }),
  (i, ctx) => entityRef(ctx, "role", i.RoleName),
  async (i, ctx) => {
    const role = await requirePrincipal(ctx.db, ctx.accountId, "role", i.RoleName);
    refuseServiceLinkedRoleEdit(role);
    await setPermissionsBoundary(ctx.db, role, null);
    return undefined;
  },
);

export const boundaryOperations = [
  putUserPermissionsBoundary,
  deleteUserPermissionsBoundary,
  putRolePermissionsBoundary,
  deleteRolePermissionsBoundary,
];
