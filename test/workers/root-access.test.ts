// Centralized root access through the real SDKs: Organizations trusted access for IAM, IAM's organization features,
// delegated administrators, and STS AssumeRoot sessions scoped by AWS's root-task policies and the member's SCPs.
// AWS pages: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html#id_root-user-access-management,
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoot.html,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/security-iam-awsmanpol.html (the root-task policies),
// https://docs.aws.amazon.com/organizations/latest/APIReference/API_EnableAWSServiceAccess.html.
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  DisableOrganizationsRootCredentialsManagementCommand,
  DisableOrganizationsRootSessionsCommand,
  EnableOrganizationsRootCredentialsManagementCommand,
  EnableOrganizationsRootSessionsCommand,
  GetAccountSummaryCommand,
  GetUserCommand,
  ListAccessKeysCommand,
  ListOrganizationsFeaturesCommand,
  ListUsersCommand,
  PutUserPolicyCommand,
} from "@aws-sdk/client-iam";
import {
  AttachPolicyCommand,
  CreateAccountCommand,
  CreateOrganizationCommand,
  CreatePolicyCommand,
  DeregisterDelegatedAdministratorCommand,
  DetachPolicyCommand,
  DisableAWSServiceAccessCommand,
  EnableAWSServiceAccessCommand,
  EnablePolicyTypeCommand,
  ListAWSServiceAccessForOrganizationCommand,
  ListDelegatedAdministratorsCommand,
  ListDelegatedServicesForAccountCommand,
  ListRootsCommand,
  RegisterDelegatedAdministratorCommand,
  RemoveAccountFromOrganizationCommand,
} from "@aws-sdk/client-organizations";
import { AssumeRoleCommand, AssumeRootCommand, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { signRequest } from "../../src/aws/sigv4";
import { ACCOUNT } from "./fixtures";
import { awsError, iamClient, orgsClient, stsClient, type Credentials } from "./sdk";

const orgs = orgsClient();
const root = iamClient();
const IAM = "iam.amazonaws.com";
const task = (name: string) => ({ arn: `arn:aws:iam::aws:policy/root-task/${name}` });
const AUDIT = task("IAMAuditRootUserCredentials");
const policy = (statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });

async function userWithKey(name: string, statements: object[]): Promise<Credentials> {
  await root.send(new CreateUserCommand({ UserName: name }));
  await root.send(new PutUserPolicyCommand({ UserName: name, PolicyName: "p", PolicyDocument: policy(statements) }));
  const { AccessKey } = await root.send(new CreateAccessKeyCommand({ UserName: name }));
  return { accessKeyId: AccessKey?.AccessKeyId ?? "", secretAccessKey: AccessKey?.SecretAccessKey ?? "" };
}

const sessionCredentials = (c: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string } = {}) => ({
  accessKeyId: c.AccessKeyId ?? "",
  secretAccessKey: c.SecretAccessKey ?? "",
  sessionToken: c.SessionToken ?? "",
});

let member = "";
let rootId = "";
/** A management-account IAM user allowed sts:AssumeRoot (root credentials may not call it). */
let operator: Credentials;
/** An administrator session in the member account, through its OrganizationAccountAccessRole. */
let memberAdmin: Credentials;

