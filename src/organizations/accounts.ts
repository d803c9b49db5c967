// Accounts of an organization: CreateAccount (with its access role), describe, list, move, close and remove.
import { z } from "zod";
import { OrganizationsError, constraintViolation } from "../aws/organizations-errors";
import { uniqueId } from "../aws/ids";
import { assertDistinctKeys } from "../store/organization-policies";
import { kvOrgSettings } from "../store/org-features";
import {
  accountsPage,
  enabledPolicyTypes,
  findAccount,
  findNode,
  findStatus,
  insertCreatedAccount,
  moveAccount,
  removeAccount,
  setAccountStatus,
  statusPage,
  type OrgAccountRow,
} from "../store/organizations";
import { decodeToken, DEFAULT_MAX_RESULTS, orgOperation, pageOf, type OrgContext } from "./context";
import {
  accountIdField,
  createAccountNameField,
  createAccountRequestIdField,
  emailField,
  paging,
  parentIdField,
  roleNameField,
  tagsField,
} from "./fields";
import { accountId as newAccountId, createAccountRequestId } from "./ids";
import { defaultPolicyFor } from "./managed-policies";
import { accountArn, accountShape, createAccountStatusShape } from "./shapes";

/** AdministratorAccess in a partition: the role AWS creates in a member account carries it. */
const administratorAccess = (partition: string) => `arn:${partition}:iam::aws:policy/AdministratorAccess`;
const DEFAULT_ROLE = "OrganizationAccountAccessRole";

const accountNotFound = () =>
  new OrganizationsError("AccountNotFoundException", "You specified an account that doesn't exist.");

export async function requireAccount(oc: OrgContext, id: string): Promise<OrgAccountRow> {
  const account = await findAccount(oc.ctx.db, oc.org.id, id);
  if (!account) throw accountNotFound();
  return account;
}

/** The role AWS creates in every new account: the management account's principals may assume it. */
function accessRoleTrust(managementAccountId: string, partition: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { AWS: `arn:${partition}:iam::${managementAccountId}:root` },
        Action: "sts:AssumeRole",
      },
    ],
  });
}

const createAccount = orgOperation({
  name: "CreateAccount",
  input: z.object({
    Email: emailField,
    AccountName: createAccountNameField,
    RoleName: roleNameField.optional(),
    IamUserAccessToBilling: z.enum(["ALLOW", "DENY"]).optional(),
    Tags: tagsField.optional(),
  }),
  run: async (input, oc) => {
    const tags = input.Tags ?? [];
    assertDistinctKeys(tags);
    const now = oc.ctx.now.getTime();
    const id = newAccountId();
    const roleName = input.RoleName ?? DEFAULT_ROLE;
    // The account is ready when the call returns, so a client polling DescribeCreateAccountStatus sees SUCCEEDED.
    const status = {
      id: createAccountRequestId(),
      orgId: oc.org.id,
      accountName: input.AccountName,
      state: "SUCCEEDED" as const,
      accountId: id,
      failureReason: null,
      requestedAt: now,
      completedAt: now,
    };
    const made = await insertCreatedAccount(
      oc.ctx.db,
      {
        id,
        orgId: oc.org.id,
        parentId: oc.rootId,
        name: input.AccountName,
        email: input.Email,
        status: "ACTIVE",
        joinedMethod: "CREATED",
        joinedAt: now,
      },
      {
        id: uniqueId("AROA"),
        accountId: id,
        name: roleName,
        nameKey: roleName.toLowerCase(),
        path: "/",
        arn: `arn:${oc.ctx.partition}:iam::${id}:role/${roleName}`,
        assumeRolePolicy: accessRoleTrust(oc.org.managementAccountId, oc.ctx.partition),
        description: null,
        maxSessionDuration: 3600,
        permissionsBoundaryArn: null,
        lastUsedAt: null,
        lastUsedRegion: null,
        createdAt: now,
      },
      administratorAccess(oc.ctx.partition),
      enabledPolicyTypes(oc.org).map((type) => ({ policyId: defaultPolicyFor(type).id, type })),
      tags,
      status,
    );
    const final = made
      ? status
      : { ...status, state: "FAILED" as const, accountId: null, failureReason: "EMAIL_ALREADY_EXISTS" };
    return { CreateAccountStatus: createAccountStatusShape(final) };
  },
});

const describeCreateAccountStatus = orgOperation({
  name: "DescribeCreateAccountStatus",
  input: z.object({ CreateAccountRequestId: createAccountRequestIdField }),
  run: async (input, oc) => {
    const status = await findStatus(oc.ctx.db, oc.org.id, input.CreateAccountRequestId);
    if (!status) {
      throw new OrganizationsError(
        "CreateAccountStatusNotFoundException",
        "We can't find an create account request with the CreateAccountRequestId that you specified.",
      );
    }
    return { CreateAccountStatus: createAccountStatusShape(status) };
  },
});

const listCreateAccountStatus = orgOperation({
  name: "ListCreateAccountStatus",
  input: z.object({ States: z.array(z.enum(["IN_PROGRESS", "SUCCEEDED", "FAILED"])).optional(), ...paging }),
  run: async (input, oc) => {
    const limit = input.MaxResults ?? DEFAULT_MAX_RESULTS;
    const rows = await statusPage(oc.ctx.db, oc.org.id, input.States, decodeToken(input.NextToken), limit);
    const { items, NextToken } = pageOf(rows, limit, (r) => r.id);
    return { CreateAccountStatuses: items.map(createAccountStatusShape), NextToken };
  },
});

