// Which requests AWS decides with a resource policy that must allow on its own terms: role trust and KMS key policies.
import type { ResourceKind } from "./types.ts";

/** The STS actions authorized by the trust policy of the role they name. */
const ASSUME_ROLE_ACTIONS = new Set(["sts:assumerole", "sts:assumerolewithsaml", "sts:assumerolewithwebidentity"]);

const ROLE_ARN = /^arn:[^:]+:iam::\d{12}:role\//;
const KMS_KEY_ARN = /^arn:[^:]+:kms:[^:]*:\d{12}:key\//;

/**
 * The kind of the resource policy for a request: "role-trust" for sts:AssumeRole, AssumeRoleWithSAML or
 * AssumeRoleWithWebIdentity on a role ARN; "kms-key" for any action on a KMS key ARN; otherwise "ordinary".
 * `lowerAction` is the action in lower case.
 */
export function resourceKindOf(lowerAction: string, resource: string): ResourceKind {
  if (resource.startsWith("arn:")) {
    if (ASSUME_ROLE_ACTIONS.has(lowerAction) && ROLE_ARN.test(resource)) return "role-trust";
    if (KMS_KEY_ARN.test(resource)) return "kms-key";
  }
  return "ordinary";
}

/** Actions AWS allows whatever the policies say. */
export function isAlwaysAllowed(lowerAction: string): boolean {
  return lowerAction === "sts:getcalleridentity";
}
