// IAM access keys and login profiles through the real AWS SDK against the Worker with real local D1.
import {
  ChangePasswordCommand,
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteAccountPasswordPolicyCommand,
  DeleteLoginProfileCommand,
  DeleteUserCommand,
  GetAccessKeyLastUsedCommand,
  GetLoginProfileCommand,
  GetUserCommand,
  ListAccessKeysCommand,
  UpdateAccessKeyCommand,
  UpdateAccountPasswordPolicyCommand,
  UpdateLoginProfileCommand,
} from "@aws-sdk/client-iam";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { awsError, iamClient } from "./sdk";
import { ACCOUNT } from "./fixtures";

const iam = iamClient();

async function userWithKey(name: string) {
  await iam.send(new CreateUserCommand({ UserName: name }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  const client = iamClient({
    accessKeyId: AccessKey?.AccessKeyId ?? "",
    secretAccessKey: AccessKey?.SecretAccessKey ?? "",
  });
  return { key: AccessKey, client };
}

/** Lets a user do everything in IAM through an inline policy written straight to D1 (policy operations live elsewhere). */
async function grantIam(userName: string) {
  const { User } = await iam.send(new GetUserCommand({ UserName: userName }));
  const doc = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "iam:*", Resource: "*" }],
  });
  await env.DB.prepare(
    "insert into inline_policies (account_id, principal_kind, principal_id, name, document, size) values (?, 'user', ?, 'all', ?, ?)",
  )
    .bind(ACCOUNT, User?.UserId, doc, doc.length)
    .run();
}

