// Virtual MFA devices through the real AWS SDK: seeds, TOTP enable and resync, assignment, lists, tags and errors.
import {
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  DeactivateMFADeviceCommand,
  DeleteVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  GetMFADeviceCommand,
  ListMFADevicesCommand,
  ListMFADeviceTagsCommand,
  ListVirtualMFADevicesCommand,
  ResyncMFADeviceCommand,
  TagMFADeviceCommand,
  UntagMFADeviceCommand,
} from "@aws-sdk/client-iam";
import {
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateRoleCommand,
  ListUsersCommand,
} from "@aws-sdk/client-iam";
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand } from "@aws-sdk/client-sts";
import { describe, expect, it } from "vitest";
import { base32Decode, stepAt, totpAt } from "../../src/iam/totp";
import { ACCOUNT } from "./fixtures";
import { awsError, iamClient, stsClient } from "./sdk";

const iam = iamClient();

async function device(name: string, Path?: string) {
  const out = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: name, Path }));
  const seed = new TextDecoder().decode(out.VirtualMFADevice?.Base32StringSeed);
  return { serial: out.VirtualMFADevice?.SerialNumber ?? "", seed: base32Decode(seed), seedText: seed };
}

/** Two consecutive codes starting `offset` steps from now. */
async function codes(seed: Uint8Array<ArrayBuffer>, offset = 0) {
  const step = stepAt(Date.now()) + offset;
  return [await totpAt(seed, step), await totpAt(seed, step + 1)] as const;
}

describe("TOTP", () => {
  it("matches RFC 6238's SHA-1 test vectors", async () => {
    const secret = new TextEncoder().encode("12345678901234567890") as Uint8Array<ArrayBuffer>;
    expect(await totpAt(secret, Math.floor(59 / 30), 8)).toBe("94287082");
    expect(await totpAt(secret, Math.floor(1111111109 / 30), 8)).toBe("07081804");
    expect(await totpAt(secret, Math.floor(20000000000 / 30), 8)).toBe("65353130");
  });
});

