// Writes test/fixtures/saml/fixtures.json: IdP metadata and SAML Responses signed by xml-crypto (an independent
// signer) with keys generated here for the tests, never real ones. The workerd tests cannot run xml-crypto (it needs
// node's crypto), so they read these. Validity windows run to 2099 (the expired one ended in 2021).
// Run: npx tsx scripts/build-saml-fixtures.ts
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ACCOUNT, ALG, b64, generateIdpKey, metadataFor, samlResponse, sign } from "../test/unit/sts/saml-kit.ts";

const OUT = resolve(dirname(fileURLToPath(import.meta.url)), "../test/fixtures/saml/fixtures.json");
const PROVIDER = `arn:aws:iam::${ACCOUNT}:saml-provider/Corp`;
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

const FROM = "2020-01-01T00:00:00Z";
const UNTIL = "2099-01-01T00:00:00Z";
const ROLES = ["saml-dev", "saml-aud", "saml-tags", "saml-notag", "saml-nosource"];

const key = await generateIdpKey();
const rogue = await generateIdpKey("rogue.example.com");

const attributes = (sessionName: string, extra: Record<string, string[]> = {}) => ({
  // Pairs in both orders, as AWS accepts either.
  Role: ROLES.map((r, k) => (k % 2 === 0 ? `${role(r)},${PROVIDER}` : `${PROVIDER},${role(r)}`)),
  RoleSessionName: [sessionName],
  ...extra,
});

const window = { notBefore: FROM, notOnOrAfter: UNTIL };
const fixtures = {
  providerArn: PROVIDER,
  metadata: metadataFor(key),
  responses: {
    valid: b64(sign(samlResponse({ ...window, nameId: "alice-id", attributes: attributes("alice") }).xml, key)),
    responseSigned: b64(
      sign(
        samlResponse({
          ...window,
          nameId: "bob-id",
          nameIdFormat: "urn:oasis:names:tc:SAML:2.0:nameid-format:transient",
          attributes: attributes("bob"),
        }).xml,
        key,
        {
          target: "response",
          signatureAlgorithm: ALG.rsaSha1,
          digestAlgorithm: ALG.sha1,
          canonicalization: ALG.c14n,
          transform: ALG.c14n,
        },
      ),
    ),
    tagged: b64(
      sign(
        samlResponse({
          ...window,
          nameId: "carol-id",
          attributes: attributes("carol", {
            "PrincipalTag:Project": ["Marketing"],
            TransitiveTagKeys: ["Project"],
            SourceIdentity: ["carol"],
            SessionDuration: ["1800"],
            "urn:oid:1.3.6.1.4.1.5923.1.1.1.1": ["staff", "member"],
          }),
        }).xml,
        key,
      ),
    ),
    wrongAudience: b64(
      sign(samlResponse({ ...window, audience: "https://app.example.com", attributes: attributes("dave") }).xml, key),
    ),
    expired: b64(
      sign(
        samlResponse({ notBefore: FROM, notOnOrAfter: "2021-01-01T00:00:00Z", attributes: attributes("erin") }).xml,
        key,
      ),
    ),
    rogue: b64(sign(samlResponse({ ...window, attributes: attributes("mallory") }).xml, rogue)),
  },
};

mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, `${JSON.stringify(fixtures, null, 2)}\n`);
console.log(`wrote ${OUT}`);
