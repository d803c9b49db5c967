// Permissions boundaries: set or remove the managed policy that caps a user's or a role's permissions.
import { z } from "zod";
import { entityRef, iamOperation, type OperationContext } from "../core/operation";
import { requirePrincipal, setPermissionsBoundary, type Principal } from "../store/attachments";
import { requireAttachablePolicy } from "./attachments";
import { arn, roleName, userName } from "./fields";
import { AwsError } from "../aws/errors";

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

/** Service-linked roles (path /aws-service-role/) belong to AWS: their boundaries cannot be changed. */
function assertCustomerRole(role: { name: string; path: string }): void {
  if (role.path.startsWith("/aws-service-role/")) {
    throw new AwsError(
      "UnmodifiableEntity",
      `Cannot perform the operation on the protected role '${role.name}' - this role is only modifiable by AWS`,
    );
  }
}

export const putRolePermissionsBoundary = iamOperation(
  "PutRolePermissionsBoundary",
  z.object({ RoleName: roleName, PermissionsBoundary: arn }),
  (i, ctx) => entityRef(ctx, "role", i.RoleName),
  async (i, ctx) => {
    const role = await requirePrincipal(ctx.db, ctx.accountId, "role", i.RoleName);
    assertCustomerRole(role);
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
    assertCustomerRole(role);
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
