// Trusted access for AWS services (EnableAWSServiceAccess...) and delegated administrators (RegisterDelegatedAdministrator...).
import { z } from "zod";
import { accessDenied, constraintViolation, invalidInput, OrganizationsError } from "../aws/organizations-errors";
import type { OperationContext } from "../core/operation";
import { findAccount } from "../store/organizations";
import { kvOrgSettings, type OrgSettingsStore } from "../store/org-features";
import { decodeToken, DEFAULT_MAX_RESULTS, orgOperation, pageOf, type OrgContext } from "./context";
import { accountIdField, paging } from "./fields";
import { accountArn, accountShape } from "./shapes";
import { str } from "../api/validation";

const servicePrincipalField = str({ min: 1, max: 128, pattern: "[\\w+=,.@-]*" });

/** The organization settings store of this request (KV). */
export const orgSettings = (ctx: OperationContext): OrgSettingsStore => kvOrgSettings(ctx.env.KV);

/**
 * AWS accepts only the principals of services that integrate with Organizations. This simulator recognizes any
 * AWS service principal (`<name>.amazonaws.com`), since which services integrate changes over time.
 */
function recognizedPrincipal(principal: string): string {
  if (!/^[a-z0-9][a-z0-9.-]*\.amazonaws\.com$/.test(principal)) {
    throw invalidInput("UNRECOGNIZED_SERVICE_PRINCIPAL", "You specified an unrecognized service principal.");
  }
  return principal;
}

/** Whether the caller's account may use the read operations AWS opens to delegated administrators. */
async function requireManagementOrDelegated(oc: OrgContext): Promise<void> {
  const account = oc.ctx.accountId;
  if (account === oc.org.managementAccountId) return;
  const admins = await orgSettings(oc.ctx).delegatedAdmins(oc.org.id);
  if (!admins.some((a) => a.accountId === account)) throw accessDenied();
}

const enableAwsServiceAccess = orgOperation({
  name: "EnableAWSServiceAccess",
  input: z.object({ ServicePrincipal: servicePrincipalField }),
  run: async (input, oc) => {
    const principal = recognizedPrincipal(input.ServicePrincipal);
    await orgSettings(oc.ctx).enableService(oc.org.id, principal, oc.ctx.now.getTime());
    return undefined;
  },
});

const disableAwsServiceAccess = orgOperation({
  name: "DisableAWSServiceAccess",
  input: z.object({ ServicePrincipal: servicePrincipalField }),
  run: async (input, oc) => {
    const principal = recognizedPrincipal(input.ServicePrincipal);
    await orgSettings(oc.ctx).disableService(oc.org.id, principal);
    return undefined;
  },
});

const listAwsServiceAccess = orgOperation({
  name: "ListAWSServiceAccessForOrganization",
  input: z.object({ ...paging }),
  membersMayCall: true,
  run: async (input, oc) => {
    await requireManagementOrDelegated(oc);
    const after = decodeToken(input.NextToken);
    const all = await orgSettings(oc.ctx).enabledServices(oc.org.id);
    const rows = all.filter((s) => after === undefined || s.servicePrincipal > after);
    const page = pageOf(rows, input.MaxResults ?? DEFAULT_MAX_RESULTS, (s) => s.servicePrincipal);
    return {
      EnabledServicePrincipals: page.items.map((s) => ({
        ServicePrincipal: s.servicePrincipal,
        DateEnabled: new Date(s.enabledAt),
      })),
      NextToken: page.NextToken,
    };
  },
});

const accountNotFound = () =>
  new OrganizationsError("AccountNotFoundException", "You specified an account that doesn't exist.");

const delegationInput = z.object({ AccountId: accountIdField, ServicePrincipal: servicePrincipalField });

const registerDelegatedAdministrator = orgOperation({
  name: "RegisterDelegatedAdministrator",
  input: delegationInput,
  resource: (i, oc) => accountArn(oc.org, i.AccountId),
  run: async (input, oc) => {
    const principal = recognizedPrincipal(input.ServicePrincipal);
    const store = orgSettings(oc.ctx);
    if (input.AccountId === oc.org.managementAccountId) {
      throw constraintViolation(
        "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR",
        "You cannot register the management account of the organization as a delegated administrator for an AWS service.",
      );
    }
    const account = await findAccount(oc.ctx.db, oc.org.id, input.AccountId);
    if (!account) throw accountNotFound();
    if (account.status === "SUSPENDED") {
      throw constraintViolation(
        "CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR",
        "You cannot register a suspended account as a delegated administrator.",
      );
    }
    if (!(await store.isServiceEnabled(oc.org.id, principal))) {
      throw constraintViolation(
        "SERVICE_ACCESS_NOT_ENABLED",
        "You must first enable trusted access for the service before you register a delegated administrator for it.",
      );
    }
    const admins = await store.delegatedAdmins(oc.org.id);
    if (admins.some((a) => a.servicePrincipal === principal && a.accountId === input.AccountId)) {
      throw new OrganizationsError(
        "AccountAlreadyRegisteredException",
        "The provided account is already a delegated administrator for your organization.",
      );
    }
    await store.registerDelegatedAdmin(oc.org.id, principal, input.AccountId, oc.ctx.now.getTime());
    return undefined;
  },
});

