// SSH public keys and service-specific credentials through the real AWS SDK: formats, quotas, paging and errors.
import {
  CreateServiceSpecificCredentialCommand,
  CreateUserCommand,
  DeleteServiceSpecificCredentialCommand,
  DeleteSSHPublicKeyCommand,
  GetSSHPublicKeyCommand,
  ListServiceSpecificCredentialsCommand,
  ListSSHPublicKeysCommand,
  ResetServiceSpecificCredentialCommand,
  UpdateServiceSpecificCredentialCommand,
  UpdateSSHPublicKeyCommand,
  UploadSSHPublicKeyCommand,
} from "@aws-sdk/client-iam";
import { describe, expect, it } from "vitest";
import { ACCOUNT } from "./fixtures";
import { awsError, iamClient } from "./sdk";

const iam = iamClient();

/** A fresh RSA public key as PEM (SubjectPublicKeyInfo). */
async function pemKey(bits = 2048): Promise<string> {
  const pair = (await crypto.subtle.generateKey(
    { name: "RSASSA-PKCS1-v1_5", modulusLength: bits, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
  const der = new Uint8Array((await crypto.subtle.exportKey("spki", pair.publicKey)) as ArrayBuffer);
  const b64 = btoa(String.fromCharCode(...der));
  return `-----BEGIN PUBLIC KEY-----\n${(b64.match(/.{1,64}/g) ?? []).join("\n")}\n-----END PUBLIC KEY-----\n`;
}

const user = (UserName: string) => iam.send(new CreateUserCommand({ UserName }));
const upload = (UserName: string, SSHPublicKeyBody: string) =>
  iam.send(new UploadSSHPublicKeyCommand({ UserName, SSHPublicKeyBody }));

describe("SSH public keys", () => {
  it("uploads PEM and ssh-rsa keys, answers both encodings and one fingerprint for one key", async () => {
    await user("dev");
    await user("dev2");
    const pem = await pemKey();
    const up = await upload("dev", pem);
    expect(up.SSHPublicKey).toMatchObject({ UserName: "dev", Status: "Active", SSHPublicKeyBody: pem });
    expect(up.SSHPublicKey?.SSHPublicKeyId).toMatch(/^APKA[A-Z2-7]{17}$/);
    expect(up.SSHPublicKey?.Fingerprint).toMatch(/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
    const id = up.SSHPublicKey?.SSHPublicKeyId ?? "";

    const ssh = await iam.send(new GetSSHPublicKeyCommand({ UserName: "dev", SSHPublicKeyId: id, Encoding: "SSH" }));
    const line = ssh.SSHPublicKey?.SSHPublicKeyBody ?? "";
    expect(line).toMatch(/^ssh-rsa AAAAB3NzaC1yc2EA[A-Za-z0-9+/=]+$/);
    const asPem = await iam.send(new GetSSHPublicKeyCommand({ UserName: "dev", SSHPublicKeyId: id, Encoding: "PEM" }));
    expect(asPem.SSHPublicKey?.SSHPublicKeyBody?.replace(/\s/g, "")).toBe(pem.replace(/\s/g, ""));

    // The same key in its ssh-rsa form has the same fingerprint, and is a duplicate for the same user.
    const again = await upload("dev2", `${line} dev@laptop`);
    expect(again.SSHPublicKey?.Fingerprint).toBe(up.SSHPublicKey?.Fingerprint);
    expect(await awsError(upload("dev", line))).toMatchObject({ name: "DuplicateSSHPublicKey", status: 400 });

    await iam.send(new UpdateSSHPublicKeyCommand({ UserName: "dev", SSHPublicKeyId: id, Status: "Inactive" }));
    const listed = await iam.send(new ListSSHPublicKeysCommand({ UserName: "dev" }));
    expect(listed.SSHPublicKeys).toEqual([
      { UserName: "dev", SSHPublicKeyId: id, Status: "Inactive", UploadDate: up.SSHPublicKey?.UploadDate },
    ]);
    await iam.send(new DeleteSSHPublicKeyCommand({ UserName: "dev", SSHPublicKeyId: id }));
    expect(
      await awsError(iam.send(new GetSSHPublicKeyCommand({ UserName: "dev", SSHPublicKeyId: id, Encoding: "SSH" }))),
    ).toMatchObject({ name: "NoSuchEntity", status: 404 });
  });

  it("refuses unknown encodings, broken and short keys, and a sixth key; pages the list", async () => {
    await user("keys");
    expect(await awsError(upload("keys", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample"))).toMatchObject({
      name: "UnrecognizedPublicKeyEncoding",
      status: 400,
    });
    expect(await awsError(upload("keys", "ssh-rsa AAAA!!notbase64"))).toMatchObject({ name: "InvalidPublicKey" });
    expect(await awsError(upload("keys", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"))).toMatchObject({
      name: "InvalidPublicKey",
    });
    expect(await awsError(upload("keys", await pemKey(1024)))).toMatchObject({
      name: "InvalidPublicKey",
      message: "Public key must be at least 2048 bits.",
    });
    expect(await awsError(upload("ghost", await pemKey()))).toMatchObject({ name: "NoSuchEntity" });

    for (let n = 0; n < 5; n++) await upload("keys", await pemKey());
    expect(await awsError(upload("keys", await pemKey()))).toMatchObject({
      name: "LimitExceeded",
      status: 409,
      message: "Cannot exceed quota for PublicKeysPerUser: 5",
    });
    const first = await iam.send(new ListSSHPublicKeysCommand({ UserName: "keys", MaxItems: 3 }));
    expect(first.SSHPublicKeys).toHaveLength(3);
    expect(first.IsTruncated).toBe(true);
    const rest = await iam.send(new ListSSHPublicKeysCommand({ UserName: "keys", Marker: first.Marker }));
    expect(rest.SSHPublicKeys).toHaveLength(2);
    expect(rest.IsTruncated).toBe(false);
    expect(
      await awsError(iam.send(new GetSSHPublicKeyCommand({ UserName: "keys", SSHPublicKeyId: "x", Encoding: "SSH" }))),
    ).toMatchObject({ name: "ValidationError" });
  });
});

describe("service-specific credentials", () => {
  it("shows the password once, resets it, lists, updates and deletes", async () => {
    await user("coder");
    const made = await iam.send(
      new CreateServiceSpecificCredentialCommand({ UserName: "coder", ServiceName: "codecommit.amazonaws.com" }),
    );
    const cred = made.ServiceSpecificCredential;
    expect(cred).toMatchObject({
      UserName: "coder",
      ServiceName: "codecommit.amazonaws.com",
      ServiceUserName: `coder-at-${ACCOUNT}`,
      Status: "Active",
    });
    expect(cred?.ServicePassword).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(cred?.ServiceSpecificCredentialId).toMatch(/^ACCA[A-Z2-7]{17}$/);
    const id = cred?.ServiceSpecificCredentialId ?? "";

    const reset = await iam.send(
      new ResetServiceSpecificCredentialCommand({ UserName: "coder", ServiceSpecificCredentialId: id }),
    );
    expect(reset.ServiceSpecificCredential?.ServicePassword).toBeTruthy();
    expect(reset.ServiceSpecificCredential?.ServicePassword).not.toBe(cred?.ServicePassword);

    await iam.send(
      new UpdateServiceSpecificCredentialCommand({
        UserName: "coder",
        ServiceSpecificCredentialId: id,
        Status: "Inactive",
      }),
    );
    const listed = await iam.send(new ListServiceSpecificCredentialsCommand({ UserName: "coder" }));
    expect(listed.ServiceSpecificCredentials).toHaveLength(1);
    expect(listed.ServiceSpecificCredentials?.[0]).toMatchObject({
      Status: "Inactive",
      ServiceSpecificCredentialId: id,
    });
    // The list never carries the password.
    expect(JSON.stringify(listed)).not.toContain(reset.ServiceSpecificCredential?.ServicePassword ?? "?");

    const all = await iam.send(new ListServiceSpecificCredentialsCommand({ AllUsers: true }));
    expect(all.ServiceSpecificCredentials?.map((c) => c.UserName)).toContain("coder");

    await iam.send(new DeleteServiceSpecificCredentialCommand({ UserName: "coder", ServiceSpecificCredentialId: id }));
    expect(
      await awsError(
        iam.send(new ResetServiceSpecificCredentialCommand({ UserName: "coder", ServiceSpecificCredentialId: id })),
      ),
    ).toMatchObject({ name: "NoSuchEntity", status: 404 });
  });

  it("holds two per user and service, refuses other services and unknown users", async () => {
    await user("quota");
    const create = (ServiceName: string, UserName = "quota") =>
      iam.send(new CreateServiceSpecificCredentialCommand({ UserName, ServiceName }));
    await create("codecommit.amazonaws.com");
    await create("codecommit.amazonaws.com");
    expect(await awsError(create("codecommit.amazonaws.com"))).toMatchObject({
      name: "LimitExceeded",
      message: "Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: 2",
    });
    // The quota is per service.
    await create("cassandra.amazonaws.com");
    expect(await awsError(create("s3.amazonaws.com"))).toMatchObject({ name: "ServiceNotSupported", status: 404 });
    expect(await awsError(create("codecommit.amazonaws.com", "ghost"))).toMatchObject({ name: "NoSuchEntity" });
    const cc = await iam.send(
      new ListServiceSpecificCredentialsCommand({ UserName: "quota", ServiceName: "codecommit.amazonaws.com" }),
    );
    expect(cc.ServiceSpecificCredentials).toHaveLength(2);
    // Root has no IAM user to default to.
    expect(await awsError(iam.send(new ListServiceSpecificCredentialsCommand({})))).toMatchObject({
      name: "ValidationError",
    });
  });
});
