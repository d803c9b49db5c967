// XML-DSig verification of signatures made by xml-crypto (an independent signer): every supported algorithm, on the
// Assertion and on the Response, and the refusals (tampering, another key, duplicate IDs, references elsewhere).
import { beforeAll, describe, expect, it } from "vitest";
import { childElements, parseXmlDocument, type XElement } from "../../../src/sts/saml-xml.ts";
import { DSIG_NS, SignatureError, verifyEnvelopedSignature } from "../../../src/sts/xml-dsig.ts";
import { ALG, generateIdpKey, samlResponse, sign, type IdpKey, type SignOptions } from "./saml-kit.ts";

const PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol";
const ASSERTION = "urn:oasis:names:tc:SAML:2.0:assertion";

let key: IdpKey;
let other: IdpKey;
const der = (k: IdpKey) => new Uint8Array(Buffer.from(k.certBase64, "base64"));

beforeAll(async () => {
  [key, other] = await Promise.all([generateIdpKey(), generateIdpKey("other.example.com")]);
});

function signatureOf(xml: string, target: "assertion" | "response") {
  const doc = parseXmlDocument(xml);
  const holder = target === "response" ? doc.root : (childElements(doc.root, ASSERTION, "Assertion")[0] as XElement);
  const signature = childElements(holder, DSIG_NS, "Signature")[0] as XElement;
  return { doc, holder, signature };
}

const COMBINATIONS: [string, SignOptions][] = [
  ["RSA-SHA256, SHA-256, exclusive c14n", {}],
  ["RSA-SHA1, SHA-1, exclusive c14n", { signatureAlgorithm: ALG.rsaSha1, digestAlgorithm: ALG.sha1 }],
  ["inclusive c14n 1.0 for SignedInfo and Reference", { canonicalization: ALG.c14n, transform: ALG.c14n }],
  ["exclusive c14n with comments", { canonicalization: ALG.excC14nComments, transform: ALG.excC14nComments }],
  ["inclusive c14n with comments", { canonicalization: ALG.c14nComments, transform: ALG.c14nComments }],
  ["an InclusiveNamespaces PrefixList", { inclusivePrefixes: ["xs", "xsi"] }],
];

describe("verifyEnvelopedSignature with xml-crypto's signatures", () => {
  for (const target of ["assertion", "response"] as const) {
    for (const [name, options] of COMBINATIONS) {
      it(`verifies a signed ${target}: ${name}`, async () => {
        // Comments and odd namespaces inside the signed element exercise canonicalization.
        const { xml } = samlResponse({
          extra: `<!-- a comment --><saml:Advice xmlns:x="urn:x" x:a="1"><x:note>&amp; &lt;here&gt;</x:note></saml:Advice>`,
          attributes: { RoleSessionName: ["alice"] },
        });
        const signed = sign(xml, key, { ...options, target });
        const { doc, holder, signature } = signatureOf(signed, target);
        await expect(verifyEnvelopedSignature(doc, signature, [der(other), der(key)])).resolves.toBe(holder);
      });
    }
  }

  it("refuses a signed element changed after signing", async () => {
    const signed = sign(samlResponse({ attributes: { RoleSessionName: ["alice"] } }).xml, key);
    const { doc, signature } = signatureOf(signed.replace(">alice<", ">mallory<"), "assertion");
    await expect(verifyEnvelopedSignature(doc, signature, [der(key)])).rejects.toThrow("digest mismatch");
  });

  it("refuses a changed SignedInfo, and a signature no given certificate made", async () => {
    const signed = sign(samlResponse().xml, key);
    const { doc, signature } = signatureOf(signed, "assertion");
    await expect(verifyEnvelopedSignature(doc, signature, [der(other)])).rejects.toThrow(SignatureError);
    const forged = signatureOf(signed.replace("</ds:SignedInfo>", "<ds:Object/></ds:SignedInfo>"), "assertion");
    await expect(verifyEnvelopedSignature(forged.doc, forged.signature, [der(key)])).rejects.toThrow(SignatureError);
  });

  it("refuses a document in which another element carries the signed ID", async () => {
    const { xml, assertionId } = samlResponse();
    const signed = sign(xml, key);
    const twin = signed.replace("<samlp:Status>", `<samlp:Extensions ID="${assertionId}"/><samlp:Status>`);
    const { doc, signature } = signatureOf(twin, "assertion");
    await expect(verifyEnvelopedSignature(doc, signature, [der(key)])).rejects.toThrow("duplicate IDs");
  });

  it("refuses a signature whose Reference names an element other than its parent", async () => {
    const { xml, responseId } = samlResponse();
    const signed = sign(xml, key);
    const { doc, signature } = signatureOf(signed.replace(/URI="#[^"]+"/, `URI="#${responseId}"`), "assertion");
    await expect(verifyEnvelopedSignature(doc, signature, [der(key)])).rejects.toThrow(
      "the Reference does not name the signature's parent",
    );
    expect(childElements(doc.root, PROTOCOL, "Status")).toHaveLength(1);
  });

  it("refuses unsupported algorithms and missing enveloped-signature transforms", async () => {
    const signed = sign(samlResponse().xml, key);
    const noEnveloped = signatureOf(
      signed.replace(/<ds:Transform Algorithm="[^"]*enveloped-signature"\/>/, ""),
      "assertion",
    );
    await expect(verifyEnvelopedSignature(noEnveloped.doc, noEnveloped.signature, [der(key)])).rejects.toThrow(
      "not an enveloped signature",
    );
    const xpath = signatureOf(
      signed.replace(ALG.rsaSha256, "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256"),
      "assertion",
    );
    await expect(verifyEnvelopedSignature(xpath.doc, xpath.signature, [der(key)])).rejects.toThrow(
      "unsupported signature",
    );
  });
});
