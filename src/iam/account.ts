// Account-level IAM operations: the password policy, the account alias, GetAccountSummary and the STS preferences.
import { z } from "zod";
import { AwsError } from "../aws/errors";
import { xmlMap } from "../aws/xml";
import { authorize } from "../core/authorize";
import { iamOperation, type Operation, type OperationContext, type ResourceTarget } from "../core/operation";
import { bool, int, str } from "../api/validation";
import {
  accountCounts,
  createAlias,
  deleteAlias,
  deletePasswordPolicy,
  getPasswordPolicy,
  listAliases,
  putPasswordPolicy,
  type PasswordPolicy,
} from "../store/account";
import { MAX_ACCESS_KEYS_PER_USER } from "../store/access-keys";
import { MAX_ATTACHED_POLICIES } from "../store/attachments";
import { MAX_GROUPS_PER_ACCOUNT, MAX_GROUPS_PER_USER } from "../store/groups";
import { MAX_INLINE_SIZE } from "../store/inline-policies";
import { MAX_POLICIES_PER_ACCOUNT, MAX_POLICY_VERSIONS } from "../store/policies";
import { MAX_ROLES_PER_ACCOUNT } from "../store/roles";
import { MAX_USERS_PER_ACCOUNT } from "../store/users";
import { paging } from "./fields";
import { MAX_MANAGED_POLICY_SIZE } from "./policies";
import { MAX_TRUST_POLICY_SIZE } from "./roles";
import { decodeMarker } from "./paging";
import { rootAccessOperations } from "./root-access";
import { outboundFederationOperations } from "./outbound-federation";
import { kvOrgSettings } from "../store/org-features";

/** Account-level actions are not scoped to a resource ARN. */
const ANY = () => "*";

// ---- Password policy ----

/** The symbols RequireSymbols asks for, exactly as AWS lists them. */
const SYMBOLS = "!@#$%^&*()_+-=[]{}|'";

const hasUpper = (p: string) => /[A-Z]/.test(p);
const hasLower = (p: string) => /[a-z]/.test(p);
const hasNumber = (p: string) => /[0-9]/.test(p);
const hasSymbol = (p: string) => [...p].some((c) => SYMBOLS.includes(c));

/**
 * The rules a password breaks. Without a custom policy AWS applies its default one: at least 8 characters and at
 * least three of the four character types.
 */
export function passwordViolations(policy: PasswordPolicy | null, password: string): string[] {
  const problems: string[] = [];
  if (policy === null) {
    if (password.length < 8) problems.push("Password should have a minimum length of 8");
    const types = [hasUpper, hasLower, hasNumber, hasSymbol].filter((has) => has(password)).length;
    if (types < 3) {
      problems.push(
        "Password should have at least three of the following character types: uppercase letters, " +
          "lowercase letters, numbers and symbols",
      );
    }
    return problems;
  }
  if (password.length < policy.MinimumPasswordLength) {
    problems.push(`Password should have a minimum length of ${policy.MinimumPasswordLength}`);
  }
  if (policy.RequireUppercaseCharacters && !hasUpper(password)) {
    problems.push("Password should have at least one uppercase letter");
  }
  if (policy.RequireLowercaseCharacters && !hasLower(password)) {
    problems.push("Password should have at least one lowercase letter");
  }
  if (policy.RequireNumbers && !hasNumber(password)) problems.push("Password should have at least one number");
  if (policy.RequireSymbols && !hasSymbol(password)) problems.push("Password should have at least one symbol");
  return problems;
}

/** Throws PasswordPolicyViolation naming every rule the password breaks. */
export function assertPasswordAllowed(policy: PasswordPolicy | null, password: string): void {
  const problems = passwordViolations(policy, password);
  if (problems.length > 0) throw new AwsError("PasswordPolicyViolation", problems.join("; "));
}

/**
 * AllowUsersToChangePassword grants every IAM user iam:ChangePassword on itself and iam:GetAccountPasswordPolicy
 * without any policy; otherwise the caller's policies decide as usual.
 */
export async function authorizeSelfService(
  ctx: OperationContext,
  policy: PasswordPolicy | null,
  action: string,
  resource: ResourceTarget,
): Promise<void> {
  if (ctx.principal.kind === "user" && policy?.AllowUsersToChangePassword === true) return;
  await authorize(ctx.db, ctx.principal, ctx, { action, target: resource });
}

function policyShape(p: PasswordPolicy) {
  return {
    MinimumPasswordLength: p.MinimumPasswordLength,
    RequireSymbols: p.RequireSymbols,
    RequireNumbers: p.RequireNumbers,
    RequireUppercaseCharacters: p.RequireUppercaseCharacters,
    RequireLowercaseCharacters: p.RequireLowercaseCharacters,
    AllowUsersToChangePassword: p.AllowUsersToChangePassword,
    ExpirePasswords: p.MaxPasswordAge > 0,
    // Both start at 1 in AWS's valid ranges; "0 or not present" is how AWS documents an unset one (see ExpirePasswords).
    MaxPasswordAge: p.MaxPasswordAge > 0 ? p.MaxPasswordAge : undefined,
    PasswordReusePrevention: p.PasswordReusePrevention > 0 ? p.PasswordReusePrevention : undefined,
    // AWS documents false as HardExpiry's default and returns it (API_GetAccountPasswordPolicy's sample response);
    // policies stored before it was always written lack it.
    HardExpiry: p.HardExpiry ?? false,
  };
}

