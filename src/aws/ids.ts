// Identifier generation in AWS's shapes (unique IDs, access keys, secrets, request IDs) from crypto.getRandomValues.

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const BASE64ISH = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Prefixes AWS gives unique IDs: user, role, group, managed policy, instance profile, SSH key, service credential. */
export type UniqueIdPrefix = "AIDA" | "AROA" | "AGPA" | "ANPA" | "AIPA" | "APKA" | "ACCA";
/** AKIA for long-term access keys, ASIA for temporary (STS) ones. */
export type AccessKeyPrefix = "AKIA" | "ASIA";

/**
 * `length` characters drawn uniformly from `alphabet`. Both alphabets have a power-of-two size (32, 64), so masking a
 * random byte keeps the distribution uniform without rejection sampling.
 */
function randomChars(alphabet: string, length: number): string {
  const mask = alphabet.length - 1;
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let out = "";
  for (const b of bytes) out += alphabet[b & mask];
  return out;
}

/** A 21-character unique ID such as `AIDA` + 17 characters of uppercase base32, as IAM returns in UserId. */
export function uniqueId(prefix: UniqueIdPrefix): string {
  return prefix + randomChars(BASE32, 17);
}

/** A 20-character access key ID: prefix + 16 characters of uppercase base32 (80 random bits). */
export function accessKeyId(prefix: AccessKeyPrefix): string {
  return prefix + randomChars(BASE32, 16);
}

/** A 40-character secret access key over [A-Za-z0-9+/]: 240 random bits. */
export function secretAccessKey(): string {
  return randomChars(BASE64ISH, 40);
}

/** The RequestId AWS puts in every response: a UUID v4. */
export function requestId(): string {
  return crypto.randomUUID();
}

/** An unguessable, URL-safe ID for shareable links: 192 random bits as 32 base64url characters. */
export function linkId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_");
}
