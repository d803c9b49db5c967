// Server and signing certificates through the real AWS SDK; certificates and keys are generated at run time.
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteServerCertificateCommand,
  DeleteSigningCertificateCommand,
  DeleteUserCommand,
  GetServerCertificateCommand,
  ListServerCertificatesCommand,
  ListServerCertificateTagsCommand,
  ListSigningCertificatesCommand,
  PutUserPolicyCommand,
  TagServerCertificateCommand,
  UntagServerCertificateCommand,
  UpdateServerCertificateCommand,
  UpdateSigningCertificateCommand,
  UploadServerCertificateCommand,
  UploadSigningCertificateCommand,
} from "@aws-sdk/client-iam";
import * as x509 from "@peculiar/x509";
import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { ACCOUNT } from "./fixtures";
import { awsError, iamClient } from "./sdk";

const iam = iamClient();
const DAY = 86_400_000;

const RSA = {
  name: "RSASSA-PKCS1-v1_5",
  hash: "SHA-256",
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
};
const EC = { name: "ECDSA", namedCurve: "P-256" };

function pem(label: string, der: ArrayBuffer): string {
  const b64 = btoa(String.fromCharCode(...new Uint8Array(der)));
  return `-----BEGIN ${label}-----\n${b64.replace(/(.{64})/g, "$1\n")}\n-----END ${label}-----\n`;
}

/** A fresh self-signed certificate and its PKCS#8 private key, both PEM. */
async function makeCert(opts: { alg?: typeof RSA | typeof EC; cn?: string; notBefore?: Date; notAfter?: Date } = {}) {
  const alg = opts.alg ?? RSA;
  const keys = (await crypto.subtle.generateKey(alg, true, ["sign", "verify"])) as CryptoKeyPair;
  const notBefore = opts.notBefore ?? new Date(Date.now() - DAY);
  const notAfter = opts.notAfter ?? new Date(Math.floor((Date.now() + 365 * DAY) / 1000) * 1000);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, "0")).join(
      "",
    ),
    name: `CN=${opts.cn ?? "example.com"}`,
    notBefore,
    notAfter,
    keys,
    signingAlgorithm: alg.name === "ECDSA" ? { name: "ECDSA", hash: "SHA-256" } : alg,
  });
  const key = pem("PRIVATE KEY", (await crypto.subtle.exportKey("pkcs8", keys.privateKey)) as ArrayBuffer);
  return { body: cert.toString("pem"), key, notAfter };
}

/** The key inside a PKCS#8 PEM (PrivateKeyInfo's privateKey OCTET STRING): PKCS#1 for RSA, SEC1 for EC. */
function legacyKey(pkcs8Pem: string): ArrayBuffer {
  const der = Uint8Array.from(atob(pkcs8Pem.replace(/-----[^-]+-----|\s/g, "")), (ch) => ch.charCodeAt(0));
  // Reads one TLV header at `i`: returns where its content starts and how long it is.
  const header = (i: number) => {
    const first = der[i + 1] ?? 0;
    if (first < 0x80) return { start: i + 2, length: first };
    const n = first & 0x7f;
    let length = 0;
    for (let k = 0; k < n; k++) length = length * 256 + (der[i + 2 + k] ?? 0);
    return { start: i + 2 + n, length };
  };
  const version = header(header(0).start);
  const algorithm = header(version.start + version.length);
  const key = header(algorithm.start + algorithm.length);
  return der.slice(key.start, key.start + key.length).buffer;
}

const upload = (name: string, c: { body: string; key: string }, extra: object = {}) =>
  iam.send(
    new UploadServerCertificateCommand({
      ServerCertificateName: name,
      CertificateBody: c.body,
      PrivateKey: c.key,
      ...extra,
    }),
  );