describe("access keys", () => {
  it("creates a key whose secret is returned once and stored encrypted", async () => {
    await iam.send(new CreateUserCommand({ UserName: "keyed" }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: "keyed" }));
    expect(AccessKey).toMatchObject({ UserName: "keyed", Status: "Active" });
    expect(AccessKey?.AccessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(AccessKey?.SecretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/);
    expect(AccessKey?.CreateDate).toBeInstanceOf(Date);

    const stored = await env.DB.prepare("select secret_encrypted from access_keys where id = ?")
      .bind(AccessKey?.AccessKeyId)
      .first<{ secret_encrypted: string }>();
    expect(stored?.secret_encrypted).toMatch(/^v1:/);
    expect(stored?.secret_encrypted).not.toContain(AccessKey?.SecretAccessKey ?? "");

    const listed = await iam.send(new ListAccessKeysCommand({ UserName: "KEYED" }));
    expect(listed.AccessKeyMetadata).toEqual([
      { UserName: "keyed", AccessKeyId: AccessKey?.AccessKeyId, Status: "Active", CreateDate: AccessKey?.CreateDate },
    ]);
    expect(listed.IsTruncated).toBe(false);
  });

  it("refuses a third key with LimitExceeded and keeps two", async () => {
    await iam.send(new CreateUserCommand({ UserName: "two-keys" }));
    await iam.send(new CreateAccessKeyCommand({ UserName: "two-keys" }));
    await iam.send(new CreateAccessKeyCommand({ UserName: "two-keys" }));
    const err = await awsError(iam.send(new CreateAccessKeyCommand({ UserName: "two-keys" })));
    expect(err).toEqual({
      name: "LimitExceeded",
      status: 409,
      message: "Cannot exceed quota for AccessKeysPerUser: 2",
    });
    const listed = await iam.send(new ListAccessKeysCommand({ UserName: "two-keys" }));
    expect(listed.AccessKeyMetadata).toHaveLength(2);
  });

  it("lets at most two of three concurrent creates succeed", async () => {
    await iam.send(new CreateUserCommand({ UserName: "racing-keys" }));
    const results = await Promise.allSettled(
      [1, 2, 3].map(() => iam.send(new CreateAccessKeyCommand({ UserName: "racing-keys" }))),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(2);
    const listed = await iam.send(new ListAccessKeysCommand({ UserName: "racing-keys" }));
    expect(listed.AccessKeyMetadata).toHaveLength(2);
  });

  it("paginates ListAccessKeys with MaxItems and Marker", async () => {
    await iam.send(new CreateUserCommand({ UserName: "paged-keys" }));
    const a = await iam.send(new CreateAccessKeyCommand({ UserName: "paged-keys" }));
    const b = await iam.send(new CreateAccessKeyCommand({ UserName: "paged-keys" }));
    const ids = [a.AccessKey?.AccessKeyId, b.AccessKey?.AccessKeyId].sort();
    const first = await iam.send(new ListAccessKeysCommand({ UserName: "paged-keys", MaxItems: 1 }));
    expect(first.AccessKeyMetadata?.map((k) => k.AccessKeyId)).toEqual([ids[0]]);
    expect(first.IsTruncated).toBe(true);
    const second = await iam.send(
      new ListAccessKeysCommand({ UserName: "paged-keys", MaxItems: 1, Marker: first.Marker }),
    );
    expect(second.AccessKeyMetadata?.map((k) => k.AccessKeyId)).toEqual([ids[1]]);
    expect(second.IsTruncated).toBe(false);
  });

  it("deactivates and reactivates a key; an inactive key cannot sign", async () => {
    const { key, client } = await userWithKey("toggler");
    const id = key?.AccessKeyId ?? "";
    await iam.send(new UpdateAccessKeyCommand({ UserName: "toggler", AccessKeyId: id, Status: "Inactive" }));
    let listed = await iam.send(new ListAccessKeysCommand({ UserName: "toggler" }));
    expect(listed.AccessKeyMetadata?.[0]?.Status).toBe("Inactive");
    expect((await awsError(client.send(new GetUserCommand({})))).name).toBe("InvalidClientTokenId");
    await iam.send(new UpdateAccessKeyCommand({ UserName: "toggler", AccessKeyId: id, Status: "Active" }));
    listed = await iam.send(new ListAccessKeysCommand({ UserName: "toggler" }));
    expect(listed.AccessKeyMetadata?.[0]?.Status).toBe("Active");
    const badStatus = await awsError(
      iam.send(new UpdateAccessKeyCommand({ UserName: "toggler", AccessKeyId: id, Status: "Sleeping" as "Active" })),
    );
    expect(badStatus.message).toBe(
      "1 validation error detected: Value 'Sleeping' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive, Expired]",
    );
  });

  it("deletes a key; the user can then be deleted", async () => {
    const { key } = await userWithKey("shredder");
    const id = key?.AccessKeyId ?? "";
    const conflict = await awsError(iam.send(new DeleteUserCommand({ UserName: "shredder" })));
    expect(conflict.message).toBe("Cannot delete entity, must delete access keys first.");
    await iam.send(new DeleteAccessKeyCommand({ UserName: "shredder", AccessKeyId: id }));
    expect((await iam.send(new ListAccessKeysCommand({ UserName: "shredder" }))).AccessKeyMetadata).toEqual([]);
    expect(await awsError(iam.send(new DeleteAccessKeyCommand({ UserName: "shredder", AccessKeyId: id })))).toEqual({
      name: "NoSuchEntity",
      status: 404,
      message: `The Access Key with id ${id} cannot be found.`,
    });
    await iam.send(new DeleteUserCommand({ UserName: "shredder" }));
  });

  it("treats another user's key as not found and leaves it alone", async () => {
    await iam.send(new CreateUserCommand({ UserName: "owner" }));
    await iam.send(new CreateUserCommand({ UserName: "stranger" }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: "owner" }));
    const id = AccessKey?.AccessKeyId ?? "";
    const message = `The Access Key with id ${id} cannot be found.`;
    expect(
      await awsError(
        iam.send(new UpdateAccessKeyCommand({ UserName: "stranger", AccessKeyId: id, Status: "Inactive" })),
      ),
    ).toEqual({ name: "NoSuchEntity", status: 404, message });
    expect(await awsError(iam.send(new DeleteAccessKeyCommand({ UserName: "stranger", AccessKeyId: id })))).toEqual({
      name: "NoSuchEntity",
      status: 404,
      message,
    });
    const listed = await iam.send(new ListAccessKeysCommand({ UserName: "owner" }));
    expect(listed.AccessKeyMetadata).toEqual([expect.objectContaining({ AccessKeyId: id, Status: "Active" })]);
  });

  it("answers NoSuchEntity for a missing user and ValidationError for a bad key id", async () => {
    const message = "The user with name nobody cannot be found.";
    expect(await awsError(iam.send(new CreateAccessKeyCommand({ UserName: "nobody" })))).toEqual({
      name: "NoSuchEntity",
      status: 404,
      message,
    });
    expect(await awsError(iam.send(new ListAccessKeysCommand({ UserName: "nobody" })))).toEqual({
      name: "NoSuchEntity",
      status: 404,
      message,
    });
    const short = await awsError(iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: "AKIASHORT" })));
    expect(short.message).toBe(
      "1 validation error detected: Value 'AKIASHORT' at 'accessKeyId' failed to satisfy constraint: Member must have length greater than or equal to 16",
    );
    const missing = await awsError(iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: "AKIAAAAAAAAAAAAAAAAA" })));
    expect(missing).toEqual({
      name: "NoSuchEntity",
      status: 404,
      message: "The Access Key with id AKIAAAAAAAAAAAAAAAAA cannot be found.",
    });
  });

  it("reports N/A for a key never used, then the service and region of its last use", async () => {
    const { key, client } = await userWithKey("user-of-keys");
    const id = key?.AccessKeyId ?? "";
    const before = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: id }));
    expect(before.UserName).toBe("user-of-keys");
    expect(before.AccessKeyLastUsed).toEqual({ ServiceName: "N/A", Region: "N/A" });

    // Any signed call records the use, even one that is then denied.
    await awsError(client.send(new ListAccessKeysCommand({})));
    let after = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: id }));
    for (let i = 0; i < 20 && after.AccessKeyLastUsed?.ServiceName === "N/A"; i++) {
      await new Promise((r) => setTimeout(r, 50));
      after = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: id }));
    }
    expect(after.AccessKeyLastUsed).toMatchObject({ ServiceName: "iam", Region: "us-east-1" });
    expect(after.AccessKeyLastUsed?.LastUsedDate).toBeInstanceOf(Date);
  });

  it("defaults UserName to the calling user, and refuses root without a user name", async () => {
    const { key, client } = await userWithKey("self-service");
    await grantIam("self-service");
    const own = await client.send(new ListAccessKeysCommand({}));
    expect(own.AccessKeyMetadata?.map((k) => k.AccessKeyId)).toEqual([key?.AccessKeyId]);
    const second = await client.send(new CreateAccessKeyCommand({}));
    expect(second.AccessKey?.UserName).toBe("self-service");
    await client.send(
      new UpdateAccessKeyCommand({ AccessKeyId: second.AccessKey?.AccessKeyId ?? "", Status: "Inactive" }),
    );
    await client.send(new DeleteAccessKeyCommand({ AccessKeyId: second.AccessKey?.AccessKeyId ?? "" }));
    expect((await client.send(new ListAccessKeysCommand({}))).AccessKeyMetadata).toHaveLength(1);

    const root = await awsError(iam.send(new CreateAccessKeyCommand({})));
    expect(root.name).toBe("ValidationError");
    expect(root.message).toContain("Specify UserName");
    expect((await iam.send(new ListAccessKeysCommand({}))).AccessKeyMetadata).toEqual([]);
  });

  it("denies a user with no policies, even on its own keys", async () => {
    const { key, client } = await userWithKey("keyless-rights");
    const err = await awsError(client.send(new ListAccessKeysCommand({})));
    expect(err).toEqual({
      name: "AccessDenied",
      status: 403,
      message: `User: arn:aws:iam::${ACCOUNT}:user/keyless-rights is not authorized to perform: iam:ListAccessKeys on resource: arn:aws:iam::${ACCOUNT}:user/keyless-rights because no identity-based policy allows the iam:ListAccessKeys action`,
    });
    const create = await awsError(client.send(new CreateAccessKeyCommand({ UserName: "keyless-rights" })));
    expect(create.name).toBe("AccessDenied");
    const lastUsed = await awsError(
      client.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: key?.AccessKeyId ?? "" })),
    );
    expect(lastUsed.name).toBe("AccessDenied");
    expect((await iam.send(new ListAccessKeysCommand({ UserName: "keyless-rights" }))).AccessKeyMetadata).toHaveLength(
      1,
    );
  });
});

