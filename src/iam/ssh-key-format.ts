// SSH public keys as IAM accepts them: ssh-rsa lines and PEM (SPKI) RSA keys of 2048 bits or more; MD5 fingerprints.
import { AwsError } from "../aws/errors";
import { fromBase64, toBase64, type Bytes } from "../aws/crypto";

/** An RSA public key by its modulus and exponent (unsigned big-endian, no leading zeros). */
export interface RsaPublicKey {
  n: Uint8Array;
  e: Uint8Array;
}

export const MIN_RSA_BITS = 2048;

const RSA = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const;

const invalid = (why: string) => new AwsError("InvalidPublicKey", why);

const stripZeros = (b: Uint8Array) => {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
};

const bitLength = (n: Uint8Array) => (n.length === 0 ? 0 : (n.length - 1) * 8 + (32 - Math.clz32(n[0] ?? 0)));

function b64url(bytes: Uint8Array): string {
  return toBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromB64url(text: string): Bytes {
  const padded = text.replace(/-/g, "+").replace(/_/g, "/");
  const out = fromBase64(padded + "=".repeat((4 - (padded.length % 4)) % 4));
  if (!out) throw invalid("Public key is not valid.");
  return out;
}

/** The SSH wire format: length-prefixed strings and mpints (RFC 4251 section 5). */
function sshBlob(key: RsaPublicKey): Bytes {
  const field = (bytes: Uint8Array, mpint: boolean) => {
    const pad = mpint && ((bytes[0] ?? 0) & 0x80) !== 0 ? 1 : 0;
    const out = new Uint8Array(4 + pad + bytes.length);
    new DataView(out.buffer).setUint32(0, pad + bytes.length);
    out.set(bytes, 4 + pad);
    return out;
  };
  const parts = [field(new TextEncoder().encode("ssh-rsa"), false), field(key.e, true), field(key.n, true)];
  const blob = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const p of parts) {
    blob.set(p, at);
    at += p.length;
  }
  return blob;
}

function readSshBlob(blob: Uint8Array): RsaPublicKey {
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  let at = 0;
  const next = () => {
    if (at + 4 > blob.length) throw invalid("Public key is not valid.");
    const len = view.getUint32(at);
    if (at + 4 + len > blob.length) throw invalid("Public key is not valid.");
    const out = blob.subarray(at + 4, at + 4 + len);
    at += 4 + len;
    return out;
  };
  if (new TextDecoder().decode(next()) !== "ssh-rsa") throw invalid("Public key is not valid.");
  const e = stripZeros(next());
  const n = stripZeros(next());
  if (at !== blob.length) throw invalid("Public key is not valid.");
  return { n, e };
}

async function fromSpki(der: Bytes): Promise<RsaPublicKey> {
  let jwk: JsonWebKey;
  try {
    const key = await crypto.subtle.importKey("spki", der, RSA, true, ["verify"]);
    jwk = (await crypto.subtle.exportKey("jwk", key)) as JsonWebKey;
  } catch {
    throw invalid("Public key is not valid.");
  }
  if (!jwk.n || !jwk.e) throw invalid("Public key is not valid.");
  return { n: stripZeros(fromB64url(jwk.n)), e: stripZeros(fromB64url(jwk.e)) };
}

/**
 * Parses an uploaded key. An encoding other than ssh-rsa or a PEM public key is UnrecognizedPublicKeyEncoding; a
 * recognized one that does not decode, or is shorter than 2048 bits, is InvalidPublicKey.
 */
export async function parsePublicKey(body: string): Promise<RsaPublicKey> {
  const text = body.trim();
  let key: RsaPublicKey;
  const pem = /^-----BEGIN PUBLIC KEY-----([\s\S]*?)-----END PUBLIC KEY-----$/.exec(text);
  if (pem) {
    const der = fromBase64((pem[1] ?? "").replace(/\s+/g, ""));
    if (!der) throw invalid("Public key is not valid.");
    key = await fromSpki(der);
  } else if (/^ssh-rsa\s/.test(text)) {
    const blob = fromBase64(text.split(/\s+/)[1] ?? "");
    if (!blob) throw invalid("Public key is not valid.");
    key = readSshBlob(blob);
  } else {
    throw new AwsError("UnrecognizedPublicKeyEncoding", "The public key encoding is not recognized.");
  }
  if (bitLength(key.n) < MIN_RSA_BITS) throw invalid(`Public key must be at least ${MIN_RSA_BITS} bits.`);
  return key;
}

/** The key as an `ssh-rsa <base64>` line (the form it is stored and returned in for Encoding=SSH). */
export const toSshLine = (key: RsaPublicKey) => `ssh-rsa ${toBase64(sshBlob(key))}`;

/** The key as a PEM SubjectPublicKeyInfo (Encoding=PEM). */
export async function toPem(key: RsaPublicKey): Promise<string> {
  const imported = await crypto.subtle.importKey(
    "jwk",
    { kty: "RSA", n: b64url(key.n), e: b64url(key.e), alg: "RS256", ext: true },
    RSA,
    true,
    ["verify"],
  );
  const der = toBase64((await crypto.subtle.exportKey("spki", imported)) as ArrayBuffer);
  const lines = der.match(/.{1,64}/g) ?? [];
  return `-----BEGIN PUBLIC KEY-----\n${lines.join("\n")}\n-----END PUBLIC KEY-----\n`;
}

/** The MD5 fingerprint of the SSH blob as colon-separated hex, the form IAM reports (Workers support MD5 digests). */
export async function fingerprint(key: RsaPublicKey): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("MD5", sshBlob(key)));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join(":");
}