describe("server certificates", () => {
  // Each test starts with no server certificates, so the account quota and list contents are its own.
  beforeEach(async () => {
    const all = await iam.send(new ListServerCertificatesCommand({ MaxItems: 1000 }));
    for (const m of all.ServerCertificateMetadataList ?? []) {
      await iam.send(new DeleteServerCertificateCommand({ ServerCertificateName: m.ServerCertificateName }));
    }
  });

  it("uploads, reads and lists a certificate without ever returning its private key", async () => {
    const leaf = await makeCert();
    const ca = await makeCert({ cn: "ca.example.com" });
    const up = await upload("web", leaf, {
      Path: "/prod/",
      CertificateChain: ca.body,
      Tags: [{ Key: "team", Value: "edge" }],
    });
    expect(up.ServerCertificateMetadata).toMatchObject({
      Path: "/prod/",
      ServerCertificateName: "web",
      Arn: `arn:aws:iam::${ACCOUNT}:server-certificate/prod/web`,
      Expiration: leaf.notAfter,
    });
    expect(up.ServerCertificateMetadata?.ServerCertificateId).toMatch(/^ASCA[A-Z2-7]{17}$/);
    expect(up.Tags).toEqual([{ Key: "team", Value: "edge" }]);

    const got = await iam.send(new GetServerCertificateCommand({ ServerCertificateName: "web" }));
    expect(got.ServerCertificate).toMatchObject({
      CertificateBody: leaf.body,
      CertificateChain: ca.body,
      Tags: [{ Key: "team", Value: "edge" }],
    });
    const listed = await iam.send(new ListServerCertificatesCommand({ PathPrefix: "/prod/" }));
    expect(listed.ServerCertificateMetadataList?.map((m) => m.ServerCertificateName)).toEqual(["web"]);

    // Stored only encrypted, and no read returns it.
    const stored = await env.DB.prepare(
      "select private_key_encrypted as k from server_certificates where name = 'web'",
    ).first<{ k: string }>();
    expect(stored?.k).toMatch(/^v1:/);
    const keyLine = leaf.key.split("\n")[1] ?? "";
    expect(stored?.k).not.toContain(keyLine.slice(0, 20));
    expect(JSON.stringify(listed)).not.toContain("PRIVATE KEY");
    expect(JSON.stringify(got)).not.toContain("PRIVATE KEY");
  });

  it("accepts PKCS#1 RSA and SEC1 EC private keys", async () => {
    for (const [alg, label] of [
      [RSA, "RSA PRIVATE KEY"],
      [EC, "EC PRIVATE KEY"],
    ] as const) {
      const c = await makeCert({ alg });
      await upload(`legacy-${alg.name}`, { body: c.body, key: pem(label, legacyKey(c.key)) });
    }
    const all = await iam.send(new ListServerCertificatesCommand({}));
    expect(all.ServerCertificateMetadataList).toHaveLength(2);
  });

  it("accepts an ECDSA certificate and pages the list in name order", async () => {
    for (const n of ["c", "a", "b"]) await upload(`page-${n}`, await makeCert({ alg: EC }));
    const first = await iam.send(new ListServerCertificatesCommand({ MaxItems: 2 }));
    expect(first.ServerCertificateMetadataList?.map((m) => m.ServerCertificateName)).toEqual(["page-a", "page-b"]);
    expect(first.IsTruncated).toBe(true);
    const rest = await iam.send(new ListServerCertificatesCommand({ Marker: first.Marker }));
    expect(rest.ServerCertificateMetadataList?.map((m) => m.ServerCertificateName)).toEqual(["page-c"]);
  });

  it("refuses malformed PEM, a key of another certificate and a duplicate name", async () => {
    const a = await makeCert();
    const b = await makeCert();
    expect((await awsError(upload("bad", { body: "not a certificate", key: a.key }))).name).toBe(
      "MalformedCertificate",
    );
    const garbled = a.body.replace(/\n[A-Za-z0-9+/]{64}\n/, "\nAAAA\n");
    expect((await awsError(upload("bad", { body: garbled, key: a.key }))).name).toBe("MalformedCertificate");
    expect(
      (
        await awsError(
          upload("bad", { body: a.body, key: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----" }),
        )
      ).name,
    ).toBe("KeyPairMismatch");
    expect(await awsError(upload("bad", { body: a.body, key: b.key }))).toMatchObject({
      name: "KeyPairMismatch",
      status: 400,
    });
    const ec = await makeCert({ alg: EC });
    expect((await awsError(upload("bad", { body: a.body, key: ec.key }))).name).toBe("KeyPairMismatch");
    const ed = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
    const edCert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: "01",
      name: "CN=ed.example.com",
      notBefore: new Date(Date.now() - DAY),
      notAfter: new Date(Date.now() + DAY),
      keys: ed,
      signingAlgorithm: { name: "Ed25519" },
    });
    const edKey = pem("PRIVATE KEY", (await crypto.subtle.exportKey("pkcs8", ed.privateKey)) as ArrayBuffer);
    expect((await awsError(upload("bad", { body: edCert.toString("pem"), key: edKey }))).name).toBe(
      "MalformedCertificate",
    );
    await upload("dup", a);
    expect(await awsError(upload("DUP", a))).toMatchObject({ name: "EntityAlreadyExists", status: 409 });
  });

  it("stops at 20 certificates per account", async () => {
    const c = await makeCert({ alg: EC });
    await Promise.all(Array.from({ length: 22 }, (_, i) => upload(`q${i}`, c).catch((e: unknown) => e)));
    const all = await iam.send(new ListServerCertificatesCommand({}));
    expect(all.ServerCertificateMetadataList).toHaveLength(20);
    expect(await awsError(upload("one-more", c))).toMatchObject({ name: "LimitExceeded", status: 409 });
  });

  it("renames and moves, tags and deletes", async () => {
    await upload("old", await makeCert({ alg: EC }));
    await iam.send(
      new UpdateServerCertificateCommand({
        ServerCertificateName: "old",
        NewServerCertificateName: "new",
        NewPath: "/moved/",
      }),
    );
    expect((await awsError(iam.send(new GetServerCertificateCommand({ ServerCertificateName: "old" })))).name).toBe(
      "NoSuchEntity",
    );
    const got = await iam.send(new GetServerCertificateCommand({ ServerCertificateName: "new" }));
    expect(got.ServerCertificate?.ServerCertificateMetadata?.Arn).toBe(
      `arn:aws:iam::${ACCOUNT}:server-certificate/moved/new`,
    );
    expect(got.ServerCertificate?.Tags).toBeUndefined();

    await iam.send(
      new TagServerCertificateCommand({
        ServerCertificateName: "new",
        Tags: [
          { Key: "b", Value: "2" },
          { Key: "a", Value: "1" },
        ],
      }),
    );
    await iam.send(new UntagServerCertificateCommand({ ServerCertificateName: "new", TagKeys: ["b"] }));
    expect((await iam.send(new ListServerCertificateTagsCommand({ ServerCertificateName: "new" }))).Tags).toEqual([
      { Key: "a", Value: "1" },
    ]);

    await upload("taken", await makeCert({ alg: EC }));
    const clash = iam.send(
      new UpdateServerCertificateCommand({ ServerCertificateName: "new", NewServerCertificateName: "TAKEN" }),
    );
    expect(await awsError(clash)).toMatchObject({ name: "EntityAlreadyExists", status: 409 });
    await iam.send(new DeleteServerCertificateCommand({ ServerCertificateName: "new" }));
    expect((await awsError(iam.send(new DeleteServerCertificateCommand({ ServerCertificateName: "new" })))).name).toBe(
      "NoSuchEntity",
    );
  });

  it("needs the permission on both the current and the new ARN to rename", async () => {
    await upload("site", await makeCert({ alg: EC }), { Path: "/team/" });
    await iam.send(new CreateUserCommand({ UserName: "certs" }));
    const allow = (resources: string[]) =>
      iam.send(
        new PutUserPolicyCommand({
          UserName: "certs",
          PolicyName: "p",
          PolicyDocument: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: "iam:UpdateServerCertificate", Resource: resources }],
          }),
        }),
      );
    await allow([`arn:aws:iam::${ACCOUNT}:server-certificate/team/site`]);
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: "certs" }));
    const user = iamClient({
      accessKeyId: AccessKey?.AccessKeyId ?? "",
      secretAccessKey: AccessKey?.SecretAccessKey ?? "",
    });
    const rename = () =>
      user.send(
        new UpdateServerCertificateCommand({ ServerCertificateName: "site", NewServerCertificateName: "site2" }),
      );
    const denied = await awsError(rename());
    expect(denied.name).toBe("AccessDenied");
    expect(denied.message).toContain(`server-certificate/team/site2`);
    await allow([`arn:aws:iam::${ACCOUNT}:server-certificate/team/*`]);
    await rename();
    const got = await iam.send(new GetServerCertificateCommand({ ServerCertificateName: "site2" }));
    expect(got.ServerCertificate?.ServerCertificateMetadata?.Arn).toBe(
      `arn:aws:iam::${ACCOUNT}:server-certificate/team/site2`,
    );
  });
});

