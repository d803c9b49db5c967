// Web identity token checks in node with keys generated at run time: signature, claims, algorithms, JWKS fetching.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { clearJwksCache, fetchableUrl, issuerKeys, NO_VERIFICATION_KEY } from "../../../src/sts/jwks.ts";
import { checkClaims, decodeJwt, NOT_A_JWT, requireSignature, TokenError } from "../../../src/sts/jwt.ts";
import { generateKey, signToken, startIssuer, type LocalIssuer, type SigningKey } from "./oidc-kit.ts";

const NOW = new Date("2030-01-01T00:00:00Z");
const nowSec = Math.floor(NOW.getTime() / 1000);
const ISS = "https://idp.example.com";

function claims(over: Record<string, unknown> = {}) {
  return { iss: ISS, sub: "user-1", aud: "app-1", exp: nowSec + 600, iat: nowSec - 10, ...over };
}

async function failure(p: Promise<unknown> | (() => unknown)): Promise<TokenError> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (e) {
    if (e instanceof TokenError) return e;
    throw e;
  }
  throw new Error("expected a TokenError");
}

describe("JWT verification", () => {
  let rsa: SigningKey;
  let other: SigningKey;
  let ec: SigningKey;
  beforeAll(async () => {
    rsa = await generateKey("RS256", "k1");
    other = await generateKey("RS256", "k1");
    ec = await generateKey("ES256", "e1");
  });

  it("accepts a good RS256 token and returns the audience that matched", async () => {
    const jwt = decodeJwt(await signToken(rsa, claims({ aud: ["other", "app-1"], amr: ["authenticated"] })));
    await requireSignature(jwt, [rsa.jwk]);
    expect(checkClaims(jwt.claims, { issuer: ISS, clientIds: ["app-1"], now: NOW })).toBe("app-1");
    expect(jwt.claims.amr).toEqual(["authenticated"]);
  });

  it("accepts ES256, which AWS documents alongside RSA", async () => {
    const jwt = decodeJwt(await signToken(ec, claims()));
    await requireSignature(jwt, [rsa.jwk, ec.jwk]);
  });

  it("refuses a token signed by another key with the same kid (forged)", async () => {
    const jwt = decodeJwt(await signToken(other, claims()));
    const e = await failure(requireSignature(jwt, [rsa.jwk]));
    expect(e.code).toBe("InvalidIdentityToken");
  });

  it("refuses a token whose payload was changed after signing", async () => {
    const [h, , s] = (await signToken(rsa, claims())).split(".");
    const forged = Buffer.from(JSON.stringify(claims({ sub: "admin" }))).toString("base64url");
    const e = await failure(requireSignature(decodeJwt(`${h}.${forged}.${s}`), [rsa.jwk]));
    expect(e.code).toBe("InvalidIdentityToken");
  });

  it('refuses alg "none" and HMAC even with an empty or any signature', async () => {
    const none = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url");
    const body = Buffer.from(JSON.stringify(claims())).toString("base64url");
    const e = await failure(requireSignature(decodeJwt(`${none}.${body}.`), [rsa.jwk]));
    expect(e.code).toBe("InvalidIdentityToken");
    const hs = await signToken(rsa, claims(), { alg: "HS256" });
    expect((await failure(requireSignature(decodeJwt(hs), [rsa.jwk]))).code).toBe("InvalidIdentityToken");
  });

  it("refuses an expired token with ExpiredTokenException in AWS's words", async () => {
    const jwt = decodeJwt(await signToken(rsa, claims({ exp: nowSec - 1 })));
    await requireSignature(jwt, [rsa.jwk]);
    const e = await failure(() => checkClaims(jwt.claims, { issuer: ISS, clientIds: ["app-1"], now: NOW }));
    expect(e.code).toBe("ExpiredTokenException");
    expect(e.message).toBe(
      `Token expired: current date/time ${nowSec} must be before the expiration date/time ${nowSec - 1}`,
    );
  });

  it("refuses a wrong audience and a wrong issuer", async () => {
    const wrongAud = decodeJwt(await signToken(rsa, claims({ aud: "someone-else" })));
    const e = await failure(() => checkClaims(wrongAud.claims, { issuer: ISS, clientIds: ["app-1"], now: NOW }));
    expect([e.code, e.message]).toEqual(["InvalidIdentityToken", "Incorrect token audience"]);
    const wrongIss = decodeJwt(await signToken(rsa, claims({ iss: "https://evil.example.com" })));
    const f = await failure(() => checkClaims(wrongIss.claims, { issuer: ISS, clientIds: ["app-1"], now: NOW }));
    expect(f.code).toBe("InvalidIdentityToken");
  });

  it("refuses what is not a JWT, and non-integer timestamps", async () => {
    for (const t of ["abc", "a.b", "a.b.c.d", "!!.??.xx"]) {
      const e = await failure(() => decodeJwt(t));
      expect([e.code, e.message]).toEqual(["InvalidIdentityToken", NOT_A_JWT]);
    }
    const e = await failure(async () => decodeJwt(await signToken(rsa, claims({ exp: "tomorrow" }))));
    expect(e.code).toBe("InvalidIdentityToken");
  });
});

