// Service-linked roles belong to their AWS service: ordinary IAM edits of them are refused with UnmodifiableEntity,
// and no customer role may take their path. AWS: "Using service-linked roles" and "Update a service-linked role"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-service-linked-role.html): the service controls the
// role's trust policy, permissions and deletion; only its description may be edited through IAM, and tags may be
// added and removed (API_TagRole: "The role can be a regular role or a service-linked role").
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

/** The same refusal for an identity of any kind: only roles can be service-linked. */
export function refuseServiceLinkedEdit(identity: { kind: string; path: string; name: string }): void {
  if (identity.kind === "role") refuseServiceLinkedRoleEdit(identity);
}

/**
 * CreateRole under the service-linked path: AWS answers InvalidInput with this message (seen in AWS's answers quoted in
 * public issue threads); service-linked roles are created only by CreateServiceLinkedRole.
 */
export function refuseServiceRolePath(path: string): void {
  if (path.startsWith(SERVICE_ROLE_PATH)) {
    throw new AwsError(
      "InvalidInput",
      `Path prefix '${SERVICE_ROLE_PATH}' can only be used for AWS Service linked Roles`,
    );
  }
}
