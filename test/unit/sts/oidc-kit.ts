// Test kit: signing keys generated at run time, tokens signed with them, and a local OIDC issuer serving the JWKS.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type Alg = "RS256" | "ES256";

export interface SigningKey {
  alg: Alg;
  kid: string;
  privateKey: CryptoKey;
  /** The public half as a JWKS lists it. */
  jwk: JsonWebKey & { kid: string; use: string; alg: string };
}

const b64url = (bytes: Uint8Array | string): string =>
  Buffer.from(typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes).toString("base64url");

export async function generateKey(alg: Alg, kid: string): Promise<SigningKey> {
  const params =
    alg === "RS256"
      ? { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }
      : { name: "ECDSA", namedCurve: "P-256" };
  const pair = (await crypto.subtle.generateKey(params, true, ["sign", "verify"])) as CryptoKeyPair;
  const pub = await crypto.subtle.exportKey("jwk", pair.publicKey);
  const jwk =
    alg === "RS256"
      ? { kty: "RSA", n: pub.n, e: pub.e, kid, use: "sig", alg }
      : { kty: "EC", crv: pub.crv, x: pub.x, y: pub.y, kid, use: "sig", alg };
  return { alg, kid, privateKey: pair.privateKey, jwk };
}

/** A compact JWS over the claims; `header` overrides (e.g. alg "none") make malformed tokens. */
export async function signToken(
  key: SigningKey,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
): Promise<string> {
  const head = b64url(JSON.stringify({ alg: key.alg, typ: "JWT", kid: key.kid, ...header }));
  const body = b64url(JSON.stringify(claims));
  const input = new TextEncoder().encode(`${head}.${body}`);
  const algorithm = key.alg === "RS256" ? { name: "RSASSA-PKCS1-v1_5" } : { name: "ECDSA", hash: "SHA-256" as const };
  const sig = new Uint8Array(await crypto.subtle.sign(algorithm, key.privateKey, input));
  return `${head}.${body}.${b64url(sig)}`;
}

export interface LocalIssuer {
  /** `http://127.0.0.1:<port>`: the iss of its tokens and the URL of its OIDC provider. */
  url: string;
  keys: SigningKey[];
  /** How many times the discovery document and the JWKS were fetched. */
  hits: { discovery: number; jwks: number };
  close: () => Promise<void>;
}

/** A node http server on 127.0.0.1 answering the discovery document and the JWKS of `keys` (mutable: rotate it). */
export async function startIssuer(keys: SigningKey[]): Promise<LocalIssuer> {
  const hits = { discovery: 0, jwks: 0 };
  let url = "";
  const server: Server = createServer((req, res) => {
    if (req.url === "/.well-known/openid-configuration") {
      hits.discovery++;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({ issuer: url, jwks_uri: `${url}/jwks.json`, id_token_signing_alg_values_supported: ["RS256"] }),
      );
    } else if (req.url === "/jwks.json") {
      hits.jwks++;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ keys: issuer.keys.map((k) => k.jwk) }));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer: LocalIssuer = {
    url,
    keys,
    hits,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  return issuer;
}
