// Outbound federation's signing keys and JWTs: one RSA (RS256) and one EC P-384 (ES384) key per account, generated
// with WebCrypto, the private halves encrypted at rest; compact JWS signing with the key the caller asks for.
// https://docs.aws.amazon.com/STS/latest/APIReference/API_GetWebIdentityToken.html (SigningAlgorithm: RS256, ES384)
import { decryptSecret, encryptSecret, sha256 } from "../aws/crypto";
import type { OutboundAlgorithm, PublicJwk, SigningKey } from "../store/outbound-federation";

export const OUTBOUND_ALGORITHMS: readonly OutboundAlgorithm[] = ["RS256", "ES384"];

const PARAMS: Record<OutboundAlgorithm, { key: SubtleCryptoGenerateKeyAlgorithm; sign: SubtleCryptoSignAlgorithm }> = {
  RS256: {
    key: {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    },
    sign: { name: "RSASSA-PKCS1-v1_5" },
  },
  // WebCrypto signs ECDSA as r||s, the JWS form (RFC 7518 §3.4).
  ES384: { key: { name: "ECDSA", namedCurve: "P-384" }, sign: { name: "ECDSA", hash: "SHA-384" } },
};

export function base64Url(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let binary = "";
  for (const b of view) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

const base64UrlText = (text: string) => base64Url(new TextEncoder().encode(text));

/** RFC 7638 thumbprint: SHA-256 of the required members in lexicographic order, a stable and unique kid. */
async function thumbprint(jwk: JsonWebKey): Promise<string> {
  const members =
    jwk.kty === "RSA"
      ? JSON.stringify({ e: jwk.e, kty: jwk.kty, n: jwk.n })
      : JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return base64Url(await sha256(members));
}

/** A fresh key pair for one algorithm: its public JWK for the JWKS and its private JWK encrypted for storage. */
export async function generateSigningKey(alg: OutboundAlgorithm, keyMaterial: string): Promise<SigningKey> {
  const pair = (await crypto.subtle.generateKey(PARAMS[alg].key, true, ["sign", "verify"])) as CryptoKeyPair;
  const pub = (await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey;
  const priv = (await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey;
  const kid = await thumbprint(pub);
  const publicJwk: PublicJwk =
    alg === "RS256"
      ? { kty: "RSA", kid, alg, use: "sig", n: pub.n, e: pub.e }
      : { kty: "EC", kid, alg, use: "sig", crv: pub.crv, x: pub.x, y: pub.y };
  return { alg, publicJwk, privateEncrypted: await encryptSecret(JSON.stringify(priv), keyMaterial) };
}

/** The compact JWS of the claims, signed with the key: header {alg, kid, typ: "JWT"}. */
export async function signJwt(key: SigningKey, claims: Record<string, unknown>, keyMaterial: string): Promise<string> {
  const header = { alg: key.alg, kid: key.publicJwk.kid, typ: "JWT" };
  const signingInput = `${base64UrlText(JSON.stringify(header))}.${base64UrlText(JSON.stringify(claims))}`;
  const jwk = JSON.parse(await decryptSecret(key.privateEncrypted, keyMaterial)) as JsonWebKey;
  const importParams = key.alg === "RS256" ? PARAMS.RS256.key : PARAMS.ES384.key;
  const privateKey = await crypto.subtle.importKey("jwk", jwk, importParams, false, ["sign"]);
  const signature = await crypto.subtle.sign(PARAMS[key.alg].sign, privateKey, new TextEncoder().encode(signingInput));
  return `${signingInput}.${base64Url(signature)}`;
}