/** Authorized in the handler (action null in the table) because AllowUsersToChangePassword also grants it. */
export const getAccountPasswordPolicy: Operation<z.ZodObject<Record<string, never>>> = {
  ...iamOperation("GetAccountPasswordPolicy", z.object({}), ANY, async (_i, ctx) => {
    const policy = await getPasswordPolicy(ctx.db, ctx.accountId);
    await authorizeSelfService(ctx, policy, "iam:GetAccountPasswordPolicy", "*");
    if (!policy) {
      throw new AwsError("NoSuchEntity", `The Password Policy with domain name ${ctx.accountId} cannot be found.`);
    }
    return { PasswordPolicy: policyShape(policy) };
  }),
  action: null,
};

export const updateAccountPasswordPolicy = iamOperation(
  "UpdateAccountPasswordPolicy",
  z.object({
    MinimumPasswordLength: int({ min: 6, max: 128 }).optional(),
    RequireSymbols: bool().optional(),
    RequireNumbers: bool().optional(),
    RequireUppercaseCharacters: bool().optional(),
    RequireLowercaseCharacters: bool().optional(),
    AllowUsersToChangePassword: bool().optional(),
    MaxPasswordAge: int({ min: 1, max: 1095 }).optional(),
    PasswordReusePrevention: int({ min: 1, max: 24 }).optional(),
    HardExpiry: bool().optional(),
  }),
  ANY,
  async (i, ctx) => {
    // No partial updates: every parameter left out goes back to its documented default.
    await putPasswordPolicy(
      ctx.db,
      ctx.accountId,
      {
        MinimumPasswordLength: i.MinimumPasswordLength ?? 6,
        RequireSymbols: i.RequireSymbols ?? false,
        RequireNumbers: i.RequireNumbers ?? false,
        RequireUppercaseCharacters: i.RequireUppercaseCharacters ?? false,
        RequireLowercaseCharacters: i.RequireLowercaseCharacters ?? false,
        AllowUsersToChangePassword: i.AllowUsersToChangePassword ?? false,
        MaxPasswordAge: i.MaxPasswordAge ?? 0,
        PasswordReusePrevention: i.PasswordReusePrevention ?? 0,
        HardExpiry: i.HardExpiry ?? false,
      },
      ctx.now.getTime(),
    );
    return undefined;
  },
);

export const deleteAccountPasswordPolicy = iamOperation(
  "DeleteAccountPasswordPolicy",
  z.object({}),
  ANY,
  async (_i, ctx) => {
    await deletePasswordPolicy(ctx.db, ctx.accountId);
    return undefined;
  },
);

// ---- Account alias ----

const accountAlias = str({ min: 3, max: 63, pattern: "^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$" });

export const createAccountAlias = iamOperation(
  "CreateAccountAlias",
  z.object({ AccountAlias: accountAlias }),
  ANY,
  async (i, ctx) => {
    await createAlias(ctx.db, ctx.accountId, i.AccountAlias, ctx.now.getTime());
    return undefined;
  },
);

export const listAccountAliases = iamOperation("ListAccountAliases", z.object({ ...paging }), ANY, async (i, ctx) => {
  // An account has at most one alias, so there is never a second page: any Marker is one no response handed out.
  decodeMarker(i.Marker);
  return { AccountAliases: await listAliases(ctx.db, ctx.accountId), IsTruncated: false };
});

export const deleteAccountAlias = iamOperation(
  "DeleteAccountAlias",
  z.object({ AccountAlias: accountAlias }),
  ANY,
  async (i, ctx) => {
    await deleteAlias(ctx.db, ctx.accountId, i.AccountAlias);
    return undefined;
  },
);

// ---- Summary ----

/** The quotas this simulator enforces (the same constants the checks use), reported as AWS reports its defaults. */
export const QUOTAS = {
  UsersQuota: MAX_USERS_PER_ACCOUNT,
  GroupsQuota: MAX_GROUPS_PER_ACCOUNT,
  RolesQuota: MAX_ROLES_PER_ACCOUNT,
  PoliciesQuota: MAX_POLICIES_PER_ACCOUNT,
  InstanceProfilesQuota: 1000,
  ServerCertificatesQuota: 20,
  GroupsPerUserQuota: MAX_GROUPS_PER_USER,
  AccessKeysPerUserQuota: MAX_ACCESS_KEYS_PER_USER,
  SigningCertificatesPerUserQuota: 2,
  AttachedPoliciesPerUserQuota: MAX_ATTACHED_POLICIES,
  AttachedPoliciesPerGroupQuota: MAX_ATTACHED_POLICIES,
  AttachedPoliciesPerRoleQuota: MAX_ATTACHED_POLICIES,
  PolicySizeQuota: MAX_MANAGED_POLICY_SIZE,
  UserPolicySizeQuota: MAX_INLINE_SIZE.user,
  GroupPolicySizeQuota: MAX_INLINE_SIZE.group,
  RolePolicySizeQuota: MAX_INLINE_SIZE.role,
  AssumeRolePolicySizeQuota: MAX_TRUST_POLICY_SIZE,
  VersionsPerPolicyQuota: MAX_POLICY_VERSIONS,
  PolicyVersionsInUseQuota: 10000,
} as const;

