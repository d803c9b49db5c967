// Account-level IAM (password policy, alias, summary) through the real AWS SDK against the Worker with real local D1.
import {
  AddUserToGroupCommand,
  CreateAccessKeyCommand,
  CreateAccountAliasCommand,
  CreateGroupCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteAccountAliasCommand,
  DeleteAccountPasswordPolicyCommand,
  GetAccountPasswordPolicyCommand,
  GetAccountSummaryCommand,
  ListAccountAliasesCommand,
  UpdateAccountPasswordPolicyCommand,
} from "@aws-sdk/client-iam";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { awsError, iamClient } from "./sdk";
import { ACCOUNT } from "./fixtures";

const iam = iamClient();
const TRUST = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

describe("account password policy", () => {
  it("answers NoSuchEntity before a policy is set, and after it is deleted", async () => {
    const none = {
      name: "NoSuchEntity",
      status: 404,
      message: `The Password Policy with domain name ${ACCOUNT} cannot be found.`,
    };
    expect(await awsError(iam.send(new GetAccountPasswordPolicyCommand({})))).toEqual(none);
    expect(await awsError(iam.send(new DeleteAccountPasswordPolicyCommand({})))).toEqual(none);

    await iam.send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 10 }));
    await iam.send(new DeleteAccountPasswordPolicyCommand({}));
    expect(await awsError(iam.send(new GetAccountPasswordPolicyCommand({})))).toEqual(none);
  });

  it("fills every parameter left out with its documented default", async () => {
    await iam.send(new UpdateAccountPasswordPolicyCommand({}));
    const { PasswordPolicy } = await iam.send(new GetAccountPasswordPolicyCommand({}));
    expect(PasswordPolicy).toEqual({
      MinimumPasswordLength: 6,
      RequireSymbols: false,
      RequireNumbers: false,
      RequireUppercaseCharacters: false,
      RequireLowercaseCharacters: false,
      AllowUsersToChangePassword: false,
      ExpirePasswords: false,
      HardExpiry: false,
    });
    await iam.send(new DeleteAccountPasswordPolicyCommand({}));
  });

  it("stores every field and replaces the whole policy on each update", async () => {
    await iam.send(
      new UpdateAccountPasswordPolicyCommand({
        MinimumPasswordLength: 14,
        RequireSymbols: true,
        RequireNumbers: true,
        RequireUppercaseCharacters: true,
        RequireLowercaseCharacters: true,
        AllowUsersToChangePassword: true,
        MaxPasswordAge: 90,
        PasswordReusePrevention: 24,
        HardExpiry: true,
      }),
    );
    let { PasswordPolicy } = await iam.send(new GetAccountPasswordPolicyCommand({}));
    expect(PasswordPolicy).toEqual({
      MinimumPasswordLength: 14,
      RequireSymbols: true,
      RequireNumbers: true,
      RequireUppercaseCharacters: true,
      RequireLowercaseCharacters: true,
      AllowUsersToChangePassword: true,
      ExpirePasswords: true,
      MaxPasswordAge: 90,
      PasswordReusePrevention: 24,
      HardExpiry: true,
    });

    // No partial updates: what is left out goes back to its default.
    await iam.send(new UpdateAccountPasswordPolicyCommand({ RequireNumbers: true }));
    ({ PasswordPolicy } = await iam.send(new GetAccountPasswordPolicyCommand({})));
    expect(PasswordPolicy).toEqual({
      MinimumPasswordLength: 6,
      RequireSymbols: false,
      RequireNumbers: true,
      RequireUppercaseCharacters: false,
      RequireLowercaseCharacters: false,
      AllowUsersToChangePassword: false,
      ExpirePasswords: false,
      HardExpiry: false,
    });
    await iam.send(new DeleteAccountPasswordPolicyCommand({}));
  });

  it("answers ValidationError for values out of range and keeps the old policy", async () => {
    await iam.send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 20 }));
    const short = await awsError(iam.send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 5 })));
    expect(short).toEqual({
      name: "ValidationError",
      status: 400,
      message:
        "1 validation error detected: Value '5' at 'minimumPasswordLength' failed to satisfy constraint: Member must have value greater than or equal to 6",
    });
    const two = await awsError(
      iam.send(new UpdateAccountPasswordPolicyCommand({ MaxPasswordAge: 1096, PasswordReusePrevention: 25 })),
    );
    expect(two.message).toBe(
      "2 validation errors detected: Value '1096' at 'maxPasswordAge' failed to satisfy constraint: Member must have value less than or equal to 1095; Value '25' at 'passwordReusePrevention' failed to satisfy constraint: Member must have value less than or equal to 24",
    );
    const { PasswordPolicy } = await iam.send(new GetAccountPasswordPolicyCommand({}));
    expect(PasswordPolicy?.MinimumPasswordLength).toBe(20);
    await iam.send(new DeleteAccountPasswordPolicyCommand({}));
  });

  it("lets IAM users read the policy only when AllowUsersToChangePassword is on", async () => {
    await iam.send(new CreateUserCommand({ UserName: "reader" }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: "reader" }));
    const asUser = iamClient({
      accessKeyId: AccessKey?.AccessKeyId ?? "",
      secretAccessKey: AccessKey?.SecretAccessKey ?? "",
    });
    await iam.send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 9 }));
    const denied = await awsError(asUser.send(new GetAccountPasswordPolicyCommand({})));
    expect(denied).toEqual({
      name: "AccessDenied",
      status: 403,
      message: `User: arn:aws:iam::${ACCOUNT}:user/reader is not authorized to perform: iam:GetAccountPasswordPolicy on resource: * because no identity-based policy allows the iam:GetAccountPasswordPolicy action`,
    });
    await iam.send(
      new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 9, AllowUsersToChangePassword: true }),
    );
    const { PasswordPolicy } = await asUser.send(new GetAccountPasswordPolicyCommand({}));
    expect(PasswordPolicy?.MinimumPasswordLength).toBe(9);
    // Changing the policy itself still needs a policy.
    const update = await awsError(asUser.send(new UpdateAccountPasswordPolicyCommand({})));
    expect(update.name).toBe("AccessDenied");
    expect((await iam.send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy?.MinimumPasswordLength).toBe(9);
    await iam.send(new DeleteAccountPasswordPolicyCommand({}));
  });
});

