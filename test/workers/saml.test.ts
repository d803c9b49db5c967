// AssumeRoleWithSAML through the AWS SDK in workerd, with SAML Responses signed by xml-crypto (an independent signer)
// ahead of time by scripts/build-saml-fixtures.ts. Behaviour from
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithSAML.html,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_assertions.html and
// https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_saml.html.
import {
  CreateRoleCommand,
  CreateSAMLProviderCommand,
  CreateUserCommand,
  ListRolesCommand,
  PutRolePolicyCommand,
} from "@aws-sdk/client-iam";
import { AssumeRoleWithSAMLCommand, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { beforeAll, describe, expect, it } from "vitest";
import fixtures from "../fixtures/saml/fixtures.json";
import { awsError, iamClient, stsClient } from "./sdk";

const ACCOUNT = "123456789012";
const PROVIDER = fixtures.providerArn;
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const R = fixtures.responses;

const trust = (actions: string[], condition?: object) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: PROVIDER },
        Action: actions,
        ...(condition ? { Condition: condition } : {}),
      },
    ],
  });

// The trust policy AWS's console writes for a SAML 2.0 role: StringEquals SAML:aud.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_saml.html
const AWS_AUD = { StringEquals: { "SAML:aud": "https://signin.aws.amazon.com/saml" } };

const decode = (b64: string) => new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
const encode = (xml: string) => btoa(String.fromCharCode(...new TextEncoder().encode(xml)));

const assume = (SAMLAssertion: string, RoleArn = role("saml-dev"), extra: object = {}) =>
  stsClient().send(new AssumeRoleWithSAMLCommand({ RoleArn, PrincipalArn: PROVIDER, SAMLAssertion, ...extra }));

beforeAll(async () => {
  const iam = iamClient();
  await iam.send(new CreateSAMLProviderCommand({ Name: "Corp", SAMLMetadataDocument: fixtures.metadata }));
  await iam.send(
    new CreateRoleCommand({
      RoleName: "saml-dev",
      AssumeRolePolicyDocument: trust(["sts:AssumeRoleWithSAML"], AWS_AUD),
    }),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: "saml-dev",
      PolicyName: "list",
      PolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "iam:ListRoles", Resource: "*" }],
      }),
    }),
  );
  await iam.send(
    new CreateRoleCommand({
      RoleName: "saml-aud",
      AssumeRolePolicyDocument: trust(["sts:AssumeRoleWithSAML"], {
        StringEquals: { "SAML:aud": "https://eu-west-1.signin.aws.amazon.com/saml" },
      }),
    }),
  );
  await iam.send(
    new CreateRoleCommand({
      RoleName: "saml-tags",
      MaxSessionDuration: 7200,
      AssumeRolePolicyDocument: trust(["sts:AssumeRoleWithSAML", "sts:TagSession", "sts:SetSourceIdentity"], {
        StringEquals: { "aws:RequestTag/Project": "Marketing", "SAML:doc": `${ACCOUNT}/Corp` },
        "ForAnyValue:StringEquals": { "SAML:edupersonaffiliation": "staff" },
      }),
    }),
  );
  // Each lacks one of the two further actions a tagged response with a source identity needs.
  await iam.send(
    new CreateRoleCommand({
      RoleName: "saml-notag",
      AssumeRolePolicyDocument: trust(["sts:AssumeRoleWithSAML", "sts:SetSourceIdentity"]),
    }),
  );
  await iam.send(
    new CreateRoleCommand({
      RoleName: "saml-nosource",
      AssumeRolePolicyDocument: trust(["sts:AssumeRoleWithSAML", "sts:TagSession"]),
    }),
  );
});

