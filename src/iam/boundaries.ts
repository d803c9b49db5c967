// Permissions boundaries: set or remove the managed policy that caps a user's or a role's permissions.
import { z } from "zod";
import { AwsError, concurrentModification } from "../aws/errors";
import { entityRef, guardedWrite, iamOperation, type OperationContext } from "../core/operation";
import {
  boundaryOutcome,
  principalQuery,
  putBoundaryStatements,
  requirePrincipal,
  setPermissionsBoundary,
  type Principal,
} from "../store/attachments";
import { policyExistsQuery, policyRequirement } from "../store/policies";
import { attachableByArn, checkAttachable, namedIdentity, requireAttachablePolicy } from "./attachments";
import { isAwsManagedArn } from "./aws-managed-policies";
import { arn, roleName, userName } from "./fields";
import { refuseServiceLinkedRoleEdit } from "./service-linked-guard";

const creationBoundaryMessage = (policyArn: string) => `Scope ARN: ${policyArn} does not exist or is not attachable.`;

/**
 * The boundary a CreateUser or CreateRole names must exist before the entity is stored; AWS words this refusal
 * differently from PutUserPermissionsBoundary's ("Scope ARN: ...").
 */
export async function requireCreationBoundary(ctx: OperationContext, policyArn: string, entity: Principal) {
  await requireAttachablePolicy(ctx, policyArn, entity, creationBoundaryMessage(policyArn));
}

/**
 * What the insert of a new user or role checks again in its own statement: that its customer managed boundary policy
 * still exists (an AWS managed one always does), so a DeletePolicy since `requireCreationBoundary` stores nothing.
 */
export function creationBoundaryRequirement(ctx: OperationContext, policyArn: string | null) {
  if (policyArn === null || isAwsManagedArn(policyArn)) return undefined;
  return policyRequirement(
    ctx.db,
    ctx.accountId,
    policyArn,
    () => new AwsError("NoSuchEntity", creationBoundaryMessage(policyArn)),
  );
}

/**
 * Put{User,Role}PermissionsBoundary: the identity and the policy are read in the authorization batch, then the
 * guarded update (`putBoundaryStatements`): two round trips in all, or one for a caller with no authorization batch.
 */
function putBoundaryOperation<S extends z.ZodType<{ name: string; PermissionsBoundary: string }>>(
  kind: "user" | "role",
  input: S,
) {
  /**
   * The checks in AWS's order, on the identity's and the policy's rows (the preload's or the write's).
   * API_PutRolePermissionsBoundary: "You cannot set the boundary for a service-linked role."
   */
  const check = (ctx: OperationContext, i: { name: string; PermissionsBoundary: string }, rows: unknown[]) =>
    checkAttachable(ctx, kind, i.name, i.PermissionsBoundary, rows);
  const who = (ctx: OperationContext, name: string) => namedIdentity(ctx, kind, name);
  return {
    ...iamOperation(
      kind === "user" ? "PutUserPermissionsBoundary" : "PutRolePermissionsBoundary",
      input,
      (i, ctx) => entityRef(ctx, kind, i.name),
      async (i, ctx) => {
        await check(ctx, i, ctx.preloaded ?? []);
        const outcome = boundaryOutcome(await guardedWrite(ctx));
        if (outcome.set) return undefined;
        // The guard refused what the preload allowed: a concurrent request deleted the identity or the policy. The
        // guard's own reads say which, in the same words.
        await check(ctx, i, [outcome.principalRows, outcome.policyRows]);
        throw concurrentModification();
      },
    ),
    preload: (i: { name: string; PermissionsBoundary: string }, ctx: OperationContext) => [
      principalQuery(ctx.db, ctx.accountId, kind, i.name),
      policyExistsQuery(ctx.db, ctx.accountId, i.PermissionsBoundary),
    ],
    // An ARN no attach would accept is refused by the handler's checks; nothing to send.
    write: (i: { name: string; PermissionsBoundary: string }, ctx: OperationContext) =>
      attachableByArn(i.PermissionsBoundary)
        ? putBoundaryStatements(
            ctx.db,
            who(ctx, i.name),
            i.PermissionsBoundary,
            !isAwsManagedArn(i.PermissionsBoundary),
          )
        : [],
  };
}

export const putUserPermissionsBoundary = putBoundaryOperation(
  "user",
  z
    .object({ UserName: userName, PermissionsBoundary: arn })
    .transform((i) => ({ name: i.UserName, PermissionsBoundary: i.PermissionsBoundary })),
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

export const putRolePermissionsBoundary = putBoundaryOperation(
  "role",
  z
    .object({ RoleName: roleName, PermissionsBoundary: arn })
    .transform((i) => ({ name: i.RoleName, PermissionsBoundary: i.PermissionsBoundary })),
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
