// DeleteUser refuses a user that still has SSH public keys or service-specific credentials, and deletes nothing.
// AWS page: https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteUser.html ("Before attempting to delete a
// user, remove the following items: ... SSH public key ... Git credentials ... MFA device ...").
import {
  CreateServiceSpecificCredentialCommand,
  CreateUserCommand,
  DeleteServiceSpecificCredentialCommand,
  DeleteSSHPublicKeyCommand,
  DeleteUserCommand,
  GetUserCommand,
  UploadSSHPublicKeyCommand,
} from "@aws-sdk/client-iam";
import { describe, expect, it } from "vitest";
import { awsError, iamClient } from "./sdk";

const iam = iamClient();

async function pemKey(): Promise<string> {
  const pair = (await crypto.subtle.generateKey(
    { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
  const der = new Uint8Array((await crypto.subtle.exportKey("spki", pair.publicKey)) as ArrayBuffer);
  const b64 = btoa(String.fromCharCode(...der));
  return `-----BEGIN PUBLIC KEY-----\n${(b64.match(/.{1,64}/g) ?? []).join("\n")}\n-----END PUBLIC KEY-----\n`;
}

describe("DeleteUser conflicts", () => {
  it("refuses while an SSH public key remains, then deletes once it is gone", async () => {
    await iam.send(new CreateUserCommand({ UserName: "with-ssh" }));
    const up = await iam.send(
      new UploadSSHPublicKeyCommand({ UserName: "with-ssh", SSHPublicKeyBody: await pemKey() }),
    );
    expect(await awsError(iam.send(new DeleteUserCommand({ UserName: "with-ssh" })))).toMatchObject({
      name: "DeleteConflict",
      message: "Cannot delete entity, must delete SSH public keys first.",
    });
    await iam.send(new GetUserCommand({ UserName: "with-ssh" }));
    const id = up.SSHPublicKey?.SSHPublicKeyId ?? "";
    await iam.send(new DeleteSSHPublicKeyCommand({ UserName: "with-ssh", SSHPublicKeyId: id }));
    await iam.send(new DeleteUserCommand({ UserName: "with-ssh" }));
    expect((await awsError(iam.send(new GetUserCommand({ UserName: "with-ssh" })))).name).toBe("NoSuchEntity");
  });

  it("refuses while a service-specific credential remains", async () => {
    await iam.send(new CreateUserCommand({ UserName: "with-git" }));
    const created = await iam.send(
      new CreateServiceSpecificCredentialCommand({ UserName: "with-git", ServiceName: "codecommit.amazonaws.com" }),
    );
    expect(await awsError(iam.send(new DeleteUserCommand({ UserName: "with-git" })))).toMatchObject({
      name: "DeleteConflict",
      message: "Cannot delete entity, must delete service specific credentials first.",
    });
    const id = created.ServiceSpecificCredential?.ServiceSpecificCredentialId ?? "";
    await iam.send(
      new DeleteServiceSpecificCredentialCommand({ UserName: "with-git", ServiceSpecificCredentialId: id }),
    );
    await iam.send(new DeleteUserCommand({ UserName: "with-git" }));
  });
});
