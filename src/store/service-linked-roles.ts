// Repository of service-linked roles: create with the service's policy attached, delete with everything on them.
import { and, eq } from "drizzle-orm";
import { AwsError } from "../aws/errors";
import type { Db } from "./db";
import { insertWhere, rowExists } from "./guarded-insert";
import { insertNamed } from "./named-entities";
import { ROLE, type RoleRow } from "./roles";
import { attachments, inlinePolicies, instanceProfileRoles, roleDeletionTasks, roles, tags } from "./schema";

/**
 * Inserts the role (within the account's role quota) and attaches the service's managed policy in the same batch,
 * the attachment conditional on the role's row so a refused create attaches nothing.
 */
export async function insertServiceLinkedRole(db: Db, row: RoleRow, policyArn: string | undefined): Promise<void> {
  const attach = policyArn
    ? [
        insertWhere(
          db,
          attachments,
          { accountId: row.accountId, principalKind: "role", principalId: row.id, policyArn, createdAt: row.createdAt },
          rowExists(roles, roles.id, row.id),
        ),
      ]
    : [];
  try {
    await insertNamed(db, ROLE, row, attach);
  } catch (err) {
    // The same service and suffix twice: AWS words it as a taken name.
    if (err instanceof AwsError && err.code === "EntityAlreadyExists") {
      throw new AwsError(
        "InvalidInput",
        `Service role name ${row.name} has been taken in this account, please try a different suffix.`,
      );
    }
    throw err;
  }
}

/**
 * AWS's deletion task removes the role with everything attached to it; here it runs at once, in one batch, and the
 * task is recorded as succeeded for GetServiceLinkedRoleDeletionStatus.
 */
export async function deleteServiceLinkedRole(db: Db, role: RoleRow, taskId: string, now: number): Promise<void> {
  await db.batch([
    db.delete(attachments).where(eq(attachments.principalId, role.id)),
    db.delete(inlinePolicies).where(eq(inlinePolicies.principalId, role.id)),
    db.delete(instanceProfileRoles).where(eq(instanceProfileRoles.roleId, role.id)),
    db.delete(tags).where(eq(tags.resourceId, role.id)),
    db.delete(roles).where(eq(roles.id, role.id)),
    db.insert(roleDeletionTasks).values({ id: taskId, accountId: role.accountId, status: "SUCCEEDED", createdAt: now }),
  ]);
}

export async function findDeletionTask(db: Db, accountId: string, taskId: string) {
  const [row] = await db
    .select()
    .from(roleDeletionTasks)
    .where(and(eq(roleDeletionTasks.accountId, accountId), eq(roleDeletionTasks.id, taskId)))
    .limit(1);
  return row;
}