describe("account alias", () => {
  it("creates, lists, replaces and deletes the account's one alias", async () => {
    expect(await iam.send(new ListAccountAliasesCommand({}))).toMatchObject({ AccountAliases: [], IsTruncated: false });
    await iam.send(new CreateAccountAliasCommand({ AccountAlias: "example-corp" }));
    expect((await iam.send(new ListAccountAliasesCommand({}))).AccountAliases).toEqual(["example-corp"]);
    // The same alias again succeeds; a different one replaces it.
    await iam.send(new CreateAccountAliasCommand({ AccountAlias: "example-corp" }));
    await iam.send(new CreateAccountAliasCommand({ AccountAlias: "example-corp2" }));
    expect((await iam.send(new ListAccountAliasesCommand({}))).AccountAliases).toEqual(["example-corp2"]);

    expect(await awsError(iam.send(new DeleteAccountAliasCommand({ AccountAlias: "example-corp" })))).toEqual({
      name: "NoSuchEntity",
      status: 404,
      message: "The account alias example-corp cannot be found.",
    });
    await iam.send(new DeleteAccountAliasCommand({ AccountAlias: "example-corp2" }));
    expect((await iam.send(new ListAccountAliasesCommand({}))).AccountAliases).toEqual([]);
  });

  it("refuses an alias another account holds and keeps the current one", async () => {
    await iam.send(new CreateAccountAliasCommand({ AccountAlias: "mine-alias" }));
    await env.DB.prepare(
      "insert or ignore into accounts (id, password_policy, created_at) values ('999999999999', null, 0)",
    ).run();
    await env.DB.prepare(
      "insert into account_aliases (alias, account_id) values ('their-alias', '999999999999')",
    ).run();
    expect(await awsError(iam.send(new CreateAccountAliasCommand({ AccountAlias: "their-alias" })))).toEqual({
      name: "EntityAlreadyExists",
      status: 409,
      message: "The account alias their-alias already exists.",
    });
    expect((await iam.send(new ListAccountAliasesCommand({}))).AccountAliases).toEqual(["mine-alias"]);
    expect(await awsError(iam.send(new DeleteAccountAliasCommand({ AccountAlias: "their-alias" })))).toMatchObject({
      name: "NoSuchEntity",
    });
    await iam.send(new DeleteAccountAliasCommand({ AccountAlias: "mine-alias" }));
  });

  it("answers ValidationError for aliases out of pattern or length", async () => {
    const pattern = "^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$";
    for (const alias of ["Upper", "double--dash", "-leading", "trailing-"]) {
      expect(await awsError(iam.send(new CreateAccountAliasCommand({ AccountAlias: alias })))).toEqual({
        name: "ValidationError",
        status: 400,
        message: `1 validation error detected: Value '${alias}' at 'accountAlias' failed to satisfy constraint: Member must satisfy regular expression pattern: ${pattern}`,
      });
    }
    const short = await awsError(iam.send(new CreateAccountAliasCommand({ AccountAlias: "ab" })));
    expect(short.message).toContain("Member must have length greater than or equal to 3");
    expect((await iam.send(new ListAccountAliasesCommand({}))).AccountAliases).toEqual([]);
  });
});

