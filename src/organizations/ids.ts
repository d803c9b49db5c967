// Identifiers in the shapes Organizations uses: o-..., r-..., ou-...-..., p-..., car-... and 12-digit account ids.

const LOWER = "abcdefghijklmnopqrstuvwxyz0123456789";
const DIGITS = "0123456789";

/** `length` characters drawn uniformly from `alphabet`, rejecting the bytes that would bias the modulo. */
function randomFrom(alphabet: string, length: number): string {
  const limit = 256 - (256 % alphabet.length);
  let out = "";
  while (out.length < length) {
    for (const b of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (b < limit && out.length < length) out += alphabet[b % alphabet.length];
    }
  }
  return out;
}

export const organizationId = () => `o-${randomFrom(LOWER, 10)}`;
export const rootId = () => `r-${randomFrom(LOWER, 4)}`;
/** An OU id carries its root's suffix, as AWS's do: ou-<root>-<8 characters>. */
export const ouId = (root: string) => `ou-${root.slice(2)}-${randomFrom(LOWER, 8)}`;
export const policyId = () => `p-${randomFrom(LOWER, 8)}`;
export const createAccountRequestId = () => `car-${randomFrom(LOWER, 32)}`;
/** A 12-digit account id that does not start with 0, so no client mistakes it for a shorter number. */
export const accountId = () => `${randomFrom("123456789", 1)}${randomFrom(DIGITS, 11)}`;
