// Centralized root access for member accounts: IAM's organization features (root credentials management, root
// sessions), enabled from the management account once Organizations trusts iam.amazonaws.com.
import { z } from "zod";
import { AwsError } from "../aws/errors";
import { iamOperation, type OperationContext } from "../core/operation";
import { findMembership, type OrgRow } from "../store/organizations";
import { kvOrgSettings, ROOT_ACCESS_FEATURES, type RootAccessFeature } from "../store/org-features";

/** The service principal Organizations must trust before IAM's organization features work. */
export const IAM_SERVICE_PRINCIPAL = "iam.amazonaws.com";

/** Who is asking, in the organization's terms. */
export interface RootAccessCaller {
  org: OrgRow;
  isManagement: boolean;
  isDelegatedAdmin: boolean;
}

/**
 * The caller's organization, checked as these operations require it: an organization with all features that trusts
 * IAM, called from its management account (or, unless `managementOnly`, IAM's delegated administrator).
 */
export async function requireRootAccessCaller(
  ctx: OperationContext,
  managementOnly: boolean,
): Promise<RootAccessCaller> {
  const membership = await findMembership(ctx.db, ctx.accountId);
  if (!membership) {
    throw new AwsError(
      "OrganizationNotFoundException",
      "The request was rejected because no organization is associated with your account.",
    );
  }
  const org = membership.org;
  if (org.featureSet !== "ALL") {
    throw new AwsError(
      "OrganizationNotInAllFeaturesModeException",
      "The request was rejected because your organization does not have All features enabled.",
    );
  }
  const store = kvOrgSettings(ctx.env.KV);
  const isManagement = ctx.accountId === org.managementAccountId;
  const isDelegatedAdmin =
    !isManagement &&
    (await store.delegatedAdmins(org.id)).some(
      (a) => a.accountId === ctx.accountId && a.servicePrincipal === IAM_SERVICE_PRINCIPAL,
    );
  if (!isManagement && !isDelegatedAdmin) {
    throw new AwsError(
      "AccountNotManagementOrDelegatedAdministratorException",
      "The request was rejected because the account making the request is not the management account or " +
        "delegated administrator account for centralized root access.",
    );
  }
  if (managementOnly && !isManagement) {
    throw new AwsError(
      "CallerIsNotManagementAccountException",
      "The request was rejected because the account making the request is not the management account for the " +
        "organization.",
    );
  }
  if (!(await store.isServiceEnabled(org.id, IAM_SERVICE_PRINCIPAL))) {
    throw new AwsError(
      "ServiceAccessNotEnabledException",
      "The request was rejected because trusted access is not enabled for IAM in Organizations.",
    );
  }
  return { org, isManagement, isDelegatedAdmin };
}

/** The features enabled now, in the model's order. */
async function featuresAnswer(ctx: OperationContext, org: OrgRow) {
  const enabled = await kvOrgSettings(ctx.env.KV).rootAccessFeatures(org.id);
  return { OrganizationId: org.id, EnabledFeatures: ROOT_ACCESS_FEATURES.filter((f) => enabled.includes(f)) };
}

/** Enable* and Disable* of one feature: enabling is the management account's; disabling also the delegated admin's. */
function featureSwitch(name: string, feature: RootAccessFeature, enable: boolean) {
  return iamOperation(
    name,
    z.object({}),
    () => "*",
    async (_i, ctx) => {
      const { org } = await requireRootAccessCaller(ctx, enable);
      await kvOrgSettings(ctx.env.KV).setRootAccessFeature(org.id, feature, enable, ctx.now.getTime());
      return featuresAnswer(ctx, org);
    },
  );
}

export const enableOrganizationsRootCredentialsManagement = featureSwitch(
  "EnableOrganizationsRootCredentialsManagement",
  "RootCredentialsManagement",
  true,
);
export const disableOrganizationsRootCredentialsManagement = featureSwitch(
  "DisableOrganizationsRootCredentialsManagement",
  "RootCredentialsManagement",
  false,
);
export const enableOrganizationsRootSessions = featureSwitch("EnableOrganizationsRootSessions", "RootSessions", true);
export const disableOrganizationsRootSessions = featureSwitch(
  "DisableOrganizationsRootSessions",
  "RootSessions",
  false,
);

export const listOrganizationsFeatures = iamOperation(
  "ListOrganizationsFeatures",
  z.object({}),
  () => "*",
  async (_i, ctx) => {
    const { org } = await requireRootAccessCaller(ctx, false);
    return featuresAnswer(ctx, org);
  },
);

export const rootAccessOperations = [
  enableOrganizationsRootCredentialsManagement,
  disableOrganizationsRootCredentialsManagement,
  enableOrganizationsRootSessions,
  disableOrganizationsRootSessions,
  listOrganizationsFeatures,
];
