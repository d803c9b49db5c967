// AssumeRoleWithWebIdentity in workerd: unsigned calls reach it (and only it), and bad tokens fail before any fetch.
import { CreateOpenIDConnectProviderCommand, CreateRoleCommand } from "@aws-sdk/client-iam";
import { AssumeRoleWithWebIdentityCommand } from "@aws-sdk/client-sts";
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { awsError, iamClient, stsClient } from "./sdk";

const ROLE = "arn:aws:iam::123456789012:role/web";
const b64 = (o: object) => btoa(JSON.stringify(o)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
const unsignedToken = (claims: object) => `${b64({ alg: "RS256", kid: "k" })}.${b64(claims)}.${b64({ sig: 1 })}`;

async function unsigned(params: Record<string, string>): Promise<{ status: number; text: string }> {
  const res = await SELF.fetch("http://127.0.0.1:8787/", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ Version: "2011-06-15", ...params }).toString(),
  });
  return { status: res.status, text: await res.text() };
}

describe("AssumeRoleWithWebIdentity in workerd", () => {
  it("runs unsigned, while other unsigned STS calls still need a signature", async () => {
    const other = await unsigned({ Action: "GetCallerIdentity" });
    expect(other.status).toBe(403);
    expect(other.text).toContain("<Code>MissingAuthenticationToken</Code>");
    const web = await unsigned({
      Action: "AssumeRoleWithWebIdentity",
      RoleArn: ROLE,
      RoleSessionName: "s1",
      WebIdentityToken: "not-a-jwt",
    });
    expect(web.status).toBe(400);
    expect(web.text).toContain("<Code>InvalidIdentityToken</Code>");
  });

  it("answers AWS's error for an issuer without a provider, and for an http issuer not on loopback", async () => {
    const now = Math.floor(Date.now() / 1000);
    const sts = stsClient();
    for (const iss of ["https://idp.example.com", "http://idp.example.com"]) {
      const token = unsignedToken({ iss, sub: "u", aud: "a", exp: now + 600 });
      const e = await awsError(
        sts.send(
          new AssumeRoleWithWebIdentityCommand({ RoleArn: ROLE, RoleSessionName: "s2", WebIdentityToken: token }),
        ),
      );
      expect([e.name, e.message]).toEqual([
        "InvalidIdentityToken",
        `No OpenIDConnect provider found in your account for ${iss}`,
      ]);
    }
  });

  it("registers http issuers only on loopback hosts (this request is local), never others", async () => {
    const iam = iamClient();
    const ok = await iam.send(
      new CreateOpenIDConnectProviderCommand({ Url: "http://127.0.0.1:9/", ClientIDList: ["a"] }),
    );
    expect(ok.OpenIDConnectProviderArn).toBe("arn:aws:iam::123456789012:oidc-provider/127.0.0.1:9");
    const e = await awsError(iam.send(new CreateOpenIDConnectProviderCommand({ Url: "http://idp.example.com" })));
    expect([e.name, e.message]).toEqual(["InvalidInput", "Invalid Open ID Connect Provider URL"]);
  });

  it("refuses a token whose keys cannot be fetched, issuing nothing", async () => {
    const iam = iamClient();
    // The provider for http://127.0.0.1:9 was registered by the test above.
    await iam.send(
      new CreateRoleCommand({
        RoleName: "web",
        AssumeRolePolicyDocument:
          '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
      }),
    );
    const now = Math.floor(Date.now() / 1000);
    const token = unsignedToken({ iss: "http://127.0.0.1:9", sub: "u", aud: "a", exp: now + 600 });
    const e = await awsError(
      stsClient().send(
        new AssumeRoleWithWebIdentityCommand({ RoleArn: ROLE, RoleSessionName: "s2", WebIdentityToken: token }),
      ),
    );
    // Port 9 (discard) refuses connections: the issuer is unreachable.
    expect(["IDPCommunicationError", "InvalidIdentityToken"]).toContain(e.name);
  });
});
