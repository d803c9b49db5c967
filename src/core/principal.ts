// Who signed a request: a discriminated union of the principals AWS knows, produced by the credential resolvers.

/** How the caller's credentials were issued: long-term keys, or temporary ones from STS (kept in KV). */
export interface CredentialOrigin {
  accessKeyId: string;
  /** When STS issued the temporary credentials (epoch ms); absent for long-term keys. */
  tokenIssuedAt?: number;
  /** Whether the temporary credentials were obtained with an MFA code. */
  mfaPresent?: boolean;
}

interface PrincipalBase {
  /** The account the principal belongs to and acts in. */
  accountId: string;
  /** The principal ARN as AWS reports it (GetCallerIdentity, AccessDenied messages). */
  arn: string;
  /** AWS's unique id (aws:userid): the account id for root, AIDA... for users, AROA...:session for role sessions. */
  userId: string;
  credentials: CredentialOrigin;
}

export interface RootPrincipal extends PrincipalBase {
  kind: "root";
  /**
   * Set for a privileged session from STS AssumeRoot: the member account's root user, cut by the explicit denies of
   * the AWS managed task policy it was issued with (and by its account's SCPs); `aws:AssumedRoot` is true.
   */
  assumedRoot?: { taskPolicyArn: string };
}

export interface UserPrincipal extends PrincipalBase {
  kind: "user";
  /** The IAM user's row id (AIDA...). */
  id: string;
  name: string;
}

/** A role session's own data, as STS stored it when it issued the credentials. */
export interface RoleSessionInfo {
  roleId: string;
  roleName: string;
  /** The role's ARN with its path (aws:PrincipalArn). */
  roleArn: string;
  sessionName: string;
  /** Inline session policy (JSON text) passed as `Policy`. */
  policy?: string;
  /** Managed session policies passed as `PolicyArns`. */
  policyArns: string[];
  /** Session tags (keys as given), already merged with the transitive tags of a previous session. */
  tags: Record<string, string>;
  transitiveTagKeys: string[];
  sourceIdentity?: string;
  /** True when the session was assumed with credentials of another role session (role chaining). */
  chained: boolean;
}

export interface AssumedRolePrincipal extends PrincipalBase {
  kind: "assumed-role";
  session: RoleSessionInfo;
}

/**
 * A federated user session (GetFederationToken): the IAM user's policies, or the root user's whole account, intersected
 * with the passed ones.
 */
export interface FederatedUserPrincipal extends PrincipalBase {
  kind: "federated-user";
  /** The IAM user whose credentials asked for the token; absent when the account's root user did. */
  ownerUserId?: string;
  ownerUserName?: string;
  federatedName: string;
  policy?: string;
  policyArns: string[];
  tags: Record<string, string>;
}

/**
 * An unsigned caller (AssumeRoleWithWebIdentity): no account and no policies. Only operations marked `unsigned`
 * ever run for it, and they admit it by their own checks (a verified token and the role's trust policy).
 */
export interface AnonymousPrincipal extends PrincipalBase {
  kind: "anonymous";
}

export type Principal =
  | RootPrincipal
  | UserPrincipal
  | AssumedRolePrincipal
  | FederatedUserPrincipal
  | AnonymousPrincipal;

/** The caller of an unsigned request: the engine reads "anonymous" as the anonymous principal, whom no policy names but "*". */
export const ANONYMOUS: AnonymousPrincipal = {
  kind: "anonymous",
  accountId: "",
  arn: "anonymous",
  userId: "anonymous",
  credentials: { accessKeyId: "" },
};

/** aws:PrincipalType as AWS documents it for each principal kind. */
export function principalType(p: Principal): string {
  switch (p.kind) {
    case "root":
      return "Account";
    case "user":
      return "User";
    case "assumed-role":
      return "AssumedRole";
    case "federated-user":
      return "FederatedUser";
    case "anonymous":
      return "Anonymous";
  }
}

/** The ARN that identity-based policies, trust policies and aws:PrincipalArn see for the principal. */
export function principalArnForPolicies(p: Principal): string {
  return p.kind === "assumed-role" ? p.session.roleArn : p.arn;
}
