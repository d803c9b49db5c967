// The checks AssumeRoleWithSAML makes on a SAML Response, on responses signed by xml-crypto with keys made here.
// Behaviour from https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_assertions.html and
// https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_saml.html unless a case names another page.
import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { AwsError } from "../../../src/aws/errors.ts";
import {
  CLOCK_SKEW_MS,
  nameQualifier,
  readSamlResponse,
  type SamlProviderKeys,
} from "../../../src/sts/saml-assertion.ts";
import {
  ACCOUNT,
  ALG,
  ENTITY_ID,
  b64,
  generateIdpKey,
  samlResponse,
  sign,
  type IdpKey,
  type ResponseOptions,
} from "./saml-kit.ts";

const NOW = new Date();
const ROLE = `arn:aws:iam::${ACCOUNT}:role/saml-dev`;
const PROVIDER = `arn:aws:iam::${ACCOUNT}:saml-provider/Corp`;

let key: IdpKey;
let rogue: IdpKey;
let provider: SamlProviderKeys;

beforeAll(async () => {
  [key, rogue] = await Promise.all([generateIdpKey(), generateIdpKey("rogue.example.com")]);
  provider = {
    arn: PROVIDER,
    accountId: ACCOUNT,
    name: "Corp",
    entityId: ENTITY_ID,
    certificates: [new Uint8Array(Buffer.from(key.certBase64, "base64"))],
  };
});

const good = (over: ResponseOptions = {}): ResponseOptions => ({
  ...over,
  attributes: { Role: [`${ROLE},${PROVIDER}`], RoleSessionName: ["alice@example.com"], ...over.attributes },
});

const read = (xml: string, roleArn = ROLE) => readSamlResponse(b64(xml), provider, { roleArn, now: NOW });

async function refusal(p: Promise<unknown>): Promise<{ code: string; status: number; message: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as AwsError;
    return { code: err.code, status: err.status, message: err.message };
  }
  throw new Error("expected a refusal");
}

const iso = (offsetMs: number) => new Date(NOW.getTime() + offsetMs).toISOString();