export const getAccountSummary = iamOperation("GetAccountSummary", z.object({}), ANY, async (_i, ctx) => {
  const [c, tokenVersion] = await Promise.all([
    accountCounts(ctx.db, ctx.accountId),
    kvOrgSettings(ctx.env.KV).globalEndpointTokenVersion(ctx.accountId),
  ]);
  // Entry order follows a real GetAccountSummary answer.
  const entries: [string, number][] = [
    ["GroupPolicySizeQuota", QUOTAS.GroupPolicySizeQuota],
    ["InstanceProfilesQuota", QUOTAS.InstanceProfilesQuota],
    ["Policies", c.policies],
    ["GroupsPerUserQuota", QUOTAS.GroupsPerUserQuota],
    ["InstanceProfiles", 0],
    ["AttachedPoliciesPerUserQuota", QUOTAS.AttachedPoliciesPerUserQuota],
    ["Users", c.users],
    ["PoliciesQuota", QUOTAS.PoliciesQuota],
    ["Providers", 0],
    ["AccountMFAEnabled", 0],
    ["AccessKeysPerUserQuota", QUOTAS.AccessKeysPerUserQuota],
    ["AssumeRolePolicySizeQuota", QUOTAS.AssumeRolePolicySizeQuota],
    ["PolicyVersionsInUseQuota", QUOTAS.PolicyVersionsInUseQuota],
    ["GlobalEndpointTokenVersion", tokenVersion === "v2Token" ? 2 : 1],
    ["VersionsPerPolicyQuota", QUOTAS.VersionsPerPolicyQuota],
    ["AttachedPoliciesPerGroupQuota", QUOTAS.AttachedPoliciesPerGroupQuota],
    ["PolicySizeQuota", QUOTAS.PolicySizeQuota],
    ["Groups", c.groups],
    ["AccountSigningCertificatesPresent", 0],
    ["UsersQuota", QUOTAS.UsersQuota],
    ["ServerCertificatesQuota", QUOTAS.ServerCertificatesQuota],
    ["MFADevices", 0],
    ["UserPolicySizeQuota", QUOTAS.UserPolicySizeQuota],
    ["PolicyVersionsInUse", c.policyVersionsInUse],
    ["ServerCertificates", 0],
    ["Roles", c.roles],
    ["RolesQuota", QUOTAS.RolesQuota],
    ["SigningCertificatesPerUserQuota", QUOTAS.SigningCertificatesPerUserQuota],
    ["MFADevicesInUse", 0],
    ["RolePolicySizeQuota", QUOTAS.RolePolicySizeQuota],
    ["AttachedPoliciesPerRoleQuota", QUOTAS.AttachedPoliciesPerRoleQuota],
    // The root user's access key is the Worker's configured one.
    ["AccountAccessKeysPresent", ctx.env.ROOT_ACCESS_KEY_ID ? 1 : 0],
    ["GroupsQuota", QUOTAS.GroupsQuota],
  ];
  return { SummaryMap: xmlMap(entries) };
});

// ---- STS preferences ----

/**
 * Which session tokens the global STS endpoint issues (v1: valid only in Regions enabled by default; v2: in every
 * Region). Every Region is this one endpoint here, so the setting changes no token; GetAccountSummary reports it.
 */
export const setSecurityTokenServicePreferences = iamOperation(
  "SetSecurityTokenServicePreferences",
  z.object({ GlobalEndpointTokenVersion: z.enum(["v1Token", "v2Token"]) }),
  ANY,
  async (i, ctx) => {
    await kvOrgSettings(ctx.env.KV).setGlobalEndpointTokenVersion(ctx.accountId, i.GlobalEndpointTokenVersion);
    return undefined;
  },
);

export const accountOperations = [
  getAccountPasswordPolicy,
  updateAccountPasswordPolicy,
  deleteAccountPasswordPolicy,
  createAccountAlias,
  listAccountAliases,
  deleteAccountAlias,
  getAccountSummary,
  setSecurityTokenServicePreferences,
  // Centralized root access for member accounts, registered with the account-level operations.
  ...rootAccessOperations,
  // Outbound web identity federation (the account's JWT issuer), an account-level switch as well.
  ...outboundFederationOperations,
];
