// Web identity tokens (JWTs): decoding, the JWS signature checked against a JWKS with WebCrypto, and the OIDC claims.
// Self-contained (no imports) so the same code runs in workerd and in node's unit tests.

/** A failed check, with the STS error code AWS answers with; the operation turns it into an AwsError. */
export class TokenError extends Error {
  constructor(
    readonly code: "InvalidIdentityToken" | "ExpiredTokenException" | "IDPCommunicationError",
    message: string,
  ) {
    super(message);
    this.name = "TokenError";
  }
}

export interface JwtHeader {
  alg: string;
  kid?: string;
  typ?: string;
}

/** The claims STS reads; anything else in the payload is kept as is. */
export interface JwtClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  nbf?: number;
  iat?: number;
  amr?: string[];
  azp?: string;
}

export interface DecodedJwt {
  header: JwtHeader;
  claims: JwtClaims;
  /** The signed bytes: base64url(header) "." base64url(payload). */
  signingInput: Uint8Array<ArrayBuffer>;
  signature: Uint8Array<ArrayBuffer>;
}

/** A JSON Web Key as a JWKS lists it; only the members WebCrypto needs are read. */
export interface Jwk {
  kty?: string;
  kid?: string;
  use?: string;
  alg?: string;
  n?: string;
  e?: string;
  crv?: string;
  x?: string;
  y?: string;
}

/** AWS's words when a token is not a JWT at all (an access token, a truncated string). */
export const NOT_A_JWT =
  "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)";
const INVALID = "The web identity token provided could not be validated";

/** The signature algorithms AWS documents for web identity tokens: RSA (RS256/384/512) or ECDSA (ES256/384/512). */
const ALGORITHMS: Record<string, { kty: "RSA" | "EC"; hash: string; curve?: string }> = {
  RS256: { kty: "RSA", hash: "SHA-256" },
  RS384: { kty: "RSA", hash: "SHA-384" },
  RS512: { kty: "RSA", hash: "SHA-512" },
  ES256: { kty: "EC", hash: "SHA-256", curve: "P-256" },
  ES384: { kty: "EC", hash: "SHA-384", curve: "P-384" },
  ES512: { kty: "EC", hash: "SHA-512", curve: "P-521" },
};

export function base64UrlDecode(s: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) throw new TokenError("InvalidIdentityToken", NOT_A_JWT);
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (s.length % 4)) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function jsonObject(part: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(base64UrlDecode(part)));
  } catch {
    throw new TokenError("InvalidIdentityToken", NOT_A_JWT);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TokenError("InvalidIdentityToken", NOT_A_JWT);
  }
  return value as Record<string, unknown>;
}

/** AWS requires integer timestamps ("an integer or a long integer"); anything else is not a valid token. */
function timestamp(v: unknown, name: string, required: boolean): number | undefined {
  if (v === undefined && !required) return undefined;
  if (typeof v !== "number" || !Number.isSafeInteger(v)) {
    throw new TokenError("InvalidIdentityToken", `The ${name} claim of the token is missing or not an integer.`);
  }
  return v;
}

function stringClaim(v: unknown, name: string): string {
  if (typeof v !== "string" || v === "") {
    throw new TokenError("InvalidIdentityToken", `The token has no ${name} claim.`);
  }
  return v;
}

/** Splits and parses a compact JWS. Nothing in it is trusted until `verifySignature` and `checkClaims` pass. */
export function decodeJwt(token: string): DecodedJwt {
  const parts = token.split(".");
  if (parts.length !== 3) throw new TokenError("InvalidIdentityToken", NOT_A_JWT);
  const [h, p, s] = parts as [string, string, string];
  const header = jsonObject(h);
  const payload = jsonObject(p);
  if (typeof header.alg !== "string") throw new TokenError("InvalidIdentityToken", NOT_A_JWT);
  const audRaw = payload.aud;
  const aud = typeof audRaw === "string" ? [audRaw] : Array.isArray(audRaw) ? audRaw : [];
  if (aud.length === 0 || !aud.every((a): a is string => typeof a === "string")) {
    throw new TokenError("InvalidIdentityToken", "The token has no aud claim.");
  }
  const amrRaw = payload.amr;
  const amr = typeof amrRaw === "string" ? [amrRaw] : Array.isArray(amrRaw) ? amrRaw.map(String) : undefined;
  const claims: JwtClaims = {
    iss: stringClaim(payload.iss, "iss"),
    sub: stringClaim(payload.sub, "sub"),
    aud,
    exp: timestamp(payload.exp, "exp", true) as number,
    nbf: timestamp(payload.nbf, "nbf", false),
    iat: timestamp(payload.iat, "iat", false),
    amr,
    azp: typeof payload.azp === "string" ? payload.azp : undefined,
  };
  return {
    header: { alg: header.alg, kid: typeof header.kid === "string" ? header.kid : undefined },
    claims,
    // Copied into a fresh buffer: WebCrypto wants an ArrayBuffer-backed view, whatever the encoder returns.
    signingInput: new Uint8Array(new TextEncoder().encode(`${h}.${p}`)),
    signature: base64UrlDecode(s),
  };
}

