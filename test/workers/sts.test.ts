// STS role sessions end to end through the real SDKs: AssumeRole, temporary credentials in KV, and what a session may do.
// AWS pages: https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use.html (trust and identity policies both allow),
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session (session policies),
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_revoke-sessions.html (AWSRevokeOlderSessions).
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  GetRoleCommand,
  GetUserCommand,
  ListUsersCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from "@aws-sdk/client-iam";
import { AssumeRoleCommand, GetCallerIdentityCommand, type AssumeRoleCommandInput } from "@aws-sdk/client-sts";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ACCOUNT } from "./fixtures";
import { awsError, iamClient, stsClient, type Credentials } from "./sdk";

const root = iamClient();

const policy = (statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const allow = (action: string | string[], resource = "*", extra: object = {}) => ({
  Effect: "Allow",
  Action: action,
  Resource: resource,
  ...extra,
});
const trustAccount = (extra: object = {}) =>
  policy([
    {
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: ["sts:AssumeRole", "sts:TagSession"],
      ...extra,
    },
  ]);

async function userWithKey(name: string, statements: object[] = []): Promise<Credentials> {
  await root.send(new CreateUserCommand({ UserName: name }));
  if (statements.length > 0) {
    await root.send(new PutUserPolicyCommand({ UserName: name, PolicyName: "p", PolicyDocument: policy(statements) }));
  }
  const { AccessKey } = await root.send(new CreateAccessKeyCommand({ UserName: name }));
  return { accessKeyId: AccessKey?.AccessKeyId ?? "", secretAccessKey: AccessKey?.SecretAccessKey ?? "" };
}

async function role(name: string, trust: string, statements: object[] = [allow("iam:*")], maxSession?: number) {
  await root.send(
    new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust, MaxSessionDuration: maxSession }),
  );
  await root.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: "p", PolicyDocument: policy(statements) }));
  return `arn:aws:iam::${ACCOUNT}:role/${name}`;
}

async function assume(creds: Credentials, input: AssumeRoleCommandInput): Promise<Credentials> {
  const out = await stsClient(creds).send(new AssumeRoleCommand(input));
  const c = out.Credentials;
  return {
    accessKeyId: c?.AccessKeyId ?? "",
    secretAccessKey: c?.SecretAccessKey ?? "",
    sessionToken: c?.SessionToken,
  };
}