describe("issuer keys", () => {
  let issuer: LocalIssuer;
  beforeAll(async () => {
    issuer = await startIssuer([await generateKey("RS256", "a")]);
  });
  afterAll(() => issuer.close());
  beforeEach(() => clearJwksCache());

  it("fetches the discovery document, then jwks_uri, and reuses the keys for a few minutes", async () => {
    const opts = { now: NOW.getTime(), localRequest: true, wantKid: "a" };
    const keys = await issuerKeys(fetch, issuer.url, opts);
    expect(keys.map((k) => k.kid)).toEqual(["a"]);
    await issuerKeys(fetch, issuer.url, { ...opts, now: opts.now + 60_000 });
    expect(issuer.hits).toEqual({ discovery: 1, jwks: 1 });
    await issuerKeys(fetch, issuer.url, { ...opts, now: opts.now + 6 * 60_000 });
    expect(issuer.hits).toEqual({ discovery: 2, jwks: 2 });
  });

  it("refetches once for a kid it has not seen (rotation), but not on every junk kid", async () => {
    const t = NOW.getTime();
    await issuerKeys(fetch, issuer.url, { now: t, localRequest: true });
    const before = issuer.hits.jwks;
    await issuerKeys(fetch, issuer.url, { now: t + 1000, localRequest: true, wantKid: "junk" });
    expect(issuer.hits.jwks).toBe(before);
    issuer.keys.push(await generateKey("RS256", "b"));
    const keys = await issuerKeys(fetch, issuer.url, { now: t + 40_000, localRequest: true, wantKid: "b" });
    expect(keys.map((k) => k.kid)).toEqual(["a", "b"]);
  });

  it("never fetches plain http unless the request is local and the host is loopback", async () => {
    const e = await failure(issuerKeys(fetch, issuer.url, { now: NOW.getTime(), localRequest: false }));
    expect([e.code, e.message]).toEqual(["InvalidIdentityToken", NO_VERIFICATION_KEY]);
    expect(fetchableUrl("http://example.com", true)).toBeNull();
    expect(fetchableUrl("http://localhost:9000/x", true)?.host).toBe("localhost:9000");
    expect(fetchableUrl("https://user:pw@example.com", false)).toBeNull();
    expect(fetchableUrl("https://example.com/tenant", false)?.pathname).toBe("/tenant");
  });

  it("answers IDPCommunicationError when the issuer cannot be reached", async () => {
    const down = () => Promise.reject(new TypeError("connect ECONNREFUSED"));
    const e = await failure(issuerKeys(down, "https://idp.invalid", { now: NOW.getTime(), localRequest: false }));
    expect(e.code).toBe("IDPCommunicationError");
  });
});
