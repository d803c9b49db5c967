// The seed story through the real SDKs: an organization, an OU, a member account reached through its access role, and an SCP.
// AWS pages: https://docs.aws.amazon.com/organizations/latest/APIReference/ (operations and errors),
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_access.html (OrganizationAccountAccessRole),
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html (SCPs).
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  GetRoleCommand,
  ListAttachedRolePoliciesCommand,
  ListUsersCommand,
  PutUserPolicyCommand,
} from "@aws-sdk/client-iam";
import {
  AttachPolicyCommand,
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  CreatePolicyCommand,
  DescribeAccountCommand,
  DescribeCreateAccountStatusCommand,
  DescribeOrganizationCommand,
  DetachPolicyCommand,
  EnablePolicyTypeCommand,
  ListAccountsForParentCommand,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  MoveAccountCommand,
  type Organization,
} from "@aws-sdk/client-organizations";
import { AssumeRoleCommand, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { authorize } from "../../src/core/authorize";
import type { Principal } from "../../src/core/principal";
import { openDb } from "../../src/store/db";
import { ACCOUNT } from "./fixtures";
import { awsError, iamClient, orgsClient, stsClient, type Credentials } from "./sdk";

const orgs = orgsClient();
const root = iamClient();

const policy = (statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });

/** The organization of the test database, created on first use (tests may share storage). */
export async function ensureOrganization(): Promise<{ org: Organization; rootId: string }> {
  const made = await orgs.send(new CreateOrganizationCommand({ FeatureSet: "ALL" })).catch(() => undefined);
  const org = made?.Organization ?? (await orgs.send(new DescribeOrganizationCommand({}))).Organization;
  const roots = await orgs.send(new ListRootsCommand({}));
  return { org: org as Organization, rootId: roots.Roots?.[0]?.Id ?? "" };
}

async function userWithKey(name: string, statements: object[]): Promise<Credentials> {
  await root.send(new CreateUserCommand({ UserName: name }));
  await root.send(new PutUserPolicyCommand({ UserName: name, PolicyName: "p", PolicyDocument: policy(statements) }));
  const { AccessKey } = await root.send(new CreateAccessKeyCommand({ UserName: name }));
  return { accessKeyId: AccessKey?.AccessKeyId ?? "", secretAccessKey: AccessKey?.SecretAccessKey ?? "" };
}

describe("the seed story", () => {
  it("management creates an organization, an OU and an account; an SCP on the OU cuts the assumed role", async () => {
    const { org, rootId } = await ensureOrganization();
    expect(org.Id).toMatch(/^o-[a-z0-9]{10}$/);
    expect(org.MasterAccountId).toBe(ACCOUNT);
    expect(org.FeatureSet).toBe("ALL");
    expect(rootId).toMatch(/^r-[0-9a-z]{4}$/);

    const ou = (await orgs.send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: "Workloads" })))
      .OrganizationalUnit;
    expect(ou?.Id).toMatch(new RegExp(`^ou-${rootId.slice(2)}-[a-z0-9]{8}$`));
    expect(ou?.Arn).toBe(`arn:aws:organizations::${ACCOUNT}:ou/${org.Id}/${ou?.Id}`);

    const status = (await orgs.send(new CreateAccountCommand({ Email: "dev@example.com", AccountName: "dev" })))
      .CreateAccountStatus;
    expect(status?.Id).toMatch(/^car-[a-z0-9]{8,32}$/);
    expect(status?.State).toBe("SUCCEEDED");
    const member = status?.AccountId ?? "";
    expect(member).toMatch(/^\d{12}$/);
    const polled = await orgs.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: status?.Id }));
    expect(polled.CreateAccountStatus?.AccountId).toBe(member);
    const account = (await orgs.send(new DescribeAccountCommand({ AccountId: member }))).Account;
    expect(account).toMatchObject({ Name: "dev", Email: "dev@example.com", Status: "ACTIVE", JoinedMethod: "CREATED" });
    expect(account?.JoinedTimestamp).toBeInstanceOf(Date);

    await orgs.send(new MoveAccountCommand({ AccountId: member, SourceParentId: rootId, DestinationParentId: ou?.Id }));
    const inOu = await orgs.send(new ListAccountsForParentCommand({ ParentId: ou?.Id }));
    expect(inOu.Accounts?.map((a) => a.Id)).toEqual([member]);

    // A management-account user who may only assume roles.
    const alice = await userWithKey("alice", [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }]);
    const roleArn = `arn:aws:iam::${member}:role/OrganizationAccountAccessRole`;
    const assumed = await stsClient(alice).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "alice" }));
    const c = assumed.Credentials;
    const session: Credentials = {
      accessKeyId: c?.AccessKeyId ?? "",
      secretAccessKey: c?.SecretAccessKey ?? "",
      sessionToken: c?.SessionToken,
    };
    const who = await stsClient(session).send(new GetCallerIdentityCommand({}));
    expect(who.Arn).toBe(`arn:aws:sts::${member}:assumed-role/OrganizationAccountAccessRole/alice`);
    expect(who.Account).toBe(member);

    // The role is in the member account, with AdministratorAccess, and acts there.
    const inMember = iamClient(session);
    const role = await inMember.send(new GetRoleCommand({ RoleName: "OrganizationAccountAccessRole" }));
    expect(role.Role?.Arn).toBe(roleArn);
    const attached = await inMember.send(
      new ListAttachedRolePoliciesCommand({ RoleName: "OrganizationAccountAccessRole" }),
    );
    expect(attached.AttachedPolicies?.map((p) => p.PolicyName)).toEqual(["AdministratorAccess"]);
    await inMember.send(new CreateUserCommand({ UserName: "before-scp" }));
    const users = await inMember.send(new ListUsersCommand({}));
    expect(users.Users?.map((u) => u.UserName)).toEqual(["before-scp"]);

    // SCPs: enable, create one denying iam:CreateUser, attach to the OU.
    const enabled = await orgs.send(
      new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: "SERVICE_CONTROL_POLICY" }),
    );
    expect(enabled.Root?.PolicyTypes).toEqual([{ Type: "SERVICE_CONTROL_POLICY", Status: "ENABLED" }]);
    const onOu = await orgs.send(
      new ListPoliciesForTargetCommand({ TargetId: ou?.Id, Filter: "SERVICE_CONTROL_POLICY" }),
    );
    expect(onOu.Policies?.map((p) => p.Id)).toEqual(["p-FullAWSAccess"]);
    const scp = (
      await orgs.send(
        new CreatePolicyCommand({
          Name: "NoNewUsers",
          Description: "deny iam:CreateUser",
          Type: "SERVICE_CONTROL_POLICY",
          Content: policy([{ Effect: "Deny", Action: "iam:CreateUser", Resource: "*" }]),
        }),
      )
    ).Policy?.PolicySummary;
    expect(scp?.Id).toMatch(/^p-[0-9a-z]{8}$/);
    await orgs.send(new AttachPolicyCommand({ PolicyId: scp?.Id, TargetId: ou?.Id }));

    expect((await inMember.send(new ListUsersCommand({}))).Users).toHaveLength(1);
    const denied = await awsError(inMember.send(new CreateUserCommand({ UserName: "after-scp" })));
    expect(denied.name).toBe("AccessDenied");
    expect(denied.message).toBe(
      `User: ${who.Arn} is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${member}:user/after-scp with an explicit deny in a service control policy`,
    );
    // The management account is never restricted by SCPs.
    await root.send(new CreateUserCommand({ UserName: "management-still-can" }));

    await orgs.send(new DetachPolicyCommand({ PolicyId: scp?.Id, TargetId: ou?.Id }));
    await inMember.send(new CreateUserCommand({ UserName: "after-scp" }));
  });
});