describe("account summary", () => {
  it("counts the account's entities and reports the quotas", async () => {
    const before = (await iam.send(new GetAccountSummaryCommand({}))).SummaryMap ?? {};
    await iam.send(new CreateUserCommand({ UserName: "summary-user" }));
    await iam.send(new CreateGroupCommand({ GroupName: "summary-group" }));
    await iam.send(new AddUserToGroupCommand({ GroupName: "summary-group", UserName: "summary-user" }));
    await iam.send(new CreateRoleCommand({ RoleName: "summary-role", AssumeRolePolicyDocument: TRUST }));
    await iam.send(new CreateRoleCommand({ RoleName: "summary-role2", AssumeRolePolicyDocument: TRUST }));
    const after = (await iam.send(new GetAccountSummaryCommand({}))).SummaryMap ?? {};
    expect(after.Users).toBe((before.Users ?? 0) + 1);
    expect(after.Groups).toBe((before.Groups ?? 0) + 1);
    expect(after.Roles).toBe((before.Roles ?? 0) + 2);
    expect(after).toMatchObject({
      UsersQuota: 5000,
      GroupsQuota: 300,
      RolesQuota: 1000,
      PoliciesQuota: 1500,
      GroupsPerUserQuota: 10,
      AccessKeysPerUserQuota: 2,
      AttachedPoliciesPerUserQuota: 10,
      AttachedPoliciesPerGroupQuota: 10,
      AttachedPoliciesPerRoleQuota: 10,
      PolicySizeQuota: 6144,
      UserPolicySizeQuota: 2048,
      GroupPolicySizeQuota: 5120,
      RolePolicySizeQuota: 10240,
      AssumeRolePolicySizeQuota: 2048,
      VersionsPerPolicyQuota: 5,
      AccountMFAEnabled: 0,
      AccountAccessKeysPresent: 1,
      Policies: 0,
      PolicyVersionsInUse: 0,
    });
  });

  it("writes SummaryMap as AWS query map entries in one D1 round trip", async () => {
    const client = iamClient();
    let body = "";
    let roundTrips = "";
    client.middlewareStack.add(
      (next) => async (args) => {
        const out = await next(args);
        const response = out.response as { headers: Record<string, string>; body: Uint8Array };
        body = new TextDecoder().decode(response.body);
        roundTrips = response.headers["x-d1-round-trips"] ?? "";
        return out;
      },
      { step: "deserialize" },
    );
    const { SummaryMap } = await client.send(new GetAccountSummaryCommand({}));
    expect(body).toMatch(/<SummaryMap>(<entry><key>[A-Za-z]+<\/key><value>\d+<\/value><\/entry>)+<\/SummaryMap>/);
    expect(body).toContain("<entry><key>GroupsQuota</key><value>300</value></entry>");
    expect(Object.keys(SummaryMap ?? {})).toHaveLength(33);
    // Authentication of the root key needs no D1; the counts are one statement.
    expect(roundTrips).toBe("1");
  });
});
