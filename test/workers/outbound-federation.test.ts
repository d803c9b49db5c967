// Outbound web identity federation: IAM Enable/Disable/GetOutboundWebIdentityFederationInfo, the account's public
// issuer (discovery document and JWKS served by the Worker) and STS GetWebIdentityToken, through the real SDKs.
// AWS pages: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_outbound_getting_started.html,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_outbound_token_claims.html,
// https://docs.aws.amazon.com/STS/latest/APIReference/API_GetWebIdentityToken.html.
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DisableOutboundWebIdentityFederationCommand,
  EnableOutboundWebIdentityFederationCommand,
  GetOutboundWebIdentityFederationInfoCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from "@aws-sdk/client-iam";
import { CreateOrganizationCommand, ListRootsCommand } from "@aws-sdk/client-organizations";
import { AssumeRoleCommand, GetWebIdentityTokenCommand, type Tag } from "@aws-sdk/client-sts";
import { SELF } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { checkClaims, decodeJwt, verifySignature } from "../../src/sts/jwt";
import { clearJwksCache, issuerKeys } from "../../src/sts/jwks";
import { ACCOUNT, doc } from "./fixtures";
import { awsError, iamClient, orgsClient, stsClient, type Credentials } from "./sdk";

const iam = iamClient();
const sts = stsClient();
const NS = "https://sts.amazonaws.com/";

/** Enables the feature unless an earlier test did (KV persists across the tests of a file); returns the issuer. */
async function issuer(): Promise<string> {
  try {
    const got = await iam.send(new GetOutboundWebIdentityFederationInfoCommand({}));
    if (got.JwtVendingEnabled) return got.IssuerIdentifier ?? "";
  } catch {
    // Never enabled yet (FeatureDisabled): enable below.
  }
  return (await iam.send(new EnableOutboundWebIdentityFederationCommand({}))).IssuerIdentifier ?? "";
}

/** Decodes a JWT part without checking anything (what a verifier reads before it trusts). */
function part(token: string, index: 0 | 1): Record<string, unknown> {
  const text = token.split(".")[index] ?? "";
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4);
  return JSON.parse(atob(b64)) as Record<string, unknown>;
}

/** The issuer's keys as an external verifier fetches them: discovery document, then jwks_uri (jwks.ts, unsigned). */
async function publishedKeys(iss: string) {
  clearJwksCache();
  return issuerKeys((url, init) => SELF.fetch(url, init), iss, { now: Date.now(), localRequest: true });
}

async function userWith(name: string, policy: string, tags: { Key: string; Value: string }[] = []) {
  await iam.send(new CreateUserCommand({ UserName: name, Tags: tags }));
  await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: "p", PolicyDocument: policy }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  return { accessKeyId: AccessKey?.AccessKeyId ?? "", secretAccessKey: AccessKey?.SecretAccessKey ?? "" };
}

const policy = (statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });

