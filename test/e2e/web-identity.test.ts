// End to end: AssumeRoleWithWebIdentity against `wrangler dev`, with a local OIDC issuer (node http) serving the keys.
import { CreateOpenIDConnectProviderCommand, CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "../../scripts/lib/dev-server.ts";
import { generateKey, signToken, startIssuer, type LocalIssuer, type SigningKey } from "../unit/sts/oidc-kit.ts";

const ACCOUNT = "123456789012";
const ROOT = { accessKeyId: "test", secretAccessKey: "test" };

describe("web identity federation against wrangler dev", () => {
  let server: DevServer;
  let issuer: LocalIssuer;
  let key: SigningKey;
  let sts: STSClient;
  let host: string;
  const roleArn = `arn:aws:iam::${ACCOUNT}:role/e2e-web`;

  const token = (over: Record<string, unknown> = {}, signer?: SigningKey) => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: issuer.url, sub: "repo:acme/app", aud: "app-1", exp: now + 600, iat: now, ...over };
    return signToken(signer ?? key, claims);
  };
  const assume = async (webToken: string, session = "web-session") =>
    sts.send(
      new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn, RoleSessionName: session, WebIdentityToken: webToken }),
    );
  // The SDK names each error by its model shape: wire code InvalidIdentityToken is InvalidIdentityTokenException.
  const errorOf = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      return e as { name: string; message: string };
    }
    throw new Error("expected a failure");
  };

  beforeAll(async () => {
    key = await generateKey("RS256", "key-1");
    issuer = await startIssuer([key]);
    host = issuer.url.replace(/^http:\/\//, "");
    server = await startDevServer({ ALLOW_RESET: "true" });
    const iam = new IAMClient({ endpoint: server.url, region: "us-east-1", credentials: ROOT });
    // http issuers are accepted only because this request reached a local server (AWS requires https).
    const created = await iam.send(
      new CreateOpenIDConnectProviderCommand({ Url: issuer.url, ClientIDList: ["app-1"] }),
    );
    expect(created.OpenIDConnectProviderArn).toBe(`arn:aws:iam::${ACCOUNT}:oidc-provider/${host}`);
    const trust = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: created.OpenIDConnectProviderArn },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: { [`${host}:aud`]: "app-1" },
            StringLike: { [`${host}:sub`]: "repo:acme/*" },
          },
        },
      ],
    };
    await iam.send(new CreateRoleCommand({ RoleName: "e2e-web", AssumeRolePolicyDocument: JSON.stringify(trust) }));
    // No credentials: the SDK sends AssumeRoleWithWebIdentity unsigned, as AWS accepts it.
    sts = new STSClient({ endpoint: server.url, region: "us-east-1" });
  });

  afterAll(async () => {
    await server?.stop();
    await issuer?.close();
  });

  it("issues a role session for a token the trust policy admits", async () => {
    const out = await assume(await token());
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/e2e-web/web-session`);
    expect(out.SubjectFromWebIdentityToken).toBe("repo:acme/app");
    expect(out.Audience).toBe("app-1");
    expect(out.Provider).toBe(`arn:aws:iam::${ACCOUNT}:oidc-provider/${host}`);
    const c = out.Credentials;
    const session = new STSClient({
      endpoint: server.url,
      region: "us-east-1",
      credentials: {
        accessKeyId: c?.AccessKeyId ?? "",
        secretAccessKey: c?.SecretAccessKey ?? "",
        sessionToken: c?.SessionToken,
      },
    });
    const me = await session.send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/e2e-web/web-session`);
    // The keys were fetched once and are reused by the next call.
    await assume(await token(), "second");
    expect(issuer.hits.jwks).toBe(1);
  });

  it("refuses a subject the trust policy does not name, without saying why", async () => {
    const e = await errorOf(assume(await token({ sub: "repo:evil/app" })));
    expect([e.name, e.message]).toEqual(["AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"]);
  });

  it("refuses a forged token, a wrong audience and an expired token with AWS's codes", async () => {
    const forger = await generateKey("RS256", "key-1");
    expect((await errorOf(assume(await token({}, forger)))).name).toBe("InvalidIdentityTokenException");
    const aud = await errorOf(assume(await token({ aud: "other-app" })));
    expect([aud.name, aud.message]).toEqual(["InvalidIdentityTokenException", "Incorrect token audience"]);
    const expired = await errorOf(assume(await token({ exp: Math.floor(Date.now() / 1000) - 60 })));
    expect(expired.name).toBe("ExpiredTokenException");
    expect(expired.message).toMatch(
      /^Token expired: current date\/time \d+ must be before the expiration date\/time \d+$/,
    );
  });

  it("refuses a token from an issuer with no provider in the role's account", async () => {
    const e = await errorOf(assume(await token({ iss: "https://unknown.example.com" })));
    expect([e.name, e.message]).toEqual([
      "InvalidIdentityTokenException",
      "No OpenIDConnect provider found in your account for https://unknown.example.com",
    ]);
  });
});
