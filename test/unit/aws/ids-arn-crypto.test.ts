// Identifiers, ARNs and the crypto helpers: shapes, parsing round trips, secrets and passwords at rest.
import { pbkdf2Sync } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  assumedRoleArn,
  awsManagedPolicyArn,
  iamArn,
  parseArn,
  parseIamArn,
  parsePolicyArn,
} from "../../../src/aws/arn.ts";
import {
  constantTimeEqual,
  decryptSecret,
  encryptSecret,
  hashPassword,
  hmac,
  sha256Hex,
  toHex,
  verifyPassword,
} from "../../../src/aws/crypto.ts";
import { AwsError } from "../../../src/aws/errors.ts";
import { accessKeyId, linkId, requestId, secretAccessKey, uniqueId } from "../../../src/aws/ids.ts";

describe("ids", () => {
  it("makes 21-character unique IDs in uppercase base32", () => {
    for (const prefix of ["AIDA", "AROA", "AGPA", "ANPA", "AIPA"] as const) {
      expect(uniqueId(prefix)).toMatch(new RegExp(`^${prefix}[A-Z2-7]{17}$`));
    }
  });

  it("makes 20-character access key IDs and 40-character secrets", () => {
    expect(accessKeyId("AKIA")).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(accessKeyId("ASIA")).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(secretAccessKey()).toMatch(/^[A-Za-z0-9+/]{40}$/);
  });

  it("makes UUID v4 request IDs and URL-safe link IDs", () => {
    expect(requestId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(linkId()).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it("does not repeat itself and uses the whole alphabet", () => {
    const ids = new Set(Array.from({ length: 500 }, () => uniqueId("AIDA")));
    expect(ids.size).toBe(500);
    const seen = new Set([...ids].join("").slice(0, 500 * 21));
    for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") expect(seen.has(c)).toBe(true);
    expect(new Set(Array.from({ length: 100 }, linkId)).size).toBe(100);
  });
});

describe("arn", () => {
  it("parses an ARN, keeping colons in the resource", () => {
    expect(parseArn("arn:aws:s3:::bucket/key:with:colons")).toEqual({
      partition: "aws",
      service: "s3",
      region: "",
      account: "",
      resource: "bucket/key:with:colons",
    });
    expect(parseArn("arn:aws:iam::123456789012:user/alice")?.account).toBe("123456789012");
  });

  it.each(["", "arn:aws:iam::123", "urn:aws:iam::1:user/a", "arn::iam::1:user/a", "arn:aws:iam::1:"])(
    "returns null for %j",
    (s) => expect(parseArn(s)).toBeNull(),
  );

  it("builds IAM and STS ARNs", () => {
    expect(iamArn("123456789012", "user", "/", "alice")).toBe("arn:aws:iam::123456789012:user/alice");
    expect(iamArn("123456789012", "role", "/service-role/", "r")).toBe("arn:aws:iam::123456789012:role/service-role/r");
    expect(iamArn("123456789012", "instance-profile", "/a/b/", "p")).toBe(
      "arn:aws:iam::123456789012:instance-profile/a/b/p",
    );
    expect(awsManagedPolicyArn("/", "ReadOnlyAccess")).toBe("arn:aws:iam::aws:policy/ReadOnlyAccess");
    expect(awsManagedPolicyArn("/service-role/", "AWSLambdaRole")).toBe(
      "arn:aws:iam::aws:policy/service-role/AWSLambdaRole",
    );
    expect(assumedRoleArn("123456789012", "Admin", "alice@example.com")).toBe(
      "arn:aws:sts::123456789012:assumed-role/Admin/alice@example.com",
    );
  });

  it("parses policy ARNs back into account, path and name", () => {
    expect(parsePolicyArn("arn:aws:iam::aws:policy/service-role/AWSLambdaRole")).toEqual({
      account: "aws",
      path: "/service-role/",
      name: "AWSLambdaRole",
    });
    expect(parsePolicyArn("arn:aws:iam::123456789012:policy/Mine")).toEqual({
      account: "123456789012",
      path: "/",
      name: "Mine",
    });
    expect(parsePolicyArn("arn:aws:iam::123456789012:user/Mine")).toBeNull();
    expect(parsePolicyArn("arn:aws:iam::123456789012:policy/")).toBeNull();
    expect(parsePolicyArn("arn:aws:iam:us-east-1:123456789012:policy/x")).toBeNull();
  });

  it("round-trips entity ARNs", () => {
    expect(parseIamArn(iamArn("123456789012", "group", "/a/b/", "devs"))).toEqual({
      account: "123456789012",
      type: "group",
      path: "/a/b/",
      name: "devs",
    });
    expect(parseIamArn("arn:aws:sts::123456789012:assumed-role/Admin/s")).toBeNull();
    expect(parseIamArn("arn:aws:iam::123456789012:root")).toBeNull();
  });
});

describe("crypto", () => {
  it("hashes with SHA-256", async () => {
    expect(await sha256Hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(await sha256Hex(new TextEncoder().encode("abc"))).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });

  it("computes HMAC-SHA256 (RFC 4231 test case 2)", async () => {
    expect(toHex(await hmac("Jefe", "what do ya want for nothing?"))).toBe(
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
  });

  it("compares strings", () => {
    expect(constantTimeEqual("abc", "abc")).toBe(true);
    expect(constantTimeEqual("abc", "abd")).toBe(false);
    expect(constantTimeEqual("abc", "ab")).toBe(false);
    expect(constantTimeEqual("", "")).toBe(true);
    expect(constantTimeEqual("é", "e\u0301")).toBe(false);
  });

  it("encrypts secrets with a fresh IV and decrypts them", async () => {
    const key = "a deployment secret";
    const a = await encryptSecret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", key);
    const b = await encryptSecret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", key);
    expect(a).toMatch(/^v1:[A-Za-z0-9+/]{16}:[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(await decryptSecret(a, key)).toBe("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    expect(await decryptSecret(await encryptSecret("ሴ", key), key)).toBe("ሴ");
  });

  it("refuses a wrong key, a tampered value and garbage with ServiceFailure", async () => {
    const stored = await encryptSecret("secret", "key-1");
    const [v, iv, ct] = stored.split(":") as [string, string, string];
    const flipped = `${v}:${iv}:${(ct[0] === "A" ? "B" : "A") + ct.slice(1)}`;
    for (const [value, key] of [
      [stored, "key-2"],
      [flipped, "key-1"],
      ["v1:abc", "key-1"],
      ["v2:AAAAAAAAAAAAAAAA:AAAA", "key-1"],
    ] as const) {
      const e = await decryptSecret(value, key).catch((err: unknown) => err);
      expect(e).toBeInstanceOf(AwsError);
      expect((e as AwsError).code).toBe("ServiceFailure");
    }
  });

  it("hashes passwords with PBKDF2 and verifies them", async () => {
    const stored = await hashPassword("correct horse battery staple");
    expect(stored).toMatch(/^pbkdf2\$100000\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    expect(await hashPassword("correct horse battery staple")).not.toBe(stored);
    expect(await verifyPassword("correct horse battery staple", stored)).toBe(true);
    expect(await verifyPassword("correct horse battery stapl", stored)).toBe(false);
    expect(await verifyPassword("", stored)).toBe(false);
  });

  it("never matches a malformed or over-costly stored hash", async () => {
    const stored = await hashPassword("pw");
    const [, , salt, hash] = stored.split("$");
    for (const bad of [
      "",
      "pbkdf2$100000$abc",
      `bcrypt$100000$${salt}$${hash}`,
      `pbkdf2$100001$${salt}$${hash}`,
      `pbkdf2$0$${salt}$${hash}`,
      `pbkdf2$100000$${salt}$AAAA`,
      `pbkdf2$100000$!!!!$${hash}`,
    ]) {
      expect(await verifyPassword("pw", bad)).toBe(false);
    }
    // The iteration count is read from the stored value, so hashes made with a lower cost still verify.
    const salt16 = Buffer.from("0123456789abcdef");
    const cheap = `pbkdf2$1000$${salt16.toString("base64")}$${pbkdf2Sync("pw", salt16, 1000, 32, "sha256").toString("base64")}`;
    expect(await verifyPassword("pw", cheap)).toBe(true);
    expect(await verifyPassword("pW", cheap)).toBe(false);
  });
});