const deregisterDelegatedAdministrator = orgOperation({
  name: "DeregisterDelegatedAdministrator",
  input: delegationInput,
  resource: (i, oc) => accountArn(oc.org, i.AccountId),
  run: async (input, oc) => {
    const principal = recognizedPrincipal(input.ServicePrincipal);
    const store = orgSettings(oc.ctx);
    if (!(await findAccount(oc.ctx.db, oc.org.id, input.AccountId))) throw accountNotFound();
    const admins = await store.delegatedAdmins(oc.org.id);
    if (!admins.some((a) => a.servicePrincipal === principal && a.accountId === input.AccountId)) {
      throw new OrganizationsError(
        "AccountNotRegisteredException",
        "The provided account is not a registered delegated administrator for your organization.",
      );
    }
    await store.deregisterDelegatedAdmin(oc.org.id, principal, input.AccountId);
    return undefined;
  },
});

const listDelegatedAdministrators = orgOperation({
  name: "ListDelegatedAdministrators",
  input: z.object({ ServicePrincipal: servicePrincipalField.optional(), ...paging }),
  membersMayCall: true,
  run: async (input, oc) => {
    await requireManagementOrDelegated(oc);
    const after = decodeToken(input.NextToken);
    const admins = (await orgSettings(oc.ctx).delegatedAdmins(oc.org.id)).filter(
      (a) => input.ServicePrincipal === undefined || a.servicePrincipal === input.ServicePrincipal,
    );
    // One entry per account: the date its first delegation began.
    const byAccount = new Map<string, number>();
    for (const a of admins) byAccount.set(a.accountId, Math.min(byAccount.get(a.accountId) ?? Infinity, a.enabledAt));
    const ids = [...byAccount.keys()].filter((id) => after === undefined || id > after).sort();
    const page = pageOf(ids, input.MaxResults ?? DEFAULT_MAX_RESULTS, (id) => id);
    const items = [];
    for (const id of page.items) {
      const account = await findAccount(oc.ctx.db, oc.org.id, id);
      if (!account) continue;
      items.push({ ...accountShape(oc.org, account), DelegationEnabledDate: new Date(byAccount.get(id) ?? 0) });
    }
    return { DelegatedAdministrators: items, NextToken: page.NextToken };
  },
});

const listDelegatedServicesForAccount = orgOperation({
  name: "ListDelegatedServicesForAccount",
  input: z.object({ AccountId: accountIdField, ...paging }),
  membersMayCall: true,
  resource: (i, oc) => accountArn(oc.org, i.AccountId),
  run: async (input, oc) => {
    await requireManagementOrDelegated(oc);
    if (!(await findAccount(oc.ctx.db, oc.org.id, input.AccountId))) throw accountNotFound();
    const services = (await orgSettings(oc.ctx).delegatedAdmins(oc.org.id))
      .filter((a) => a.accountId === input.AccountId)
      .sort((a, b) => (a.servicePrincipal < b.servicePrincipal ? -1 : 1));
    if (services.length === 0) {
      throw new OrganizationsError(
        "AccountNotRegisteredException",
        "The provided account is not a registered delegated administrator for your organization.",
      );
    }
    const after = decodeToken(input.NextToken);
    const rows = services.filter((s) => after === undefined || s.servicePrincipal > after);
    const page = pageOf(rows, input.MaxResults ?? DEFAULT_MAX_RESULTS, (s) => s.servicePrincipal);
    return {
      DelegatedServices: page.items.map((s) => ({
        ServicePrincipal: s.servicePrincipal,
        DelegationEnabledDate: new Date(s.enabledAt),
      })),
      NextToken: page.NextToken,
    };
  },
});

export const serviceAccessOperations = [
  enableAwsServiceAccess,
  disableAwsServiceAccess,
  listAwsServiceAccess,
  registerDelegatedAdministrator,
  deregisterDelegatedAdministrator,
  listDelegatedAdministrators,
  listDelegatedServicesForAccount,
];