describe("signing certificates", () => {
  it("uploads, lists, deactivates and deletes, with quota 2 per user and no duplicates", async () => {
    await iam.send(new CreateUserCommand({ UserName: "signer" }));
    await iam.send(new CreateUserCommand({ UserName: "other" }));
    const one = await makeCert({ alg: EC });
    const up = await iam.send(new UploadSigningCertificateCommand({ UserName: "signer", CertificateBody: one.body }));
    expect(up.Certificate).toMatchObject({ UserName: "signer", CertificateBody: one.body, Status: "Active" });
    const id = up.Certificate?.CertificateId ?? "";
    expect(id).toMatch(/^[A-Z2-7]{32}$/);

    const again = await awsError(
      iam.send(new UploadSigningCertificateCommand({ UserName: "other", CertificateBody: one.body })),
    );
    expect(again).toMatchObject({ name: "DuplicateCertificate", status: 409 });

    await iam.send(
      new UploadSigningCertificateCommand({ UserName: "signer", CertificateBody: (await makeCert({ alg: EC })).body }),
    );
    const third = iam.send(
      new UploadSigningCertificateCommand({ UserName: "signer", CertificateBody: (await makeCert({ alg: EC })).body }),
    );
    expect(await awsError(third)).toMatchObject({ name: "LimitExceeded", status: 409 });

    await iam.send(new UpdateSigningCertificateCommand({ UserName: "signer", CertificateId: id, Status: "Inactive" }));
    const listed = await iam.send(new ListSigningCertificatesCommand({ UserName: "signer" }));
    expect(listed.Certificates).toHaveLength(2);
    expect(listed.Certificates?.find((c) => c.CertificateId === id)?.Status).toBe("Inactive");

    expect((await awsError(iam.send(new DeleteUserCommand({ UserName: "signer" })))).name).toBe("DeleteConflict");
    for (const c of listed.Certificates ?? []) {
      await iam.send(new DeleteSigningCertificateCommand({ UserName: "signer", CertificateId: c.CertificateId }));
    }
    await iam.send(new DeleteUserCommand({ UserName: "signer" }));
  });

  it("refuses malformed and expired certificates and unknown ids", async () => {
    await iam.send(new CreateUserCommand({ UserName: "bad-certs" }));
    const send = (body: string) =>
      iam.send(new UploadSigningCertificateCommand({ UserName: "bad-certs", CertificateBody: body }));
    expect((await awsError(send("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"))).name).toBe(
      "MalformedCertificate",
    );
    const expired = await makeCert({
      alg: EC,
      notBefore: new Date(Date.now() - 10 * DAY),
      notAfter: new Date(Date.now() - DAY),
    });
    expect((await awsError(send(expired.body))).name).toBe("InvalidCertificate");
    const missing = iam.send(
      new UpdateSigningCertificateCommand({ UserName: "bad-certs", CertificateId: "A".repeat(32), Status: "Active" }),
    );
    expect((await awsError(missing)).name).toBe("NoSuchEntity");
  });
});