/** The keys of a JWKS that may have signed a token with this header: by kid when it names one, and by key type. */
export function candidateKeys(keys: readonly Jwk[], header: JwtHeader): Jwk[] {
  const alg = Object.hasOwn(ALGORITHMS, header.alg) ? ALGORITHMS[header.alg] : undefined;
  if (!alg) return [];
  return keys.filter(
    (k) =>
      k.kty === alg.kty &&
      (k.use === undefined || k.use === "sig") &&
      (k.alg === undefined || k.alg === header.alg) &&
      (alg.curve === undefined || k.crv === alg.curve) &&
      (header.kid === undefined || k.kid === header.kid),
  );
}

async function verifyWith(jwk: Jwk, jwt: DecodedJwt): Promise<boolean> {
  const alg = Object.hasOwn(ALGORITHMS, jwt.header.alg) ? ALGORITHMS[jwt.header.alg] : undefined;
  if (!alg) return false;
  try {
    if (alg.kty === "RSA") {
      if (typeof jwk.n !== "string" || typeof jwk.e !== "string") return false;
      const params = { name: "RSASSA-PKCS1-v1_5", hash: alg.hash };
      // Only the key's own members: an "alg" or "use" on the JWK would make some runtimes refuse the import.
      const key = await crypto.subtle.importKey("jwk", { kty: "RSA", n: jwk.n, e: jwk.e }, params, false, ["verify"]);
      return await crypto.subtle.verify(params, key, jwt.signature, jwt.signingInput);
    }
    if (typeof jwk.x !== "string" || typeof jwk.y !== "string" || alg.curve === undefined) return false;
    const key = await crypto.subtle.importKey(
      "jwk",
      { kty: "EC", crv: alg.curve, x: jwk.x, y: jwk.y },
      { name: "ECDSA", namedCurve: alg.curve },
      false,
      ["verify"],
    );
    // JWS carries ECDSA signatures as r||s, the format WebCrypto verifies.
    return await crypto.subtle.verify({ name: "ECDSA", hash: alg.hash }, key, jwt.signature, jwt.signingInput);
  } catch {
    // A malformed key in the provider's JWKS verifies nothing.
    return false;
  }
}

/** Whether the header names an algorithm AWS accepts; "none", HMAC and anything else are refused outright. */
export function assertSupportedAlgorithm(header: JwtHeader): void {
  if (!Object.hasOwn(ALGORITHMS, header.alg)) {
    throw new TokenError("InvalidIdentityToken", `The token's signature algorithm ${header.alg} is not supported.`);
  }
}

/** True when one of the keys verifies the token's signature. */
export async function verifySignature(jwt: DecodedJwt, keys: readonly Jwk[]): Promise<boolean> {
  assertSupportedAlgorithm(jwt.header);
  for (const k of candidateKeys(keys, jwt.header)) if (await verifyWith(k, jwt)) return true;
  return false;
}

/** Throws unless the signature verifies: a forged or re-signed token gets the generic InvalidIdentityToken. */
export async function requireSignature(jwt: DecodedJwt, keys: readonly Jwk[]): Promise<void> {
  if (!(await verifySignature(jwt, keys))) throw new TokenError("InvalidIdentityToken", INVALID);
}

/** Allowed clock difference with the identity provider for nbf. */
const CLOCK_SKEW_SECONDS = 60;

/**
 * The claims STS checks after the signature: the issuer is the provider's, the token is not expired (AWS's wording,
 * times in epoch seconds) nor not yet valid, and one audience is among the provider's client ids. Returns that
 * audience.
 */
export function checkClaims(claims: JwtClaims, expect: { issuer: string; clientIds: readonly string[]; now: Date }) {
  if (claims.iss !== expect.issuer) throw new TokenError("InvalidIdentityToken", INVALID);
  const now = Math.floor(expect.now.getTime() / 1000);
  if (claims.exp <= now) {
    throw new TokenError(
      "ExpiredTokenException",
      `Token expired: current date/time ${now} must be before the expiration date/time ${claims.exp}`,
    );
  }
  if (claims.nbf !== undefined && claims.nbf > now + CLOCK_SKEW_SECONDS) {
    throw new TokenError("InvalidIdentityToken", INVALID);
  }
  const audience = claims.aud.find((a) => expect.clientIds.includes(a));
  if (audience === undefined) throw new TokenError("InvalidIdentityToken", "Incorrect token audience");
  return audience;
}
