// GetSessionToken, GetFederationToken and GetAccessKeyInfo through the real SDK.
// AWS pages: https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html,
// https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html,
// https://docs.aws.amazon.com/STS/latest/APIReference/API_GetAccessKeyInfo.html.
import { CreateAccessKeyCommand, CreateUserCommand, ListUsersCommand, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import {
  GetAccessKeyInfoCommand,
  GetCallerIdentityCommand,
  GetFederationTokenCommand,
  GetSessionTokenCommand,
} from "@aws-sdk/client-sts";
import { describe, expect, it } from "vitest";
import { ACCOUNT } from "./fixtures";
import { awsError, iamClient, stsClient, type Credentials } from "./sdk";

const root = iamClient();
const policy = (statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });

async function userWithKey(name: string, statements: object[]): Promise<Credentials> {
  await root.send(new CreateUserCommand({ UserName: name }));
  await root.send(new PutUserPolicyCommand({ UserName: name, PolicyName: "p", PolicyDocument: policy(statements) }));
  const { AccessKey } = await root.send(new CreateAccessKeyCommand({ UserName: name }));
  return { accessKeyId: AccessKey?.AccessKeyId ?? "", secretAccessKey: AccessKey?.SecretAccessKey ?? "" };
}

const asCredentials = (c?: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string }): Credentials => ({
  accessKeyId: c?.AccessKeyId ?? "",
  secretAccessKey: c?.SecretAccessKey ?? "",
  sessionToken: c?.SessionToken,
});

describe("GetSessionToken", () => {
  it("acts as the user, refuses IAM without MFA and further tokens, and caps root at an hour", async () => {
    const ivy = await userWithKey("ivy", [{ Effect: "Allow", Action: "iam:*", Resource: "*" }]);
    const out = await stsClient(ivy).send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
    const session = asCredentials(out.Credentials);
    expect(session.accessKeyId).toMatch(/^ASIA/);
    expect(await stsClient(session).send(new GetCallerIdentityCommand({}))).toMatchObject({
      Arn: `arn:aws:iam::${ACCOUNT}:user/ivy`,
    });
    expect((await awsError(iamClient(session).send(new ListUsersCommand({})))).name).toBe("InvalidClientTokenId");
    expect(await awsError(stsClient(session).send(new GetSessionTokenCommand({})))).toMatchObject({
      name: "AccessDenied",
      message: "Cannot call GetSessionToken with session credentials",
    });
    const rootOut = await stsClient().send(new GetSessionTokenCommand({ DurationSeconds: 7200 }));
    const lifetime = (rootOut.Credentials?.Expiration?.getTime() ?? 0) - Date.now();
    expect(lifetime).toBeLessThanOrEqual(3600_000);
    expect(lifetime).toBeGreaterThan(3500_000);
    expect((await awsError(stsClient(ivy).send(new GetSessionTokenCommand({ DurationSeconds: 129601 })))).name).toBe(
      "ValidationError",
    );
  });
});

describe("GetFederationToken", () => {
  it("intersects the user's permissions with the passed policy; without one the session may do nothing", async () => {
    const jack = await userWithKey("jack", [
      { Effect: "Allow", Action: ["sts:GetFederationToken", "iam:ListUsers", "iam:GetUser"], Resource: "*" },
    ]);
    const out = await stsClient(jack).send(
      new GetFederationTokenCommand({
        Name: "fed-jack",
        Policy: policy([{ Effect: "Allow", Action: ["iam:ListUsers", "iam:CreateUser"], Resource: "*" }]),
      }),
    );
    expect(out.FederatedUser).toEqual({
      FederatedUserId: `${ACCOUNT}:fed-jack`,
      Arn: `arn:aws:sts::${ACCOUNT}:federated-user/fed-jack`,
    });
    expect(out.PackedPolicySize).toBeGreaterThan(0);
    const session = asCredentials(out.Credentials);
    expect(await stsClient(session).send(new GetCallerIdentityCommand({}))).toMatchObject({
      Arn: `arn:aws:sts::${ACCOUNT}:federated-user/fed-jack`,
      UserId: `${ACCOUNT}:fed-jack`,
    });
    // Federation tokens call no IAM operation at all, whatever the policies say.
    expect((await awsError(iamClient(session).send(new ListUsersCommand({})))).name).toBe("InvalidClientTokenId");

    const denied = await awsError(
      stsClient(await userWithKey("kate", [])).send(new GetFederationTokenCommand({ Name: "fed-kate" })),
    );
    expect(denied).toMatchObject({
      name: "AccessDenied",
      message: `User: arn:aws:iam::${ACCOUNT}:user/kate is not authorized to perform: sts:GetFederationToken on resource: arn:aws:sts::${ACCOUNT}:federated-user/fed-kate because no identity-based policy allows the sts:GetFederationToken action`,
    });
  });
});

describe("GetAccessKeyInfo", () => {
  it("names the account of long-term, temporary and root keys", async () => {
    const leo = await userWithKey("leo", [{ Effect: "Allow", Action: "sts:GetAccessKeyInfo", Resource: "*" }]);
    const sts = stsClient(leo);
    expect((await sts.send(new GetAccessKeyInfoCommand({ AccessKeyId: leo.accessKeyId }))).Account).toBe(ACCOUNT);
    const temp = asCredentials((await sts.send(new GetSessionTokenCommand({}))).Credentials);
    expect((await sts.send(new GetAccessKeyInfoCommand({ AccessKeyId: temp.accessKeyId }))).Account).toBe(ACCOUNT);
    expect((await awsError(sts.send(new GetAccessKeyInfoCommand({ AccessKeyId: "AKIAUNKNOWNUNKNOWN00" })))).name).toBe(
      "InvalidParameterValue",
    );
  });
});
