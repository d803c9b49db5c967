// Service-linked roles belong to their AWS service: ordinary IAM edits of them are refused with UnmodifiableEntity.
import { AwsError } from "../aws/errors";

/** AWS puts every service-linked role, and only those, under this path. */
export const SERVICE_ROLE_PATH = "/aws-service-role/";

export const isServiceLinkedRole = (role: { path: string }) => role.path.startsWith(SERVICE_ROLE_PATH);

/** AWS's refusal of a change to a role only its service may change. */
export function refuseServiceLinkedRoleEdit(role: { path: string; name: string }): void {
  if (isServiceLinkedRole(role)) {
    throw new AwsError(
      "UnmodifiableEntity",
      `Cannot perform the operation on the protected role '${role.name}' - this role is only modifiable by AWS`,
    );
  }
}
