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
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { signRequest } from "../../src/aws/sigv4";
import { ACCOUNT } from "./fixtures";
import { awsError, iamClient, stsClient, type Credentials } from "./sdk";

const root = iamClient();
const policy = (statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });

async function userWithKey(name: string, statements: object[]): Promise<Credentials> {
  await root.send(new CreateUserCommand({ UserName: name }));
  // A user with no statements has no policy at all: IAM refuses an empty Statement list.
  if (statements.length > 0) {
    await root.send(new PutUserPolicyCommand({ UserName: name, PolicyName: "p", PolicyDocument: policy(statements) }));
  }
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

/** A signed JSON POST to the /v1 API with a session's credentials. */
async function signedJson(c: Credentials, path: string, body: unknown): Promise<Request> {
  const text = JSON.stringify(body);
  const url = new URL(`http://127.0.0.1:8787${path}`);
  const headers = await signRequest({
    method: "POST",
    url,
    headers: { "content-type": "application/json" },
    body: text,
    accessKeyId: c.accessKeyId,
    secret: c.secretAccessKey,
    sessionToken: c.sessionToken,
    region: "us-east-1",
    service: "iam",
    now: new Date(),
  });
  return new Request(url, { method: "POST", headers, body: text });
}

describe("GetFederationToken by the root user", () => {
  // AWS: root's long-term keys may call GetFederationToken (not recommended); the session lasts at most one hour and
  // is the whole account cut by the passed policies.
  // https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html
  it("issues a one-hour token whose permissions are the passed policy's", async () => {
    const sts = stsClient({ accessKeyId: "test", secretAccessKey: "test" });
    const issuedAt = Date.now();
    const out = await sts.send(
      new GetFederationTokenCommand({
        Name: "fed-root",
        DurationSeconds: 43200,
        Policy: policy([{ Effect: "Allow", Action: "iam:SimulateCustomPolicy", Resource: "*" }]),
      }),
    );
    expect(out.FederatedUser?.Arn).toBe(`arn:aws:sts::${ACCOUNT}:federated-user/fed-root`);
    const expires = out.Credentials?.Expiration?.getTime() ?? 0;
    expect(expires - issuedAt).toBeLessThanOrEqual(3600_000 + 5_000);
    expect(expires - issuedAt).toBeGreaterThan(3600_000 - 60_000);
    const session = asCredentials(out.Credentials);
    expect(await stsClient(session).send(new GetCallerIdentityCommand({}))).toMatchObject({
      Arn: `arn:aws:sts::${ACCOUNT}:federated-user/fed-root`,
      Account: ACCOUNT,
    });
    // Decided as a federated user: the passed policy allows simulating, nothing else.
    const simulate = async (s: typeof session) =>
      SELF.fetch(
        await signedJson(s, "/v1/simulate", {
          policies: { identity: [policy([{ Effect: "Allow", Action: "s3:*", Resource: "*" }])] },
          requests: [{ principal: `arn:aws:iam::${ACCOUNT}:user/x`, action: "s3:GetObject", resource: "*" }],
        }),
      );
    expect((await simulate(session)).status).toBe(200);
    const narrow = asCredentials(
      (
        await sts.send(
          new GetFederationTokenCommand({
            Name: "fed-root-2",
            Policy: policy([{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }]),
          }),
        )
      ).Credentials,
    );
    const refused = await simulate(narrow);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain(`arn:aws:sts::${ACCOUNT}:federated-user/fed-root-2 is not authorized`);
  });

  it("is refused to temporary credentials, even the root user's", async () => {
    const out = await awsError(
      stsClient(
        asCredentials(
          (await stsClient({ accessKeyId: "test", secretAccessKey: "test" }).send(new GetSessionTokenCommand({})))
            .Credentials,
        ),
      ).send(new GetFederationTokenCommand({ Name: "fed-temp" })),
    );
    expect(out.name).toBe("AccessDenied");
  });
});