describe("login profiles and passwords", () => {
  it("creates, reads, updates and deletes a login profile", async () => {
    await iam.send(new CreateUserCommand({ UserName: "console" }));
    const created = await iam.send(
      new CreateLoginProfileCommand({ UserName: "console", Password: "Str0ng-Passw0rd!", PasswordResetRequired: true }),
    );
    expect(created.LoginProfile).toMatchObject({ UserName: "console", PasswordResetRequired: true });
    expect(created.LoginProfile?.CreateDate).toBeInstanceOf(Date);
    const stored = await env.DB.prepare(
      "select password_hash from login_profiles lp join users u on u.id = lp.user_id where u.name = 'console'",
    ).first<{ password_hash: string }>();
    expect(stored?.password_hash).toMatch(/^pbkdf2\$/);
    expect(stored?.password_hash).not.toContain("Str0ng-Passw0rd!");

    const got = await iam.send(new GetLoginProfileCommand({ UserName: "CONSOLE" }));
    expect(got.LoginProfile).toEqual(created.LoginProfile);

    const dup = await awsError(
      iam.send(new CreateLoginProfileCommand({ UserName: "console", Password: "An0ther-Passw0rd!" })),
    );
    expect(dup).toEqual({
      name: "EntityAlreadyExists",
      status: 409,
      message: "Login Profile for user console already exists.",
    });

    await iam.send(new UpdateLoginProfileCommand({ UserName: "console", PasswordResetRequired: false }));
    expect(
      (await iam.send(new GetLoginProfileCommand({ UserName: "console" }))).LoginProfile?.PasswordResetRequired,
    ).toBe(false);
    await iam.send(new UpdateLoginProfileCommand({ UserName: "console", Password: "N3w-Passw0rd!!" }));
    const after = await env.DB.prepare(
      "select password_hash from login_profiles lp join users u on u.id = lp.user_id where u.name = 'console'",
    ).first<{ password_hash: string }>();
    expect(after?.password_hash).not.toBe(stored?.password_hash);

    const conflict = await awsError(iam.send(new DeleteUserCommand({ UserName: "console" })));
    expect(conflict.message).toBe("Cannot delete entity, must delete login profile first.");
    await iam.send(new DeleteLoginProfileCommand({ UserName: "console" }));
    const gone = { name: "NoSuchEntity", status: 404, message: "Login Profile for User console cannot be found." };
    expect(await awsError(iam.send(new GetLoginProfileCommand({ UserName: "console" })))).toEqual(gone);
    expect(await awsError(iam.send(new DeleteLoginProfileCommand({ UserName: "console" })))).toEqual(gone);
    expect(await awsError(iam.send(new UpdateLoginProfileCommand({ UserName: "console", Password: "X" })))).toEqual(
      gone,
    );
    await iam.send(new DeleteUserCommand({ UserName: "console" }));
  });

  it("answers NoSuchEntity for a missing user", async () => {
    expect(
      await awsError(iam.send(new CreateLoginProfileCommand({ UserName: "nobody", Password: "Str0ng-Passw0rd!" }))),
    ).toEqual({ name: "NoSuchEntity", status: 404, message: "The user with name nobody cannot be found." });
  });

  it("enforces the password policy, and the default one when none is set", async () => {
    await iam.send(new CreateUserCommand({ UserName: "weak" }));
    await iam.send(new DeleteAccountPasswordPolicyCommand({})).catch(() => undefined);
    const byDefault = await awsError(iam.send(new CreateLoginProfileCommand({ UserName: "weak", Password: "short" })));
    expect(byDefault.name).toBe("PasswordPolicyViolation");
    expect(byDefault.status).toBe(400);
    expect(byDefault.message).toContain("Password should have a minimum length of 8");

    await iam.send(
      new UpdateAccountPasswordPolicyCommand({
        MinimumPasswordLength: 12,
        RequireUppercaseCharacters: true,
        RequireNumbers: true,
        RequireSymbols: true,
      }),
    );
    const err = await awsError(iam.send(new CreateLoginProfileCommand({ UserName: "weak", Password: "alllowercase" })));
    expect(err).toEqual({
      name: "PasswordPolicyViolation",
      status: 400,
      message:
        "Password should have at least one uppercase letter; Password should have at least one number; Password should have at least one symbol",
    });
    const short = await awsError(iam.send(new CreateLoginProfileCommand({ UserName: "weak", Password: "Sh0rt!" })));
    expect(short.message).toBe("Password should have a minimum length of 12");
    expect((await awsError(iam.send(new GetLoginProfileCommand({ UserName: "weak" })))).name).toBe("NoSuchEntity");

    await iam.send(new CreateLoginProfileCommand({ UserName: "weak", Password: "Long-En0ugh-Now" }));
    const update = await awsError(iam.send(new UpdateLoginProfileCommand({ UserName: "weak", Password: "nope" })));
    expect(update.name).toBe("PasswordPolicyViolation");
    await iam.send(new DeleteAccountPasswordPolicyCommand({}));
  });

  it("lets an IAM user change its own password when the policy allows it", async () => {
    const { client } = await userWithKey("changer");
    await iam.send(
      new CreateLoginProfileCommand({ UserName: "changer", Password: "0riginal-Pass", PasswordResetRequired: true }),
    );

    // Without a policy allowing it, the user has no iam:ChangePassword.
    await iam.send(new DeleteAccountPasswordPolicyCommand({})).catch(() => undefined);
    const denied = await awsError(
      client.send(new ChangePasswordCommand({ OldPassword: "0riginal-Pass", NewPassword: "Changed-Pass1" })),
    );
    expect(denied).toEqual({
      name: "AccessDenied",
      status: 403,
      message: `User: arn:aws:iam::${ACCOUNT}:user/changer is not authorized to perform: iam:ChangePassword on resource: arn:aws:iam::${ACCOUNT}:user/changer because no identity-based policy allows the iam:ChangePassword action`,
    });

    await iam.send(
      new UpdateAccountPasswordPolicyCommand({ AllowUsersToChangePassword: true, MinimumPasswordLength: 10 }),
    );
    const wrongOld = await awsError(
      client.send(new ChangePasswordCommand({ OldPassword: "wrong-pass", NewPassword: "Changed-Pass1" })),
    );
    expect(wrongOld).toEqual({ name: "AccessDenied", status: 403, message: "The old password is incorrect." });
    const weak = await awsError(
      client.send(new ChangePasswordCommand({ OldPassword: "0riginal-Pass", NewPassword: "short" })),
    );
    expect(weak).toEqual({
      name: "PasswordPolicyViolation",
      status: 400,
      message: "Password should have a minimum length of 10",
    });
    const before = await env.DB.prepare(
      "select password_hash from login_profiles lp join users u on u.id = lp.user_id where u.name = 'changer'",
    ).first<{ password_hash: string }>();

    await client.send(new ChangePasswordCommand({ OldPassword: "0riginal-Pass", NewPassword: "Changed-Pass1" }));
    const profile = await iam.send(new GetLoginProfileCommand({ UserName: "changer" }));
    expect(profile.LoginProfile?.PasswordResetRequired).toBe(false);
    const after = await env.DB.prepare(
      "select password_hash from login_profiles lp join users u on u.id = lp.user_id where u.name = 'changer'",
    ).first<{ password_hash: string }>();
    expect(after?.password_hash).not.toBe(before?.password_hash);
    // The old password no longer works.
    const stale = await awsError(
      client.send(new ChangePasswordCommand({ OldPassword: "0riginal-Pass", NewPassword: "Another-Pass2" })),
    );
    expect(stale.message).toBe("The old password is incorrect.");

    const root = await awsError(iam.send(new ChangePasswordCommand({ OldPassword: "a", NewPassword: "b" })));
    expect(root).toMatchObject({ name: "InvalidUserType", status: 400 });
    await iam.send(new DeleteAccountPasswordPolicyCommand({}));
  });
});