describe("AssumeRole", () => {
  it("issues ASIA credentials in KV that act as the role session until they expire", async () => {
    const alice = await userWithKey("alice", [allow("sts:AssumeRole")]);
    const arn = await role("reader", trustAccount(), [allow("iam:ListUsers")]);
    const out = await stsClient(alice).send(
      new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: "alice-session", DurationSeconds: 900 }),
    );
    const c = out.Credentials;
    expect(c?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(c?.SessionToken?.length).toBeGreaterThan(100);
    expect(c?.Expiration?.getTime()).toBeGreaterThan(Date.now() + 890_000);
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/reader/alice-session`);
    expect(out.AssumedRoleUser?.AssumedRoleId).toMatch(/^AROA[A-Z2-7]{17}:alice-session$/);

    // Stored by key id, secret encrypted and token hashed: neither appears in KV.
    const stored = await env.KV.get(`session:${c?.AccessKeyId}`);
    expect(stored).not.toBeNull();
    expect(stored).not.toContain(c?.SecretAccessKey ?? "-");
    expect(stored).not.toContain(c?.SessionToken ?? "-");

    const session = {
      accessKeyId: c?.AccessKeyId ?? "",
      secretAccessKey: c?.SecretAccessKey ?? "",
      sessionToken: c?.SessionToken,
    };
    const who = await stsClient(session).send(new GetCallerIdentityCommand({}));
    expect(who).toMatchObject({
      Arn: out.AssumedRoleUser?.Arn,
      UserId: out.AssumedRoleUser?.AssumedRoleId,
      Account: ACCOUNT,
    });
    const listed = await iamClient(session).send(new ListUsersCommand({}));
    expect(listed.Users?.map((u) => u.UserName)).toContain("alice");
    expect(await awsError(iamClient(session).send(new GetUserCommand({ UserName: "alice" })))).toMatchObject({
      name: "AccessDenied",
      message: `User: ${out.AssumedRoleUser?.Arn} is not authorized to perform: iam:GetUser on resource: arn:aws:iam::${ACCOUNT}:user/alice because no identity-based policy allows the iam:GetUser action`,
    });
  });

  it("needs the trust policy even in the same account, and the caller's own Allow when the trust names only the account", async () => {
    const bob = await userWithKey("bob", [allow("sts:AssumeRole")]);
    const carol = await userWithKey("carol");
    const ec2Only = await role(
      "ec2-only",
      policy([{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }]),
    );
    expect(
      await awsError(stsClient(bob).send(new AssumeRoleCommand({ RoleArn: ec2Only, RoleSessionName: "s1" }))),
    ).toMatchObject({
      name: "AccessDenied",
      message: `User: arn:aws:iam::${ACCOUNT}:user/bob is not authorized to perform: sts:AssumeRole on resource: ${ec2Only}`,
    });
    const byAccount = await role("by-account", trustAccount());
    // carol has no identity policy: a trust policy naming only the account does not grant on its own.
    expect(
      (await awsError(stsClient(carol).send(new AssumeRoleCommand({ RoleArn: byAccount, RoleSessionName: "s2" }))))
        .name,
    ).toBe("AccessDenied");
    // A trust policy naming carol herself is enough without any identity policy.
    const named = await role(
      "names-carol",
      policy([{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/carol` }, Action: "sts:AssumeRole" }]),
    );
    await assume(carol, { RoleArn: named, RoleSessionName: "s3" });
  });

  it("checks sts:ExternalId, the duration against MaxSessionDuration, and refuses root", async () => {
    const dave = await userWithKey("dave", [allow("sts:AssumeRole")]);
    const arn = await role(
      "with-external-id",
      trustAccount({ Condition: { StringEquals: { "sts:ExternalId": "secret-123" } } }),
      undefined,
      7200,
    );
    expect(
      (
        await awsError(
          stsClient(dave).send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: "xx", ExternalId: "wrong-1" })),
        )
      ).name,
    ).toBe("AccessDenied");
    expect(
      (await awsError(stsClient(dave).send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: "xx" })))).name,
    ).toBe("AccessDenied");
    await assume(dave, { RoleArn: arn, RoleSessionName: "xx", ExternalId: "secret-123", DurationSeconds: 7200 });
    expect(
      await awsError(
        stsClient(dave).send(
          new AssumeRoleCommand({
            RoleArn: arn,
            RoleSessionName: "xx",
            ExternalId: "secret-123",
            DurationSeconds: 7201,
          }),
        ),
      ),
    ).toMatchObject({
      name: "ValidationError",
      message: "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    });
    expect(
      (
        await awsError(
          stsClient(dave).send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: "xx", DurationSeconds: 899 })),
        )
      ).name,
    ).toBe("ValidationError");
    expect(
      (await awsError(stsClient(dave).send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: "bad name!" }))))
        .name,
    ).toBe("ValidationError");
    expect(
      await awsError(
        stsClient().send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: "root", ExternalId: "secret-123" })),
      ),
    ).toMatchObject({
      name: "AccessDenied",
      message: "Roles may not be assumed by root accounts.",
    });
  });

  it("cuts the role's permissions by the session policy, and refuses malformed or missing session policies", async () => {
    const erin = await userWithKey("erin", [allow("sts:AssumeRole")]);
    const arn = await role("admin-ish", trustAccount());
    const session = await assume(erin, {
      RoleArn: arn,
      RoleSessionName: "narrow",
      Policy: policy([allow("iam:ListUsers")]),
    });
    await iamClient(session).send(new ListUsersCommand({}));
    expect(await awsError(iamClient(session).send(new GetUserCommand({ UserName: "erin" })))).toMatchObject({
      name: "AccessDenied",
      message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/admin-ish/narrow is not authorized to perform: iam:GetUser on resource: arn:aws:iam::${ACCOUNT}:user/erin because no session policy allows the iam:GetUser action`,
    });
    const before = (await env.KV.list({ prefix: "session:" })).keys.length;
    expect(
      (
        await awsError(
          stsClient(erin).send(
            new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: "mm", Policy: '{"Version":"2012-10-17"' }),
          ),
        )
      ).name,
    ).toBe("MalformedPolicyDocument");
    expect(
      (
        await awsError(
          stsClient(erin).send(
            new AssumeRoleCommand({
              RoleArn: arn,
              RoleSessionName: "mm",
              PolicyArns: [{ arn: `arn:aws:iam::${ACCOUNT}:policy/missing` }],
            }),
          ),
        )
      ).name,
    ).toBe("InvalidParameterValue");
    expect(
      (
        await awsError(
          stsClient(erin).send(
            new AssumeRoleCommand({
              RoleArn: arn,
              RoleSessionName: "mm",
              PolicyArns: Array.from({ length: 11 }, () => ({ arn: "arn:aws:iam::aws:policy/ReadOnlyAccess" })),
            }),
          ),
        )
      ).name,
    ).toBe("ValidationError");
    expect((await env.KV.list({ prefix: "session:" })).keys.length).toBe(before);
  });

  it("answers ExpiredToken once the stored expiry has passed, and InvalidClientTokenId for a wrong or missing token", async () => {
    const frank = await userWithKey("frank", [allow("sts:AssumeRole")]);
    const arn = await role("short", trustAccount());
    const session = await assume(frank, { RoleArn: arn, RoleSessionName: "ss" });
    expect(
      await awsError(
        stsClient({ ...session, sessionToken: `${session.sessionToken}x` }).send(new GetCallerIdentityCommand({})),
      ),
    ).toMatchObject({
      name: "InvalidClientTokenId",
      message: "The security token included in the request is invalid.",
    });
    expect(
      (await awsError(stsClient({ ...session, sessionToken: undefined }).send(new GetCallerIdentityCommand({})))).name,
    ).toBe("InvalidClientTokenId");
    const other = await assume(frank, { RoleArn: arn, RoleSessionName: "tt" });
    expect(
      (
        await awsError(
          stsClient({ ...session, sessionToken: other.sessionToken }).send(new GetCallerIdentityCommand({})),
        )
      ).name,
    ).toBe("InvalidClientTokenId");

    const key = `session:${session.accessKeyId}`;
    const stored = JSON.parse((await env.KV.get(key)) ?? "{}") as { expiresAt: number };
    await env.KV.put(key, JSON.stringify({ ...stored, expiresAt: Date.now() - 1000 }));
    expect(await awsError(stsClient(session).send(new GetCallerIdentityCommand({})))).toMatchObject({
      name: "ExpiredToken",
      message: "The security token included in the request is expired",
    });
  });

  it("denies a deleted role's sessions and honours AWSRevokeOlderSessions", async () => {
    const gina = await userWithKey("gina", [allow("sts:AssumeRole")]);
    const arn = await role("revocable", trustAccount(), [allow("iam:ListUsers")]);
    const session = await assume(gina, { RoleArn: arn, RoleSessionName: "ss" });
    await iamClient(session).send(new ListUsersCommand({}));
    const revoke = policy([
      {
        Effect: "Deny",
        Action: "*",
        Resource: "*",
        Condition: { DateLessThan: { "aws:TokenIssueTime": new Date(Date.now() + 60_000).toISOString() } },
      },
    ]);
    await root.send(
      new PutRolePolicyCommand({ RoleName: "revocable", PolicyName: "AWSRevokeOlderSessions", PolicyDocument: revoke }),
    );
    expect((await awsError(iamClient(session).send(new ListUsersCommand({})))).message).toContain(
      "with an explicit deny in an identity-based policy",
    );

    await root.send(new DeleteRolePolicyCommand({ RoleName: "revocable", PolicyName: "AWSRevokeOlderSessions" }));
    await root.send(new DeleteRolePolicyCommand({ RoleName: "revocable", PolicyName: "p" }));
    await root.send(new DeleteRoleCommand({ RoleName: "revocable" }));
    await role("revocable", trustAccount(), [allow("iam:ListUsers")]);
    // Same name, new role: the old session belonged to the deleted one and may do nothing.
    expect((await awsError(iamClient(session).send(new ListUsersCommand({})))).name).toBe("AccessDenied");
  });

  it("chains roles for at most an hour, carries transitive tags, and resolves principal tags and ${aws:userid}", async () => {
    const hank = await userWithKey("hank", [allow(["sts:AssumeRole", "sts:TagSession"])]);
    const first = await role("first", trustAccount(), [allow(["sts:AssumeRole", "sts:TagSession"])]);
    const second = await role("second", trustAccount(), [
      allow("iam:ListUsers", "*", { Condition: { StringEquals: { "aws:PrincipalTag/team": "blue" } } }),
      allow("iam:GetUser", "*", {
        Condition: { StringLike: { "aws:userid": "AROA*:${aws:PrincipalTag/team}-chained" } },
      }),
    ]);
    const s1 = await assume(hank, {
      RoleArn: first,
      RoleSessionName: "one",
      Tags: [{ Key: "team", Value: "blue" }],
      TransitiveTagKeys: ["team"],
    });
    expect(
      await awsError(
        stsClient(s1).send(new AssumeRoleCommand({ RoleArn: second, RoleSessionName: "two", DurationSeconds: 3601 })),
      ),
    ).toMatchObject({
      name: "ValidationError",
      message: "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
    });
    const s2 = await assume(s1, { RoleArn: second, RoleSessionName: "blue-chained" });
    await iamClient(s2).send(new ListUsersCommand({}));
    await iamClient(s2).send(new GetUserCommand({ UserName: "hank" }));
    expect(
      (
        await awsError(
          stsClient(s1).send(
            new AssumeRoleCommand({ RoleArn: second, RoleSessionName: "xx", Tags: [{ Key: "team", Value: "red" }] }),
          ),
        )
      ).name,
    ).toBe("InvalidParameterValue");
  });
});

describe("trust policies name principals that exist", () => {
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html: a policy naming
  // a user or role that does not exist fails with "Invalid principal in policy".
  it("refuses a trust policy naming a missing user or role, on CreateRole and UpdateAssumeRolePolicy", async () => {
    const ghost = (arn: string) => policy([{ Effect: "Allow", Principal: { AWS: arn }, Action: "sts:AssumeRole" }]);
    const missing = `arn:aws:iam::${ACCOUNT}:user/nobody-here`;
    expect(
      await awsError(
        root.send(new CreateRoleCommand({ RoleName: "ghostly", AssumeRolePolicyDocument: ghost(missing) })),
      ),
    ).toMatchObject({ name: "MalformedPolicyDocument", message: `Invalid principal in policy: "AWS":"${missing}"` });
    expect((await awsError(root.send(new GetRoleCommand({ RoleName: "ghostly" })))).name).toBe("NoSuchEntity");
    await userWithKey("real-user");
    await role("trusting", ghost(`arn:aws:iam::${ACCOUNT}:user/real-user`));
    const missingRole = `arn:aws:iam::${ACCOUNT}:role/no-such-role`;
    expect(
      (
        await awsError(
          root.send(new UpdateAssumeRolePolicyCommand({ RoleName: "trusting", PolicyDocument: ghost(missingRole) })),
        )
      ).name,
    ).toBe("MalformedPolicyDocument");
  });
});