describe("virtual MFA devices", () => {
  it("creates a device with a Base32 seed and enables it with two consecutive codes", async () => {
    await iam.send(new CreateUserCommand({ UserName: "alice" }));
    const { serial, seed, seedText } = await device("alice-phone", "/team/");
    expect(serial).toBe(`arn:aws:iam::${ACCOUNT}:mfa/team/alice-phone`);
    expect(seedText).toMatch(/^[A-Z2-7]{32}$/);

    const unassigned = await iam.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: "Unassigned" }));
    expect(unassigned.VirtualMFADevices?.map((d) => d.SerialNumber)).toContain(serial);

    const [bad1, bad2] = await codes(seed, 100);
    expect(
      await awsError(
        iam.send(
          new EnableMFADeviceCommand({
            UserName: "alice",
            SerialNumber: serial,
            AuthenticationCode1: bad1,
            AuthenticationCode2: bad2,
          }),
        ),
      ),
    ).toMatchObject({ name: "InvalidAuthenticationCode", status: 403 });

    const [c1, c2] = await codes(seed);
    await iam.send(
      new EnableMFADeviceCommand({
        UserName: "alice",
        SerialNumber: serial,
        AuthenticationCode1: c1,
        AuthenticationCode2: c2,
      }),
    );
    const mine = await iam.send(new ListMFADevicesCommand({ UserName: "alice" }));
    expect(mine.MFADevices).toHaveLength(1);
    expect(mine.MFADevices?.[0]).toMatchObject({ UserName: "alice", SerialNumber: serial });
    expect(mine.MFADevices?.[0]?.EnableDate).toBeInstanceOf(Date);
    const got = await iam.send(new GetMFADeviceCommand({ SerialNumber: serial, UserName: "alice" }));
    expect(got).toMatchObject({ UserName: "alice", SerialNumber: serial });

    const assigned = await iam.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: "Assigned" }));
    expect(assigned.VirtualMFADevices?.[0]).toMatchObject({ SerialNumber: serial, User: { UserName: "alice" } });

    // The device is taken, and the same codes cannot be used again.
    await iam.send(new CreateUserCommand({ UserName: "bob" }));
    expect(
      await awsError(
        iam.send(
          new EnableMFADeviceCommand({
            UserName: "bob",
            SerialNumber: serial,
            AuthenticationCode1: c1,
            AuthenticationCode2: c2,
          }),
        ),
      ),
    ).toMatchObject({ name: "EntityAlreadyExists" });
    expect(
      await awsError(
        iam.send(
          new ResyncMFADeviceCommand({
            UserName: "alice",
            SerialNumber: serial,
            AuthenticationCode1: c1,
            AuthenticationCode2: c2,
          }),
        ),
      ),
    ).toMatchObject({ name: "InvalidAuthenticationCode" });
    // A drifted clock: codes 20 steps (10 minutes) ahead resync.
    const [d1, d2] = await codes(seed, 20);
    await iam.send(
      new ResyncMFADeviceCommand({
        UserName: "alice",
        SerialNumber: serial,
        AuthenticationCode1: d1,
        AuthenticationCode2: d2,
      }),
    );

    expect(await awsError(iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: serial })))).toMatchObject({
      name: "DeleteConflict",
      status: 409,
    });
    await iam.send(new DeactivateMFADeviceCommand({ UserName: "alice", SerialNumber: serial }));
    expect((await iam.send(new ListMFADevicesCommand({ UserName: "alice" }))).MFADevices).toEqual([]);
    await iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: serial }));
    expect(await awsError(iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: serial })))).toMatchObject({
      name: "NoSuchEntity",
      status: 404,
    });
  });

  it("refuses duplicates and unknown devices; tags and pages devices", async () => {
    const { serial } = await device("shared");
    expect(
      await awsError(iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: "SHARED" }))),
    ).toMatchObject({ name: "EntityAlreadyExists", status: 409 });
    expect(
      await awsError(iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: "bad name" }))),
    ).toMatchObject({ name: "ValidationError" });
    const missing = `arn:aws:iam::${ACCOUNT}:mfa/none`;
    expect(
      await awsError(iam.send(new DeactivateMFADeviceCommand({ UserName: "nobody", SerialNumber: missing }))),
    ).toMatchObject({ name: "NoSuchEntity" });
    expect(
      await awsError(
        iam.send(
          new EnableMFADeviceCommand({
            UserName: "nobody",
            SerialNumber: missing,
            AuthenticationCode1: "123456",
            AuthenticationCode2: "12345x",
          }),
        ),
      ),
    ).toMatchObject({ name: "ValidationError" });

    await iam.send(new TagMFADeviceCommand({ SerialNumber: serial, Tags: [{ Key: "k", Value: "v" }] }));
    expect((await iam.send(new ListMFADeviceTagsCommand({ SerialNumber: serial }))).Tags).toEqual([
      { Key: "k", Value: "v" },
    ]);
    await iam.send(new UntagMFADeviceCommand({ SerialNumber: serial, TagKeys: ["k"] }));
    expect((await iam.send(new ListMFADeviceTagsCommand({ SerialNumber: serial }))).Tags).toEqual([]);
    expect(
      await awsError(iam.send(new TagMFADeviceCommand({ SerialNumber: missing, Tags: [{ Key: "k", Value: "v" }] }))),
    ).toMatchObject({ name: "NoSuchEntity" });

    await device("z1");
    await device("z2");
    const first = await iam.send(new ListVirtualMFADevicesCommand({ MaxItems: 2 }));
    expect(first.VirtualMFADevices).toHaveLength(2);
    expect(first.IsTruncated).toBe(true);
    const rest = await iam.send(new ListVirtualMFADevicesCommand({ MaxItems: 10, Marker: first.Marker }));
    expect(rest.IsTruncated).toBe(false);
    expect((first.VirtualMFADevices?.length ?? 0) + (rest.VirtualMFADevices?.length ?? 0)).toBeGreaterThanOrEqual(3);
  });
});

