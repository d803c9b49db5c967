// RFC 6238 time-based one-time passwords (HMAC-SHA1, 30-second steps, 6 digits) and RFC 4648 Base32, on crypto.subtle.
import { constantTimeEqual } from "../aws/crypto";

export const STEP_SECONDS = 30;
const DIGITS = 6;
const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

export function base32Encode(bytes: Uint8Array): string {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

export function base32Decode(text: string): Uint8Array<ArrayBuffer> {
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const c of text.replace(/=+$/, "").toUpperCase()) {
    const v = BASE32.indexOf(c);
    if (v < 0) throw new Error("not Base32");
    value = ((value << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return new Uint8Array(out);
}

/** The time step a moment falls in. */
export const stepAt = (ms: number) => Math.floor(ms / 1000 / STEP_SECONDS);

/** The code for one time step: HOTP (RFC 4226) of the step counter, dynamically truncated. */
export async function totpAt(secret: Uint8Array<ArrayBuffer>, step: number, digits = DIGITS): Promise<string> {
  const counter = new Uint8Array(8);
  new DataView(counter.buffer).setBigUint64(0, BigInt(step));
  const key = await crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, counter));
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const binary =
    (((mac[offset] ?? 0) & 0x7f) << 24) |
    ((mac[offset + 1] ?? 0) << 16) |
    ((mac[offset + 2] ?? 0) << 8) |
    (mac[offset + 3] ?? 0);
  return String(binary % 10 ** digits).padStart(digits, "0");
}

/**
 * The step at which `codes` are the codes of consecutive steps, searched within `window` steps of `now` and only
 * after `after` (a step already used cannot be replayed); null when none matches. Every candidate is compared in
 * constant time.
 */
export async function findSteps(
  secret: Uint8Array<ArrayBuffer>,
  codes: string[],
  now: number,
  window: number,
  after: number | null,
): Promise<number | null> {
  const center = stepAt(now);
  for (let delta = 0; delta <= window; delta++) {
    for (const start of delta === 0 ? [center] : [center - delta, center + delta]) {
      if (after !== null && start <= after) continue;
      let all = true;
      for (const [k, code] of codes.entries()) {
        if (!constantTimeEqual(await totpAt(secret, start + k), code)) all = false;
      }
      if (all) return start + codes.length - 1;
    }
  }
  return null;
}