describe("outbound web identity federation: the feature switch", () => {
  it("is off by default, issues after Enable, stops after Disable and keeps its issuer and keys", async () => {
    // Never enabled: no issuer, and no tokens.
    const none = await awsError(iam.send(new GetOutboundWebIdentityFederationInfoCommand({})));
    expect([none.name, none.status]).toEqual(["FeatureDisabled", 404]);
    const refused = await awsError(
      sts.send(new GetWebIdentityTokenCommand({ Audience: ["a"], SigningAlgorithm: "RS256" })),
    );
    expect([refused.name, refused.status]).toEqual(["OutboundWebIdentityFederationDisabledException", 403]);
    const notOn = await awsError(iam.send(new DisableOutboundWebIdentityFederationCommand({})));
    expect([notOn.name, notOn.status]).toEqual(["FeatureDisabled", 404]);

    const enabled = await iam.send(new EnableOutboundWebIdentityFederationCommand({}));
    const iss = enabled.IssuerIdentifier ?? "";
    // The Worker's own origin (the SDK's endpoint) and a random UUID, as AWS's https://<uuid>.tokens.sts.global.api.aws.
    expect(iss).toMatch(
      /^http:\/\/127\.0\.0\.1:8787\/outbound\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    const again = await awsError(iam.send(new EnableOutboundWebIdentityFederationCommand({})));
    expect([again.name, again.status]).toEqual(["FeatureEnabled", 409]);
    expect(await iam.send(new GetOutboundWebIdentityFederationInfoCommand({}))).toMatchObject({
      IssuerIdentifier: iss,
      JwtVendingEnabled: true,
    });

    const before = await sts.send(new GetWebIdentityTokenCommand({ Audience: ["svc"], SigningAlgorithm: "ES384" }));
    const keysBefore = await publishedKeys(iss);

    await iam.send(new DisableOutboundWebIdentityFederationCommand({}));
    expect(await iam.send(new GetOutboundWebIdentityFederationInfoCommand({}))).toMatchObject({
      IssuerIdentifier: iss,
      JwtVendingEnabled: false,
    });
    const off = await awsError(
      sts.send(new GetWebIdentityTokenCommand({ Audience: ["svc"], SigningAlgorithm: "ES384" })),
    );
    expect(off.name).toBe("OutboundWebIdentityFederationDisabledException");
    const twice = await awsError(iam.send(new DisableOutboundWebIdentityFederationCommand({})));
    expect(twice.name).toBe("FeatureDisabled");
    // AWS: Disable "does not affect tokens that were issued before": the keys stay published and still verify them.
    const keysWhileOff = await publishedKeys(iss);
    expect(keysWhileOff).toEqual(keysBefore);
    expect(await verifySignature(decodeJwt(before.WebIdentityToken ?? ""), keysWhileOff)).toBe(true);

    // Enabled again: the same issuer (stable per account) and the same keys.
    expect((await iam.send(new EnableOutboundWebIdentityFederationCommand({}))).IssuerIdentifier).toBe(iss);
    expect(await publishedKeys(iss)).toEqual(keysBefore);
  });

  it("keeps the signing keys' private halves encrypted at rest in KV", async () => {
    const iss = await issuer();
    const raw = (await env.KV.get(`outbound-federation:${ACCOUNT}`)) ?? "";
    const record = JSON.parse(raw) as { issuer: string; keys: { alg: string; privateEncrypted: string }[] };
    expect(record.issuer).toBe(iss);
    expect(record.keys.map((k) => k.alg)).toEqual(["RS256", "ES384"]);
    for (const k of record.keys) expect(k.privateEncrypted).toMatch(/^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    // No private JWK member ("d", and RSA's primes) appears in the stored text.
    expect(raw).not.toMatch(/"(d|p|q|dp|dq|qi)":/);
  });

  it("is authorized as the iam: actions of its name", async () => {
    const creds = await userWith("fed-admin-denied", doc("iam:GetOutboundWebIdentityFederationInfo"));
    const user = iamClient(creds);
    await issuer();
    const info = await user.send(new GetOutboundWebIdentityFederationInfoCommand({}));
    expect(info.JwtVendingEnabled).toBe(true);
    for (const cmd of [
      new DisableOutboundWebIdentityFederationCommand({}),
      new EnableOutboundWebIdentityFederationCommand({}),
    ]) {
      const denied = await awsError(user.send(cmd as DisableOutboundWebIdentityFederationCommand));
      expect(denied.name).toBe("AccessDenied");
      expect(denied.message).toContain(`iam:${cmd.constructor.name.replace(/Command$/, "")}`);
    }
    expect((await iam.send(new GetOutboundWebIdentityFederationInfoCommand({}))).JwtVendingEnabled).toBe(true);
  });
});

describe("the account's issuer", () => {
  it("serves its discovery document and JWKS to unauthenticated GETs; unknown issuers are 404", async () => {
    const iss = await issuer();
    const discovery = await SELF.fetch(`${iss}/.well-known/openid-configuration`);
    expect(discovery.status).toBe(200);
    const config = (await discovery.json()) as Record<string, unknown>;
    expect(config).toMatchObject({
      issuer: iss,
      jwks_uri: `${iss}/.well-known/jwks.json`,
      id_token_signing_alg_values_supported: ["RS256", "ES384"],
    });
    const jwks = (await (await SELF.fetch(`${iss}/.well-known/jwks.json`)).json()) as {
      keys: Record<string, string>[];
    };
    expect(jwks.keys.map((k) => [k.kty, k.alg, k.use, k.crv])).toEqual([
      ["RSA", "RS256", "sig", undefined],
      ["EC", "ES384", "sig", "P-384"],
    ]);
    for (const k of jwks.keys) {
      expect(k.kid).toMatch(/^[A-Za-z0-9_-]{43}$/); // an RFC 7638 SHA-256 thumbprint
      expect(k).not.toHaveProperty("d");
    }
    const other = await SELF.fetch(
      "http://127.0.0.1:8787/outbound/00000000-0000-4000-8000-000000000000/.well-known/jwks.json",
    );
    expect(other.status).toBe(404);
  });

  it("signs RS256 and ES384 tokens that verify against the published keys with the existing verifier", async () => {
    const iss = await issuer();
    const keys = await publishedKeys(iss);
    for (const alg of ["RS256", "ES384"] as const) {
      const out = await sts.send(
        new GetWebIdentityTokenCommand({ Audience: ["https://api.example.com"], SigningAlgorithm: alg }),
      );
      const token = out.WebIdentityToken ?? "";
      const header = part(token, 0);
      const jwk = keys.find((k) => k.alg === alg);
      expect(header).toEqual({ alg, kid: jwk?.kid, typ: "JWT" });
      const jwt = decodeJwt(token);
      expect(await verifySignature(jwt, keys)).toBe(true);
      expect(checkClaims(jwt.claims, { issuer: iss, clientIds: ["https://api.example.com"], now: new Date() })).toBe(
        "https://api.example.com",
      );
      // A token whose payload was changed no longer verifies.
      const [h, , s] = token.split(".");
      const forged = `${h}.${btoa(JSON.stringify({ ...part(token, 1), sub: "arn:aws:iam::999999999999:root" }))
        .replace(/=+$/, "")
        .replace(/\+/g, "-")
        .replace(/\//g, "_")}.${s}`;
      expect(await verifySignature(decodeJwt(forged), keys)).toBe(false);
    }
  });
});

describe("GetWebIdentityToken's claims", () => {
  it("carries tag keys that name Object.prototype members as ordinary tags", async () => {
    await issuer();
    const creds = await userWith(
      "token-proto",
      policy([{ Effect: "Allow", Action: ["sts:GetWebIdentityToken", "sts:TagGetWebIdentityToken"], Resource: "*" }]),
      [{ Key: "__proto__", Value: "stored" }],
    );
    const out = await stsClient(creds).send(
      new GetWebIdentityTokenCommand({
        Audience: ["https://a.example.com"],
        SigningAlgorithm: "RS256",
        Tags: [
          { Key: "__proto__", Value: "asked" },
          { Key: "constructor", Value: "c" },
        ],
      }),
    );
    const aws = part(out.WebIdentityToken ?? "", 1)[NS] as Record<string, Record<string, string>>;
    expect(Object.entries(aws.principal_tags ?? {})).toEqual([["__proto__", "stored"]]);
    expect(Object.entries(aws.request_tags ?? {})).toEqual([
      ["__proto__", "asked"],
      ["constructor", "c"],
    ]);
  });

  it("names an IAM user: iss, aud, sub, iat/exp from DurationSeconds, jti, AWS's namespace with tags", async () => {
    const iss = await issuer();
    const creds = await userWith(
      "token-user",
      policy([{ Effect: "Allow", Action: ["sts:GetWebIdentityToken", "sts:TagGetWebIdentityToken"], Resource: "*" }]),
      [{ Key: "team", Value: "data" }],
    );
    const client = stsClient(creds);
    const out = await client.send(
      new GetWebIdentityTokenCommand({
        Audience: ["https://a.example.com", "https://b.example.com"],
        SigningAlgorithm: "RS256",
        DurationSeconds: 900,
        Tags: [{ Key: "job-id", Value: "job-1" }],
      }),
    );
    const claims = part(out.WebIdentityToken ?? "", 1);
    expect(claims).toMatchObject({
      iss,
      aud: ["https://a.example.com", "https://b.example.com"],
      sub: `arn:aws:iam::${ACCOUNT}:user/token-user`,
      [NS]: {
        aws_account: ACCOUNT,
        source_region: "us-east-1",
        principal_id: `arn:aws:iam::${ACCOUNT}:user/token-user`,
        principal_tags: { team: "data" },
        request_tags: { "job-id": "job-1" },
      },
    });
    const iat = claims.iat as number;
    expect(claims.exp).toBe(iat + 900);
    expect(Math.abs(iat * 1000 - Date.now())).toBeLessThan(60_000);
    expect(out.Expiration?.getTime()).toBe((claims.exp as number) * 1000);
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    // Not a session: no session expiry, no source identity.
    expect(Object.keys(claims[NS] as object)).not.toContain("original_session_exp");
    expect(Object.keys(claims[NS] as object)).not.toContain("source_identity");

    // Defaults: 300 seconds; one audience is a string; no request_tags without Tags; each token its own jti.
    const plain = part(
      (await client.send(new GetWebIdentityTokenCommand({ Audience: ["x"], SigningAlgorithm: "ES384" })))
        .WebIdentityToken ?? "",
      1,
    );
    expect(plain.aud).toBe("x");
    expect(plain.exp).toBe((plain.iat as number) + 300);
    expect(Object.keys(plain[NS] as object)).not.toContain("request_tags");
    expect(plain.jti).not.toBe(claims.jti);
  });

  it("names a role session by its role, with session tags, source identity and the session's expiry", async () => {
    await issuer();
    await iam.send(
      new CreateRoleCommand({
        RoleName: "token-role",
        Path: "/svc/",
        AssumeRolePolicyDocument: policy([
          {
            Effect: "Allow",
            Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
            Action: ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
          },
        ]),
        Tags: [
          { Key: "env", Value: "prod" },
          { Key: "team", Value: "role-team" },
        ],
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: "token-role",
        PolicyName: "p",
        PolicyDocument: doc("sts:GetWebIdentityToken"),
      }),
    );
    const assumer = await userWith(
      "token-assumer",
      policy([
        { Effect: "Allow", Action: ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"], Resource: "*" },
      ]),
    );
    const assumed = await stsClient(assumer).send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${ACCOUNT}:role/svc/token-role`,
        RoleSessionName: "s1",
        DurationSeconds: 900,
        SourceIdentity: "alice",
        Tags: [{ Key: "team", Value: "session-team" }],
      }),
    );
    const c = assumed.Credentials;
    const session: Credentials = {
      accessKeyId: c?.AccessKeyId ?? "",
      secretAccessKey: c?.SecretAccessKey ?? "",
      sessionToken: c?.SessionToken ?? "",
    };
    const out = await stsClient(session).send(
      new GetWebIdentityTokenCommand({ Audience: ["svc"], SigningAlgorithm: "ES384", DurationSeconds: 600 }),
    );
    const claims = part(out.WebIdentityToken ?? "", 1);
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/svc/token-role`;
    expect(claims.sub).toBe(roleArn);
    expect(claims[NS]).toMatchObject({
      principal_id: roleArn,
      principal_tags: { env: "prod", team: "session-team" },
      source_identity: "alice",
      original_session_exp: c?.Expiration?.toISOString().replace(/\.\d{3}Z$/, "Z"),
    });

    // The token may not outlive the session (900 s) that asks for it.
    const longer = await awsError(
      stsClient(session).send(
        new GetWebIdentityTokenCommand({ Audience: ["svc"], SigningAlgorithm: "ES384", DurationSeconds: 3600 }),
      ),
    );
    expect([longer.name, longer.status]).toEqual(["SessionDurationEscalationException", 403]);
  });

  it("adds org_id and ou_path once the account is in an organization", async () => {
    await issuer();
    const before = part(
      (await sts.send(new GetWebIdentityTokenCommand({ Audience: ["x"], SigningAlgorithm: "RS256" })))
        .WebIdentityToken ?? "",
      1,
    );
    expect(before.sub).toBe(`arn:aws:iam::${ACCOUNT}:root`);
    expect(Object.keys(before[NS] as object)).not.toContain("org_id");
    const orgs = orgsClient();
    const org = (await orgs.send(new CreateOrganizationCommand({ FeatureSet: "ALL" }))).Organization?.Id ?? "";
    const rootId = (await orgs.send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? "";
    const after = part(
      (await sts.send(new GetWebIdentityTokenCommand({ Audience: ["x"], SigningAlgorithm: "RS256" })))
        .WebIdentityToken ?? "",
      1,
    );
    expect(after[NS]).toMatchObject({ org_id: org, ou_path: `${org}/${rootId}/` });
  });
});

describe("GetWebIdentityToken's authorization and validation", () => {
  it("needs sts:GetWebIdentityToken, with its audience, algorithm and duration keys, and sts:TagGetWebIdentityToken for tags", async () => {
    await issuer();
    const none = await userWith("token-none", doc("iam:ListUsers"));
    const denied = await awsError(
      stsClient(none).send(new GetWebIdentityTokenCommand({ Audience: ["x"], SigningAlgorithm: "RS256" })),
    );
    expect(denied.name).toBe("AccessDenied");
    expect(denied.message).toContain("sts:GetWebIdentityToken");

    const scoped = stsClient(
      await userWith(
        "token-scoped",
        policy([
          {
            Effect: "Allow",
            Action: "sts:GetWebIdentityToken",
            Resource: "*",
            Condition: {
              "ForAllValues:StringEquals": { "sts:IdentityTokenAudience": ["https://ok.example.com"] },
              StringEquals: { "sts:SigningAlgorithm": "ES384" },
              NumericLessThanEquals: { "sts:DurationSeconds": "300" },
            },
          },
        ]),
      ),
    );
    const ok = { Audience: ["https://ok.example.com"], SigningAlgorithm: "ES384" };
    expect((await scoped.send(new GetWebIdentityTokenCommand(ok))).WebIdentityToken).toBeTruthy();
    for (const bad of [
      { ...ok, Audience: ["https://ok.example.com", "https://other.example.com"] },
      { ...ok, SigningAlgorithm: "RS256" },
      { ...ok, DurationSeconds: 600 },
    ]) {
      expect((await awsError(scoped.send(new GetWebIdentityTokenCommand(bad)))).name).toBe("AccessDenied");
    }
    const tagged = await awsError(
      scoped.send(new GetWebIdentityTokenCommand({ ...ok, Tags: [{ Key: "k", Value: "v" }] })),
    );
    expect(tagged.name).toBe("AccessDenied");
    expect(tagged.message).toContain("sts:TagGetWebIdentityToken");
  });

  it("refuses out-of-range durations, audience lists and algorithms (ValidationError) and oversized payloads", async () => {
    await issuer();
    const cases = [
      { Audience: ["x"], SigningAlgorithm: "RS256", DurationSeconds: 59 },
      { Audience: ["x"], SigningAlgorithm: "RS256", DurationSeconds: 3601 },
      { Audience: Array.from({ length: 11 }, (_, n) => `aud-${n}`), SigningAlgorithm: "RS256" },
      { Audience: ["x".repeat(1001)], SigningAlgorithm: "RS256" },
      { Audience: ["x"], SigningAlgorithm: "HS256" },
    ];
    for (const input of cases) {
      const e = await awsError(sts.send(new GetWebIdentityTokenCommand(input)));
      expect([e.name, e.status]).toEqual(["ValidationError", 400]);
    }
    // The bounds themselves are accepted.
    for (const DurationSeconds of [60, 3600]) {
      await sts.send(new GetWebIdentityTokenCommand({ Audience: ["x"], SigningAlgorithm: "RS256", DurationSeconds }));
    }
    await sts.send(
      new GetWebIdentityTokenCommand({
        Audience: Array.from({ length: 10 }, (_, n) => `aud-${n}`),
        SigningAlgorithm: "RS256",
      }),
    );

    const dup = await awsError(
      sts.send(
        new GetWebIdentityTokenCommand({
          Audience: ["x"],
          SigningAlgorithm: "RS256",
          Tags: [
            { Key: "a", Value: "1" },
            { Key: "A", Value: "2" },
          ],
        }),
      ),
    );
    expect(dup.name).toBe("InvalidParameterValue");

    const big: Tag[] = Array.from({ length: 50 }, (_, n) => ({
      Key: `${n}`.padStart(128, "k"),
      Value: "v".repeat(256),
    }));
    const tooBig = await awsError(
      sts.send(new GetWebIdentityTokenCommand({ Audience: ["x"], SigningAlgorithm: "RS256", Tags: big })),
    );
    expect([tooBig.name, tooBig.status]).toEqual(["JWTPayloadSizeExceededException", 400]);
    // Fewer tags fit.
    await sts.send(
      new GetWebIdentityTokenCommand({ Audience: ["x"], SigningAlgorithm: "RS256", Tags: big.slice(0, 10) }),
    );
  });
});
