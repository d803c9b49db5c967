// Who signed a request: the authenticated principal every operation and the policy engine see.

export type CallerKind = "root" | "user" | "assumed-role";

export interface Caller {
  kind: CallerKind;
  accountId: string;
  /** The principal ARN as AWS reports it (GetCallerIdentity, AccessDenied messages). */
  arn: string;
  /** AWS's unique id of the principal (AIDA... for users; the account id for root). */
  userId: string;
  /** The IAM user's or role's row id, when the caller is one. */
  principalId?: string;
  userName?: string;
  accessKeyId: string;
}