describe("MFA-protected sessions", () => {
  it("GetSessionToken and AssumeRole verify the caller's TOTP code and mark the session as MFA", async () => {
    await iam.send(new CreateUserCommand({ UserName: "carol" }));
    await iam.send(
      new AttachUserPolicyCommand({ UserName: "carol", PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }),
    );
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: "carol" }))).AccessKey;
    const carol = { accessKeyId: key?.AccessKeyId ?? "", secretAccessKey: key?.SecretAccessKey ?? "" };
    const { serial, seed } = await device("carol-phone");
    // Enabled with the two previous steps' codes, so the current and next codes are still unused.
    const [e1, e2] = await codes(seed, -2);
    await iam.send(
      new EnableMFADeviceCommand({
        UserName: "carol",
        SerialNumber: serial,
        AuthenticationCode1: e1,
        AuthenticationCode2: e2,
      }),
    );
    const sts = stsClient(carol);
    const now = stepAt(Date.now());

    expect(
      await awsError(sts.send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: "000000" }))),
    ).toMatchObject({
      name: "AccessDenied",
      message: "MultiFactorAuthentication failed, unable to validate MFA code.",
    });
    expect(await awsError(sts.send(new GetSessionTokenCommand({ SerialNumber: serial })))).toMatchObject({
      name: "AccessDenied",
    });

    // Without MFA a GetSessionToken session may not call IAM; with it, it may.
    const plain = (await sts.send(new GetSessionTokenCommand({}))).Credentials;
    const plainIam = iamClient({
      accessKeyId: plain?.AccessKeyId ?? "",
      secretAccessKey: plain?.SecretAccessKey ?? "",
      sessionToken: plain?.SessionToken,
    });
    expect(await awsError(plainIam.send(new ListUsersCommand({})))).toMatchObject({ name: "InvalidClientTokenId" });
    const code = await totpAt(seed, now);
    const withMfa = (await sts.send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: code }))).Credentials;
    const mfaIam = iamClient({
      accessKeyId: withMfa?.AccessKeyId ?? "",
      secretAccessKey: withMfa?.SecretAccessKey ?? "",
      sessionToken: withMfa?.SessionToken,
    });
    expect((await mfaIam.send(new ListUsersCommand({}))).Users?.map((u) => u.UserName)).toContain("carol");
    // The same code cannot be spent twice.
    expect(
      await awsError(sts.send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: code }))),
    ).toMatchObject({ name: "AccessDenied" });

    // A role whose trust policy requires MFA.
    await iam.send(
      new CreateRoleCommand({
        RoleName: "mfa-only",
        AssumeRolePolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/carol` },
              Action: "sts:AssumeRole",
              Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } },
            },
          ],
        }),
      }),
    );
    const RoleArn = `arn:aws:iam::${ACCOUNT}:role/mfa-only`;
    expect(await awsError(sts.send(new AssumeRoleCommand({ RoleArn, RoleSessionName: "sess" })))).toMatchObject({
      name: "AccessDenied",
    });
    const assumed = await sts.send(
      new AssumeRoleCommand({
        RoleArn,
        RoleSessionName: "sess",
        SerialNumber: serial,
        TokenCode: await totpAt(seed, now + 1),
      }),
    );
    const roleSts = stsClient({
      accessKeyId: assumed.Credentials?.AccessKeyId ?? "",
      secretAccessKey: assumed.Credentials?.SecretAccessKey ?? "",
      sessionToken: assumed.Credentials?.SessionToken,
    });
    expect((await roleSts.send(new GetCallerIdentityCommand({}))).Arn).toBe(
      `arn:aws:sts::${ACCOUNT}:assumed-role/mfa-only/sess`,
    );
    // A wrong code is refused even though the trust policy saw the claim.
    expect(
      await awsError(
        sts.send(
          new AssumeRoleCommand({ RoleArn, RoleSessionName: "sess", SerialNumber: serial, TokenCode: "123456" }),
        ),
      ),
    ).toMatchObject({ name: "AccessDenied" });
  });
});
