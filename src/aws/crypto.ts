// Web Crypto helpers: hashing, HMAC, constant-time compare, and secrets and passwords at rest.
import { AwsError } from "./errors.ts";

const encoder = new TextEncoder();

/** Bytes backed by a plain ArrayBuffer: what `crypto.subtle` accepts under every lib typing. */
export type Bytes = Uint8Array<ArrayBuffer>;

/** Copies into a fresh ArrayBuffer-backed array, so views over shared or resizable buffers are accepted too. */
export function toBytes(data: string | Uint8Array | ArrayBuffer): Bytes {
  if (typeof data === "string") return encoder.encode(data) as Bytes;
  if (data instanceof ArrayBuffer) return new Uint8Array(data.slice(0));
  const copy = new Uint8Array(data.byteLength);
  copy.set(data);
  return copy;
}

export function toHex(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let out = "";
  for (const b of view) out += b.toString(16).padStart(2, "0");
  return out;
}

export function toBase64(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let binary = "";
  for (const b of view) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** Strict base64 decode: returns null instead of throwing on anything atob would reject. */
export function fromBase64(text: string): Bytes | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return null;
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/**
 * Compares two strings without an early exit, so the time taken does not reveal how many leading characters match.
 * The length is not secret (signatures and hashes have a fixed length), so a length mismatch may return at once.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  if (x.length !== y.length) return false;
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

export async function sha256(data: string | Uint8Array | ArrayBuffer): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", toBytes(data));
}

export async function sha256Hex(data: string | Uint8Array | ArrayBuffer): Promise<string> {
  return toHex(await sha256(data));
}

/** HMAC-SHA256 of `data` under `key`; the raw result, because SigV4 chains HMACs on binary keys. */
export async function hmac(key: string | Uint8Array | ArrayBuffer, data: string | Uint8Array): Promise<ArrayBuffer> {
  const cryptoKey = await crypto.subtle.importKey("raw", toBytes(key), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  return crypto.subtle.sign("HMAC", cryptoKey, toBytes(data));
}

// ---- Secrets at rest (AES-GCM) ----

const SECRET_VERSION = "v1";
// Fixed HKDF salt and info: they separate this use of the key material from any other the deployment may make of it.
const HKDF_SALT = encoder.encode("iam-simulator/secret-at-rest");
const HKDF_INFO = encoder.encode("aes-256-gcm/v1");

async function secretKey(keyMaterial: string): Promise<CryptoKey> {
  if (keyMaterial.length === 0) throw new AwsError("ServiceFailure", "The secret encryption key is not configured.");
  const base = await crypto.subtle.importKey("raw", toBytes(keyMaterial), "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: HKDF_SALT, info: HKDF_INFO },
    base,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

/** Encrypts a secret (an access key's secret, say) for storage: `v1:<iv base64>:<ciphertext+tag base64>`. */
export async function encryptSecret(plain: string, keyMaterial: string): Promise<string> {
  const key = await secretKey(keyMaterial);
  // A fresh random 96-bit IV per secret: GCM is only safe while no IV repeats under one key.
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ciphertext = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, toBytes(plain));
  return `${SECRET_VERSION}:${toBase64(iv)}:${toBase64(ciphertext)}`;
}

/** Reverses encryptSecret; a wrong key or a tampered value is our failure, not the caller's, hence ServiceFailure. */
export async function decryptSecret(stored: string, keyMaterial: string): Promise<string> {
  const parts = stored.split(":");
  const iv = parts.length === 3 && parts[0] === SECRET_VERSION ? fromBase64(parts[1] ?? "") : null;
  const ciphertext = iv ? fromBase64(parts[2] ?? "") : null;
  if (!iv || iv.length !== 12 || !ciphertext) throw new AwsError("ServiceFailure", "A stored secret is malformed.");
  const key = await secretKey(keyMaterial);
  try {
    const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv }, key, ciphertext);
    return new TextDecoder().decode(plain);
  } catch {
    throw new AwsError("ServiceFailure", "A stored secret could not be decrypted.");
  }
}

// ---- Passwords (PBKDF2) ----

/** 100,000 is the most PBKDF2 iterations the Workers runtime allows. */
export const PBKDF2_ITERATIONS = 100_000;
const PBKDF2_HASH_BYTES = 32;

async function pbkdf2(password: string, salt: Bytes, iterations: number): Promise<ArrayBuffer> {
  const base = await crypto.subtle.importKey("raw", toBytes(password), "PBKDF2", false, ["deriveBits"]);
  return crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, base, PBKDF2_HASH_BYTES * 8);
}

/** Hashes a console password: `pbkdf2$100000$<salt base64>$<hash base64>`, the iteration count kept for upgrades. */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await pbkdf2(password, salt, PBKDF2_ITERATIONS);
  return `pbkdf2$${PBKDF2_ITERATIONS}$${toBase64(salt)}$${toBase64(hash)}`;
}

/** Checks a password against hashPassword's output; malformed stored values never match rather than throw. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split("$");
  if (parts.length !== 4 || parts[0] !== "pbkdf2" || !/^[1-9][0-9]{0,6}$/.test(parts[1] ?? "")) return false;
  const iterations = Number(parts[1]);
  // Above the runtime maximum deriveBits would throw; a stored value like that cannot have come from hashPassword.
  if (iterations > PBKDF2_ITERATIONS) return false;
  const salt = fromBase64(parts[2] ?? "");
  const expected = fromBase64(parts[3] ?? "");
  if (!salt || salt.length === 0 || !expected || expected.length !== PBKDF2_HASH_BYTES) return false;
  const actual = await pbkdf2(password, salt, iterations);
  return constantTimeEqual(toBase64(actual), toBase64(expected));
}