describe("AssumeRoleWithSAML", () => {
  it("issues role credentials that work for GetCallerIdentity and the role's IAM permissions", async () => {
    const out = await assume(R.valid);
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/saml-dev/alice`);
    expect(out.AssumedRoleUser?.AssumedRoleId).toMatch(/^AROA[A-Z0-9]+:alice$/);
    expect(out).toMatchObject({
      Subject: "alice-id",
      SubjectType: "persistent",
      Issuer: "https://idp.example.com/saml",
      Audience: "https://signin.aws.amazon.com/saml",
      PackedPolicySize: 0,
    });
    const digest = await crypto.subtle.digest(
      "SHA-1",
      new TextEncoder().encode(`https://idp.example.com/saml${ACCOUNT}/Corp`),
    );
    expect(out.NameQualifier).toBe(btoa(String.fromCharCode(...new Uint8Array(digest))));
    const c = out.Credentials;
    expect(c?.AccessKeyId).toMatch(/^ASIA/);
    // An hour without DurationSeconds.
    expect(Math.abs((c?.Expiration?.getTime() ?? 0) - Date.now() - 3600_000)).toBeLessThan(60_000);
    const creds = {
      accessKeyId: c?.AccessKeyId ?? "",
      secretAccessKey: c?.SecretAccessKey ?? "",
      sessionToken: c?.SessionToken,
    };
    const me = await stsClient(creds).send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/saml-dev/alice`);
    expect((await iamClient(creds).send(new ListRolesCommand({}))).Roles?.length).toBeGreaterThan(0);
    expect((await awsError(iamClient(creds).send(new CreateUserCommand({ UserName: "x" })))).name).toBe("AccessDenied");
  });

  it("accepts a signature on the whole Response (RSA-SHA1, inclusive c14n) and reports a transient subject", async () => {
    const out = await assume(R.responseSigned, role("saml-dev"), { DurationSeconds: 900 });
    expect([out.AssumedRoleUser?.Arn, out.SubjectType]).toEqual([
      `arn:aws:sts::${ACCOUNT}:assumed-role/saml-dev/bob`,
      "transient",
    ]);
    expect(Math.abs((out.Credentials?.Expiration?.getTime() ?? 0) - Date.now() - 900_000)).toBeLessThan(60_000);
  });

  it("passes PrincipalTag, TransitiveTagKeys, SourceIdentity and SessionDuration; tags need sts:TagSession, a source identity sts:SetSourceIdentity", async () => {
    const out = await assume(R.tagged, role("saml-tags"), { DurationSeconds: 7200 });
    expect(out.SourceIdentity).toBe("carol");
    expect(out.PackedPolicySize).toBeGreaterThan(0);
    // SessionDuration shortens the session below the DurationSeconds asked for.
    expect(Math.abs((out.Credentials?.Expiration?.getTime() ?? 0) - Date.now() - 1800_000)).toBeLessThan(60_000);
    for (const name of ["saml-notag", "saml-nosource"]) {
      const e = await awsError(assume(R.tagged, role(name)));
      expect([e.name, e.status, e.message]).toEqual([
        "AccessDenied",
        403,
        "Not authorized to perform sts:AssumeRoleWithSAML",
      ]);
    }
  });

  it("refuses an attribute changed after signing", async () => {
    const e = await awsError(assume(encode(decode(R.valid).replace(">alice<", ">mallory<"))));
    expect([e.name, e.status, e.message]).toEqual(["InvalidIdentityToken", 400, "Response signature invalid"]);
  });

  it("refuses signature wrapping: an unsigned assertion inserted beside the signed one", async () => {
    const xml = decode(R.valid);
    const evil = xml
      .slice(xml.indexOf("<saml:Assertion"), xml.indexOf("</samlp:Response>"))
      .replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, "")
      .replace(">alice<", ">mallory<")
      .replace(/ID="[^"]+"/, 'ID="_evil"');
    const e = await awsError(assume(encode(xml.replace("</samlp:Response>", `${evil}</samlp:Response>`))));
    expect(e.name).toBe("InvalidIdentityToken");
  });

  it("refuses a wrong audience, a certificate not in the metadata, and a DOCTYPE", async () => {
    for (const assertion of [R.wrongAudience, R.rogue, encode(`<!DOCTYPE r [<!ENTITY x "y">]>${decode(R.valid)}`)]) {
      const e = await awsError(assume(assertion));
      expect([e.name, e.status]).toEqual(["InvalidIdentityToken", 400]);
    }
    expect((await awsError(assume(R.rogue))).message).toBe("Response signature invalid");
  });

  it("answers ExpiredTokenException for an expired assertion", async () => {
    const e = await awsError(assume(R.expired));
    expect([e.name, e.status]).toEqual(["ExpiredTokenException", 400]);
  });

  it("refuses a role the Role attribute does not pair with the provider, and an unknown provider", async () => {
    await iamClient().send(
      new CreateRoleCommand({ RoleName: "saml-other", AssumeRolePolicyDocument: trust(["sts:AssumeRoleWithSAML"]) }),
    );
    expect((await awsError(assume(R.valid, role("saml-other")))).name).toBe("InvalidIdentityToken");
    const e = await awsError(
      stsClient().send(
        new AssumeRoleWithSAMLCommand({
          RoleArn: role("saml-dev"),
          PrincipalArn: `arn:aws:iam::${ACCOUNT}:saml-provider/Nope`,
          SAMLAssertion: R.valid,
        }),
      ),
    );
    expect([e.name, e.message]).toEqual(["InvalidIdentityToken", "Specified provider doesn't exist."]);
  });

  it("lets a trust policy's SAML:aud condition refuse", async () => {
    const e = await awsError(assume(R.valid, role("saml-aud")));
    expect([e.name, e.status, e.message]).toEqual([
      "AccessDenied",
      403,
      "Not authorized to perform sts:AssumeRoleWithSAML",
    ]);
  });

  it("validates the request: oversized assertion, DurationSeconds over the role's maximum, session policies", async () => {
    const big = await awsError(assume("A".repeat(100_001)));
    expect(big.name).toBe("ValidationError");
    expect(big.message).toContain("Member must have length less than or equal to 100000");
    const long = await awsError(assume(R.valid, role("saml-dev"), { DurationSeconds: 7200 }));
    expect([long.name, long.message]).toEqual([
      "ValidationError",
      "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    ]);
    const policy = await awsError(assume(R.valid, role("saml-dev"), { Policy: '{"Version":"2012-10-17"' }));
    expect(policy.name).toBe("MalformedPolicyDocument");
    const scoped = await assume(R.valid, role("saml-dev"), {
      Policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Deny", Action: "iam:*", Resource: "*" }],
      }),
    });
    expect(scoped.PackedPolicySize).toBeGreaterThan(0);
    const c = scoped.Credentials;
    const creds = {
      accessKeyId: c?.AccessKeyId ?? "",
      secretAccessKey: c?.SecretAccessKey ?? "",
      sessionToken: c?.SessionToken,
    };
    expect((await awsError(iamClient(creds).send(new ListRolesCommand({})))).name).toBe("AccessDenied");
  });
});