describe("the root user of a member account", () => {
  it("is restricted by SCPs, while the management account's root is not (and costs no load)", async () => {
    const { org, rootId } = await ensureOrganization();
    await orgs
      .send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: "SERVICE_CONTROL_POLICY" }))
      .catch(() => undefined);
    const member =
      (await orgs.send(new CreateAccountCommand({ Email: "rooted@example.com", AccountName: "rooted" })))
        .CreateAccountStatus?.AccountId ?? "";
    const scp = (
      await orgs.send(
        new CreatePolicyCommand({
          Name: "NoUsersAnywhere",
          Description: "",
          Type: "SERVICE_CONTROL_POLICY",
          Content: policy([{ Effect: "Deny", Action: "iam:CreateUser", Resource: "*" }]),
        }),
      )
    ).Policy?.PolicySummary?.Id;
    await orgs.send(new AttachPolicyCommand({ PolicyId: scp, TargetId: member }));

    // Member accounts have no root keys here, so the authorizer is asked directly for such a principal.
    const rootOf = (accountId: string): Principal => ({
      kind: "root",
      accountId,
      arn: `arn:aws:iam::${accountId}:root`,
      userId: accountId,
      credentials: { accessKeyId: "AKIAEXAMPLE" },
    });
    const facts = { now: new Date(), region: "us-east-1", secureTransport: true, env: { DEFAULT_ACCOUNT_ID: ACCOUNT } };
    const db = openDb(env.DB);
    const createUser = (accountId: string) =>
      authorize(db, rootOf(accountId), facts, {
        action: "iam:CreateUser",
        target: `arn:aws:iam::${accountId}:user/x`,
      });
    await expect(createUser(member)).rejects.toThrow(
      `User: arn:aws:iam::${member}:root is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${member}:user/x with an explicit deny in a service control policy`,
    );
    const allowed = await authorize(db, rootOf(member), facts, {
      action: "iam:ListUsers",
      target: `arn:aws:iam::${member}:user/x`,
    });
    expect(allowed.policies?.scps).toHaveLength(2); // the root's level and the account's
    // The organization's condition keys ride in the same load.
    expect(allowed.context["aws:PrincipalOrgID"]).toBe(org.Id);
    expect(allowed.context["aws:PrincipalOrgPaths"]).toEqual([`${org.Id}/${rootId}/`]);
    expect(allowed.context["aws:ResourceAccount"]).toBe(member);
    expect(allowed.context["aws:ResourceOrgID"]).toBe(org.Id);
    const management = await createUser(ACCOUNT);
    expect(management.policies).toBeNull(); // decided without loading anything
  });
});