describe("readSamlResponse", () => {
  it("returns the signed assertion's claims", async () => {
    const xml = sign(
      samlResponse(
        good({
          nameId: "_cbb88bf52c",
          attributes: {
            SessionDuration: ["1800"],
            SourceIdentity: ["alice"],
            "PrincipalTag:Project": ["Marketing"],
            "PrincipalTag:CostCenter": ["12345"],
            TransitiveTagKeys: ["Project"],
          },
        }),
      ).xml,
      key,
    );
    const claims = await read(xml);
    expect(claims).toMatchObject({
      issuer: ENTITY_ID,
      recipient: "https://signin.aws.amazon.com/saml",
      subject: "_cbb88bf52c",
      subjectType: "persistent",
      roleSessionName: "alice@example.com",
      sessionDuration: 1800,
      sourceIdentity: "alice",
      tags: [
        { Key: "Project", Value: "Marketing" },
        { Key: "CostCenter", Value: "12345" },
      ],
      transitiveTagKeys: ["Project"],
    });
  });

  it("accepts a signature on the Response instead of the Assertion (SHA-1, inclusive c14n)", async () => {
    const xml = sign(samlResponse(good()).xml, key, {
      target: "response",
      signatureAlgorithm: ALG.rsaSha1,
      digestAlgorithm: ALG.sha1,
      canonicalization: ALG.c14n,
      transform: ALG.c14n,
    });
    expect((await read(xml)).roleSessionName).toBe("alice@example.com");
  });

  it("accepts the role pair in either order, and the regional and urn audiences", async () => {
    const reversed = sign(samlResponse(good({ attributes: { Role: [`${PROVIDER}, ${ROLE}`] } })).xml, key);
    expect((await read(reversed)).subject).toBe("user-123");
    for (const audience of ["https://eu-west-1.signin.aws.amazon.com/saml", "urn:amazon:webservices"]) {
      const xml = sign(samlResponse(good({ audience })).xml, key);
      expect((await read(xml)).issuer).toBe(ENTITY_ID);
    }
    const regional = sign(samlResponse(good({ recipient: "https://us-east-2.signin.aws.amazon.com/saml" })).xml, key);
    expect((await read(regional)).recipient).toBe("https://us-east-2.signin.aws.amazon.com/saml");
  });

  it("reports SubjectType as the NameID Format without the SAML 2.0 prefix", async () => {
    // https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithSAML.html (SubjectType)
    const cases: [string | null, string][] = [
      ["urn:oasis:names:tc:SAML:2.0:nameid-format:transient", "transient"],
      [
        "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
        "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
      ],
      [null, "unspecified"],
    ];
    for (const [nameIdFormat, expected] of cases) {
      const xml = sign(samlResponse(good({ nameIdFormat })).xml, key);
      expect((await read(xml)).subjectType).toBe(expected);
    }
  });

  it("refuses an attribute changed after signing", async () => {
    const xml = sign(samlResponse(good()).xml, key).replace("alice@example.com", "mallory@example.com");
    expect(await refusal(read(xml))).toEqual({
      code: "InvalidIdentityToken",
      status: 400,
      message: "Response signature invalid",
    });
  });

  it("refuses signature wrapping: an unsigned assertion beside the signed one, or in its place", async () => {
    const signed = sign(samlResponse(good()).xml, key);
    const evil = samlResponse(good({ attributes: { RoleSessionName: ["mallory"] } })).xml;
    const evilAssertion = evil.slice(evil.indexOf("<saml:Assertion"), evil.indexOf("</samlp:Response>"));
    const beside = signed.replace("</samlp:Response>", `${evilAssertion}</samlp:Response>`);
    expect((await refusal(read(beside))).code).toBe("InvalidIdentityToken");
    // The signed assertion moved into Extensions and an unsigned one put where it was.
    const start = signed.indexOf("<saml:Assertion");
    const end = signed.indexOf("</samlp:Response>");
    const moved = `${signed.slice(0, start)}<samlp:Extensions>${signed.slice(start, end)}</samlp:Extensions>${evilAssertion}</samlp:Response>`;
    expect(await refusal(read(moved))).toMatchObject({
      code: "InvalidIdentityToken",
      message: "Response signature invalid",
    });
    // The same, with the unsigned assertion taking the signed one's ID.
    const id = /ID="([^"]+)"/.exec(signed.slice(start))?.[1] as string;
    const sameId = moved.replace(/(<saml:Assertion[^>]*ID=")[^"]+"/g, (m, p: string) =>
      m.includes(id) ? m : `${p}${id}"`,
    );
    expect((await refusal(read(sameId))).code).toBe("InvalidIdentityToken");
  });

  it("refuses an unsigned response, and one signed by a key the metadata does not list", async () => {
    expect((await refusal(read(samlResponse(good()).xml))).message).toBe("Response signature invalid");
    expect((await refusal(read(sign(samlResponse(good()).xml, rogue)))).message).toBe("Response signature invalid");
  });

  it("refuses a DOCTYPE, and input that is not base64 XML", async () => {
    const signed = sign(samlResponse(good()).xml, key);
    const withDoctype = `<!DOCTYPE r [<!ENTITY x "alice">]>${signed}`;
    expect(await refusal(read(withDoctype))).toMatchObject({ code: "InvalidIdentityToken" });
    expect((await refusal(readSamlResponse("%%%%", provider, { roleArn: ROLE, now: NOW }))).code).toBe(
      "InvalidIdentityToken",
    );
  });

  it("refuses an audience that is not AWS, and a recipient that is not an AWS sign-in endpoint", async () => {
    const audience = sign(samlResponse(good({ audience: "https://app.example.com" })).xml, key);
    expect(await refusal(read(audience))).toMatchObject({ code: "InvalidIdentityToken", status: 400 });
    const recipient = sign(samlResponse(good({ recipient: "https://evil.example.com/saml" })).xml, key);
    expect((await refusal(read(recipient))).code).toBe("InvalidIdentityToken");
  });

  it("refuses an expired assertion with ExpiredTokenException, allowing the clock skew", async () => {
    const past = sign(
      samlResponse(good({ notBefore: iso(-3_600_000), notOnOrAfter: iso(-CLOCK_SKEW_MS - 1000) })).xml,
      key,
    );
    expect(await refusal(read(past))).toMatchObject({ code: "ExpiredTokenException", status: 400 });
    const skewed = sign(
      samlResponse(good({ notBefore: iso(CLOCK_SKEW_MS - 60_000), notOnOrAfter: iso(-60_000) })).xml,
      key,
    );
    expect((await read(skewed)).subject).toBe("user-123");
    const early = sign(samlResponse(good({ notBefore: iso(CLOCK_SKEW_MS + 60_000) })).xml, key);
    expect((await refusal(read(early))).code).toBe("InvalidIdentityToken");
  });

  it("refuses an issuer other than the metadata's entity id", async () => {
    const xml = sign(samlResponse(good({ issuer: "https://other.example.com" })).xml, key);
    expect((await refusal(read(xml))).message).toBe("Issuer not present in specified provider");
    // The unsigned Response naming another IdP than its signed assertion.
    const mixed = sign(samlResponse(good()).xml, key).replace(
      `<saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">${ENTITY_ID}<`,
      `<saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">https://other.example.com<`,
    );
    expect(mixed).toContain("https://other.example.com");
    expect((await refusal(read(mixed))).message).toBe("Issuer not present in specified provider");
  });

  it("refuses a request for a role the Role attribute does not pair with the provider", async () => {
    const xml = sign(samlResponse(good()).xml, key);
    expect((await refusal(read(xml, `arn:aws:iam::${ACCOUNT}:role/other`))).code).toBe("InvalidIdentityToken");
  });

  it("requires a valid RoleSessionName and SourceIdentity, with AWS's messages", async () => {
    const missing = sign(samlResponse({ attributes: { Role: [`${ROLE},${PROVIDER}`] } }).xml, key);
    expect((await refusal(read(missing))).message).toBe("RoleSessionName is required in AuthnResponse");
    const spaces = sign(samlResponse(good({ attributes: { RoleSessionName: ["John Doe"] } })).xml, key);
    expect((await refusal(read(spaces))).message).toBe(
      "RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}",
    );
    const source = sign(samlResponse(good({ attributes: { SourceIdentity: ["aws:me"] } })).xml, key);
    expect((await refusal(read(source))).message).toBe(
      'Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with "aws:"',
    );
  });

  it("refuses a SessionDuration outside 900..43200 and a passed SessionNotOnOrAfter", async () => {
    const long = sign(samlResponse(good({ attributes: { SessionDuration: ["50000"] } })).xml, key);
    expect((await refusal(read(long))).code).toBe("InvalidIdentityToken");
    const ended = sign(samlResponse(good({ sessionNotOnOrAfter: iso(-1000) })).xml, key);
    expect((await refusal(read(ended))).code).toBe("ExpiredTokenException");
  });

  it("answers IDPRejectedClaim when the IdP's Status is not Success", async () => {
    const xml = sign(samlResponse(good({ status: "urn:oasis:names:tc:SAML:2.0:status:Requester" })).xml, key, {
      target: "response",
    });
    expect(await refusal(read(xml))).toMatchObject({ code: "IDPRejectedClaim", status: 403 });
  });

  it("computes NameQualifier as BASE64(SHA1(issuer + account + '/' + provider name))", async () => {
    // https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithSAML.html (NameQualifier)
    const expected = createHash("sha1").update("https://example.com/saml123456789012/MySAMLIdP").digest("base64");
    expect(await nameQualifier("https://example.com/saml", "123456789012", "MySAMLIdP")).toBe(expected);
  });
});