const describeAccount = orgOperation({
  name: "DescribeAccount",
  input: z.object({ AccountId: accountIdField }),
  resource: (i, oc) => accountArn(oc.org, i.AccountId),
  run: async (input, oc) => ({ Account: accountShape(oc.org, await requireAccount(oc, input.AccountId)) }),
});

const listAccounts = orgOperation({
  name: "ListAccounts",
  input: z.object(paging),
  run: async (input, oc) => {
    const limit = input.MaxResults ?? DEFAULT_MAX_RESULTS;
    const rows = await accountsPage(oc.ctx.db, oc.org.id, undefined, decodeToken(input.NextToken), limit);
    const { items, NextToken } = pageOf(rows, limit, (r) => r.id);
    return { Accounts: items.map((a) => accountShape(oc.org, a)), NextToken };
  },
});

export async function requireParent(oc: OrgContext, id: string, notFound = parentNotFound): Promise<void> {
  if (!(await findNode(oc.ctx.db, oc.org.id, id))) throw notFound();
}

export const parentNotFound = () =>
  new OrganizationsError("ParentNotFoundException", "We can't find a root or OU with the ParentId that you specified.");

const listAccountsForParent = orgOperation({
  name: "ListAccountsForParent",
  input: z.object({ ParentId: parentIdField, ...paging }),
  run: async (input, oc) => {
    await requireParent(oc, input.ParentId);
    const limit = input.MaxResults ?? DEFAULT_MAX_RESULTS;
    const rows = await accountsPage(oc.ctx.db, oc.org.id, input.ParentId, decodeToken(input.NextToken), limit);
    const { items, NextToken } = pageOf(rows, limit, (r) => r.id);
    return { Accounts: items.map((a) => accountShape(oc.org, a)), NextToken };
  },
});

const moveAccountOp = orgOperation({
  name: "MoveAccount",
  input: z.object({ AccountId: accountIdField, SourceParentId: parentIdField, DestinationParentId: parentIdField }),
  resource: (i, oc) => accountArn(oc.org, i.AccountId),
  run: async (input, oc) => {
    const account = await requireAccount(oc, input.AccountId);
    await requireParent(
      oc,
      input.SourceParentId,
      () =>
        new OrganizationsError(
          "SourceParentNotFoundException",
          "We can't find a source root or OU with the ParentId that you specified.",
        ),
    );
    await requireParent(
      oc,
      input.DestinationParentId,
      () =>
        new OrganizationsError(
          "DestinationParentNotFoundException",
          "We can't find a destination root or OU with the ParentId that you specified.",
        ),
    );
    if (account.parentId === input.DestinationParentId) {
      throw new OrganizationsError(
        "DuplicateAccountException",
        "That account is already present in the specified destination.",
      );
    }
    if (
      account.parentId !== input.SourceParentId ||
      !(await moveAccount(oc.ctx.db, account.id, input.SourceParentId, input.DestinationParentId))
    ) {
      throw new OrganizationsError(
        "SourceParentNotFoundException",
        "The account is not in the source parent you specified.",
      );
    }
    return undefined;
  },
});

const closeAccount = orgOperation({
  name: "CloseAccount",
  input: z.object({ AccountId: accountIdField }),
  resource: (i, oc) => accountArn(oc.org, i.AccountId),
  run: async (input, oc) => {
    const account = await requireAccount(oc, input.AccountId);
    if (account.id === oc.org.managementAccountId) {
      throw constraintViolation(
        "CANNOT_CLOSE_MANAGEMENT_ACCOUNT",
        "You can't close the management account with this operation.",
      );
    }
    if (account.status !== "ACTIVE") {
      throw new OrganizationsError(
        "AccountAlreadyClosedException",
        "You attempted to close an account that is already closed.",
      );
    }
    await setAccountStatus(oc.ctx.db, account.id, "SUSPENDED");
    return undefined;
  },
});

const removeAccountFromOrganization = orgOperation({
  name: "RemoveAccountFromOrganization",
  input: z.object({ AccountId: accountIdField }),
  resource: (i, oc) => accountArn(oc.org, i.AccountId),
  run: async (input, oc) => {
    const account = await requireAccount(oc, input.AccountId);
    if (account.id === oc.org.managementAccountId) {
      throw new OrganizationsError(
        "MasterCannotLeaveOrganizationException",
        "You can't remove a management account from an organization. If you want the management account to become a member account in another organization, you must first delete the current organization.",
      );
    }
    if ((await kvOrgSettings(oc.ctx.env.KV).delegatedAdmins(oc.org.id)).some((a) => a.accountId === account.id)) {
      throw constraintViolation(
        "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG",
        "You cannot remove an account that is a delegated administrator; deregister it first.",
      );
    }
    await removeAccount(oc.ctx.db, account.id);
    return undefined;
  },
});

export const accountOperations = [
  createAccount,
  describeCreateAccountStatus,
  listCreateAccountStatus,
  describeAccount,
  listAccounts,
  listAccountsForParent,
  moveAccountOp,
  closeAccount,
  removeAccountFromOrganization,
];