describe("centralized root access", () => {
  beforeAll(async () => {
    // Before any organization exists, IAM's organization features have nothing to act on.
    const none = await awsError(root.send(new ListOrganizationsFeaturesCommand({})));
    expect(none.name).toBe("OrganizationNotFoundException");
    expect(none.status).toBe(400);

    await orgs.send(new CreateOrganizationCommand({ FeatureSet: "ALL" }));
    rootId = (await orgs.send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? "";
    const made = await orgs.send(new CreateAccountCommand({ Email: "member@example.com", AccountName: "member" }));
    member = made.CreateAccountStatus?.AccountId ?? "";
    operator = await userWithKey("operator", [
      { Effect: "Allow", Action: ["sts:AssumeRoot", "sts:AssumeRole"], Resource: "*" },
    ]);
    const assumed = await stsClient(operator).send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${member}:role/OrganizationAccountAccessRole`,
        RoleSessionName: "admin",
      }),
    );
    memberAdmin = sessionCredentials(assumed.Credentials);
  });

  it("IAM's features need trusted access for iam.amazonaws.com in Organizations first", async () => {
    const refused = await awsError(root.send(new EnableOrganizationsRootSessionsCommand({})));
    expect(refused.name).toBe("ServiceAccessNotEnabledException");
    expect(refused.status).toBe(400);
    expect((await orgs.send(new ListAWSServiceAccessForOrganizationCommand({}))).EnabledServicePrincipals).toEqual([]);

    const before = Date.now();
    await orgs.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: IAM }));
    const listed = (await orgs.send(new ListAWSServiceAccessForOrganizationCommand({}))).EnabledServicePrincipals;
    expect(listed?.map((s) => s.ServicePrincipal)).toEqual([IAM]);
    expect(listed?.[0]?.DateEnabled?.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);

    const unknown = await awsError(orgs.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: "not-a-service" })));
    expect(unknown.name).toBe("InvalidInputException");
    // Only the management account manages trusted access.
    const fromMember = await awsError(
      orgsClient(memberAdmin).send(new EnableAWSServiceAccessCommand({ ServicePrincipal: "sso.amazonaws.com" })),
    );
    expect(fromMember.name).toBe("AccessDeniedException");
  });

  it("the management account enables, lists and disables the features", async () => {
    const sessions = await root.send(new EnableOrganizationsRootSessionsCommand({}));
    expect(sessions.OrganizationId).toMatch(/^o-[a-z0-9]{10,32}$/);
    expect(sessions.EnabledFeatures).toEqual(["RootSessions"]);
    const both = await root.send(new EnableOrganizationsRootCredentialsManagementCommand({}));
    expect(both.EnabledFeatures).toEqual(["RootCredentialsManagement", "RootSessions"]);
    expect((await root.send(new ListOrganizationsFeaturesCommand({}))).EnabledFeatures).toEqual([
      "RootCredentialsManagement",
      "RootSessions",
    ]);
    const less = await root.send(new DisableOrganizationsRootCredentialsManagementCommand({}));
    expect(less.EnabledFeatures).toEqual(["RootSessions"]);
    expect(less.OrganizationId).toBe(sessions.OrganizationId);
  });

  it("a member account may not use them until it is IAM's delegated administrator, and never enables them", async () => {
    const memberIam = iamClient(memberAdmin);
    const refused = await awsError(memberIam.send(new ListOrganizationsFeaturesCommand({})));
    expect(refused.name).toBe("AccountNotManagementOrDelegatedAdministratorException");

    const early = await awsError(
      orgs.send(
        new RegisterDelegatedAdministratorCommand({ AccountId: member, ServicePrincipal: "sso.amazonaws.com" }),
      ),
    );
    expect(early.name).toBe("ConstraintViolationException"); // no trusted access for that service
    const self = await awsError(
      orgs.send(new RegisterDelegatedAdministratorCommand({ AccountId: ACCOUNT, ServicePrincipal: IAM })),
    );
    expect(self.name).toBe("ConstraintViolationException");

    await orgs.send(new RegisterDelegatedAdministratorCommand({ AccountId: member, ServicePrincipal: IAM }));
    const again = await awsError(
      orgs.send(new RegisterDelegatedAdministratorCommand({ AccountId: member, ServicePrincipal: IAM })),
    );
    expect(again.name).toBe("AccountAlreadyRegisteredException");
    const admins = (await orgs.send(new ListDelegatedAdministratorsCommand({ ServicePrincipal: IAM })))
      .DelegatedAdministrators;
    expect(admins?.map((a) => a.Id)).toEqual([member]);
    expect(admins?.[0]?.DelegationEnabledDate).toBeInstanceOf(Date);
    const services = await orgsClient(memberAdmin).send(
      new ListDelegatedServicesForAccountCommand({ AccountId: member }),
    );
    expect(services.DelegatedServices?.map((s) => s.ServicePrincipal)).toEqual([IAM]);
    // A delegated administrator cannot leave the organization while registered.
    const leave = await awsError(orgs.send(new RemoveAccountFromOrganizationCommand({ AccountId: member })));
    expect(leave.name).toBe("ConstraintViolationException");

    expect((await memberIam.send(new ListOrganizationsFeaturesCommand({}))).EnabledFeatures).toEqual(["RootSessions"]);
    const enable = await awsError(memberIam.send(new EnableOrganizationsRootCredentialsManagementCommand({})));
    expect(enable.name).toBe("CallerIsNotManagementAccountException");

    await orgs.send(new DeregisterDelegatedAdministratorCommand({ AccountId: member, ServicePrincipal: IAM }));
    const gone = await awsError(
      orgs.send(new DeregisterDelegatedAdministratorCommand({ AccountId: member, ServicePrincipal: IAM })),
    );
    expect(gone.name).toBe("AccountNotRegisteredException");
    expect((await awsError(memberIam.send(new ListOrganizationsFeaturesCommand({})))).name).toBe(
      "AccountNotManagementOrDelegatedAdministratorException",
    );
  });

  it("AssumeRoot gives the management account a short session as the member's root user", async () => {
    const before = Date.now();
    const out = await stsClient(operator).send(
      new AssumeRootCommand({ TargetPrincipal: member, TaskPolicyArn: AUDIT, DurationSeconds: 300 }),
    );
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    const expires = out.Credentials?.Expiration?.getTime() ?? 0;
    expect(expires).toBeGreaterThan(before + 290_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 300_000);

    const creds = sessionCredentials(out.Credentials);
    const me = await stsClient(creds).send(new GetCallerIdentityCommand({}));
    expect(me).toMatchObject({ Account: member, UserId: member, Arn: `arn:aws:iam::${member}:root` });

    // What IAMAuditRootUserCredentials allows: reading the root user's own credentials and the account summary.
    const iam = iamClient(creds);
    expect((await iam.send(new ListAccessKeysCommand({}))).AccessKeyMetadata).toEqual([]);
    expect((await iam.send(new GetUserCommand({}))).User?.Arn).toBe(`arn:aws:iam::${member}:root`);
    const summary = (await iam.send(new GetAccountSummaryCommand({}))).SummaryMap;
    expect(summary?.Roles).toBe(1); // the member's OrganizationAccountAccessRole

    // The root ARN as TargetPrincipal names the same account.
    const byArn = await stsClient(operator).send(
      new AssumeRootCommand({ TargetPrincipal: `arn:aws:iam::${member}:root`, TaskPolicyArn: AUDIT }),
    );
    const defaultExpiry = byArn.Credentials?.Expiration?.getTime() ?? 0;
    expect(defaultExpiry).toBeGreaterThan(Date.now() + 890_000); // 900 seconds unless asked otherwise
    expect(defaultExpiry).toBeLessThanOrEqual(Date.now() + 900_000);
  });

  it("the task policy limits the session: everything else is explicitly denied", async () => {
    await iamClient(memberAdmin).send(new CreateUserCommand({ UserName: "someone" }));
    const audit = iamClient(
      sessionCredentials(
        (await stsClient(operator).send(new AssumeRootCommand({ TargetPrincipal: member, TaskPolicyArn: AUDIT })))
          .Credentials,
      ),
    );
    const list = await awsError(audit.send(new ListUsersCommand({})));
    expect(list.name).toBe("AccessDenied");
    expect(list.message).toBe(
      `User: arn:aws:iam::${member}:root is not authorized to perform: iam:ListUsers on resource: ` +
        `arn:aws:iam::${member}:user/ with an explicit deny in an identity-based policy`,
    );
    // The audit actions reach only the root user's own credentials, not an IAM user's.
    const other = await awsError(audit.send(new ListAccessKeysCommand({ UserName: "someone" })));
    expect(other.name).toBe("AccessDenied");
    const create = await awsError(audit.send(new CreateUserCommand({ UserName: "sneaky" })));
    expect(create.name).toBe("AccessDenied");

    // Another task policy, another scope: IAMDeleteRootUserCredentials does not allow the account summary.
    const deleter = iamClient(
      sessionCredentials(
        (
          await stsClient(operator).send(
            new AssumeRootCommand({ TargetPrincipal: member, TaskPolicyArn: task("IAMDeleteRootUserCredentials") }),
          )
        ).Credentials,
      ),
    );
    expect((await deleter.send(new ListAccessKeysCommand({}))).AccessKeyMetadata).toEqual([]);
    expect((await awsError(deleter.send(new GetAccountSummaryCommand({})))).name).toBe("AccessDenied");
  });

  it("the member's SCPs still apply, and aws:AssumedRoot tells the session from the root user's own credentials", async () => {
    await orgs.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: "SERVICE_CONTROL_POLICY" }));
    const denySummary = await orgs.send(
      new CreatePolicyCommand({
        Name: "NoSummary",
        Description: "deny iam:GetAccountSummary",
        Type: "SERVICE_CONTROL_POLICY",
        Content: policy([{ Effect: "Deny", Action: "iam:GetAccountSummary", Resource: "*" }]),
      }),
    );
    // AWS's sample SCP: deny the root user everything unless it came through AssumeRoot.
    const onlyAssumedRoot = await orgs.send(
      new CreatePolicyCommand({
        Name: "OnlyAssumedRoot",
        Description: "root only through AssumeRoot",
        Type: "SERVICE_CONTROL_POLICY",
        Content: policy([
          {
            Effect: "Deny",
            Action: "*",
            Resource: "*",
            Condition: {
              ArnLike: { "aws:PrincipalArn": ["arn:aws:iam::*:root"] },
              Null: { "aws:AssumedRoot": "true" },
            },
          },
        ]),
      }),
    );
    const ids = [denySummary.Policy?.PolicySummary?.Id ?? "", onlyAssumedRoot.Policy?.PolicySummary?.Id ?? ""];
    const session = iamClient(
      sessionCredentials(
        (await stsClient(operator).send(new AssumeRootCommand({ TargetPrincipal: member, TaskPolicyArn: AUDIT })))
          .Credentials,
      ),
    );
    try {
      await orgs.send(new AttachPolicyCommand({ PolicyId: ids[1], TargetId: member }));
      // The session carries aws:AssumedRoot, so the sample SCP lets it through.
      expect((await session.send(new ListAccessKeysCommand({}))).AccessKeyMetadata).toEqual([]);
      await orgs.send(new AttachPolicyCommand({ PolicyId: ids[0], TargetId: member }));
      const denied = await awsError(session.send(new GetAccountSummaryCommand({})));
      expect(denied.name).toBe("AccessDenied");
      expect(denied.message).toContain("with an explicit deny in a service control policy");
    } finally {
      for (const id of ids) await orgs.send(new DetachPolicyCommand({ PolicyId: id, TargetId: member }));
    }
    expect((await session.send(new GetAccountSummaryCommand({}))).SummaryMap?.Roles).toBe(1);
  });

  it("refuses bad input: a duration over 900 seconds, a policy that is no task policy, a target that is no member", async () => {
    const sts = stsClient(operator);
    const long = await awsError(
      sts.send(new AssumeRootCommand({ TargetPrincipal: member, TaskPolicyArn: AUDIT, DurationSeconds: 901 })),
    );
    expect(long.name).toBe("ValidationError");
    expect(long.message).toContain("less than or equal to 900");
    const readOnly = await awsError(
      sts.send(
        new AssumeRootCommand({
          TargetPrincipal: member,
          TaskPolicyArn: { arn: "arn:aws:iam::aws:policy/ReadOnlyAccess" },
        }),
      ),
    );
    expect(readOnly.name).toBe("ValidationError");
    expect(readOnly.message).toContain("TaskPolicyArn");
    const noArn = await awsError(sts.send(new AssumeRootCommand({ TargetPrincipal: member, TaskPolicyArn: {} })));
    expect(noArn.name).toBe("ValidationError");
    const notAccount = await awsError(
      sts.send(new AssumeRootCommand({ TargetPrincipal: "arn:aws:iam::123:user/x", TaskPolicyArn: AUDIT })),
    );
    expect(notAccount.name).toBe("ValidationError");
    for (const target of [ACCOUNT, "999999999999"]) {
      const refused = await awsError(
        sts.send(new AssumeRootCommand({ TargetPrincipal: target, TaskPolicyArn: AUDIT })),
      );
      expect(refused.name).toBe("AccessDenied");
      expect(refused.message).toContain("is not a member account");
    }
  });

  it("refuses callers: root credentials, a user without sts:AssumeRoot, a member account", async () => {
    const asRoot = await awsError(
      stsClient().send(new AssumeRootCommand({ TargetPrincipal: member, TaskPolicyArn: AUDIT })),
    );
    expect(asRoot.name).toBe("AccessDenied");
    expect(asRoot.message).toContain("root user credentials");

    const plain = await userWithKey("plain", [{ Effect: "Allow", Action: "iam:List*", Resource: "*" }]);
    const unallowed = await awsError(
      stsClient(plain).send(new AssumeRootCommand({ TargetPrincipal: member, TaskPolicyArn: AUDIT })),
    );
    expect(unallowed.name).toBe("AccessDenied");
    expect(unallowed.message).toBe(
      `User: arn:aws:iam::${ACCOUNT}:user/plain is not authorized to perform: sts:AssumeRoot on resource: ` +
        `arn:aws:iam::${member}:root because no identity-based policy allows the sts:AssumeRoot action`,
    );

    // The member account's administrator is neither the management account nor IAM's delegated administrator.
    const fromMember = await awsError(
      stsClient(memberAdmin).send(new AssumeRootCommand({ TargetPrincipal: member, TaskPolicyArn: AUDIT })),
    );
    expect(fromMember.name).toBe("AccessDenied");
  });

  it("an AssumeRoot session cannot reach the simulator's root-only endpoints", async () => {
    const out = await stsClient(operator).send(
      new AssumeRootCommand({ TargetPrincipal: member, TaskPolicyArn: AUDIT }),
    );
    const url = new URL("http://127.0.0.1:8787/_admin/reset");
    const headers = await signRequest({
      method: "POST",
      url,
      accessKeyId: out.Credentials?.AccessKeyId ?? "",
      secret: out.Credentials?.SecretAccessKey ?? "",
      sessionToken: out.Credentials?.SessionToken ?? "",
      region: "us-east-1",
      service: "iam",
      now: new Date(),
    });
    const res = await SELF.fetch(new Request(url, { method: "POST", headers }));
    expect(res.status).toBe(403);
    // Nothing was wiped.
    expect((await root.send(new ListUsersCommand({}))).Users?.map((u) => u.UserName)).toContain("operator");
  });

  it("without root sessions enabled, or without trusted access, AssumeRoot is refused", async () => {
    const sts = stsClient(operator);
    await root.send(new DisableOrganizationsRootSessionsCommand({}));
    expect((await root.send(new ListOrganizationsFeaturesCommand({}))).EnabledFeatures).toEqual([]);
    const off = await awsError(sts.send(new AssumeRootCommand({ TargetPrincipal: member, TaskPolicyArn: AUDIT })));
    expect(off.name).toBe("AccessDenied");
    expect(off.message).toContain("root sessions are not enabled");

    await root.send(new EnableOrganizationsRootSessionsCommand({}));
    await orgs.send(new DisableAWSServiceAccessCommand({ ServicePrincipal: IAM }));
    const untrusted = await awsError(
      sts.send(new AssumeRootCommand({ TargetPrincipal: member, TaskPolicyArn: AUDIT })),
    );
    expect(untrusted.name).toBe("AccessDenied");
    expect(untrusted.message).toContain("trusted access is not enabled");
    expect((await awsError(root.send(new ListOrganizationsFeaturesCommand({})))).name).toBe(
      "ServiceAccessNotEnabledException",
    );
    await orgs.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: IAM }));
    const back = await sts.send(new AssumeRootCommand({ TargetPrincipal: member, TaskPolicyArn: AUDIT }));
    expect(back.Credentials?.AccessKeyId).toMatch(/^ASIA/);
  });
});
