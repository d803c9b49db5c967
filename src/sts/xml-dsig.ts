// XML-DSig verification of an enveloped signature (the SAML profile of it): one Reference by ID to the signature's own
// parent, enveloped-signature plus a canonicalization transform, SHA-256/SHA-1 digests, RSA signatures via WebCrypto.
import { X509Certificate } from "@peculiar/x509";
import { fromBase64, type Bytes } from "../aws/crypto.ts";
import { attribute, childElements, onlyChild, textContent, type XDocument, type XElement } from "./saml-xml.ts";
import { C14N, CANONICALIZATIONS, EXC_C14N, EXC_C14N_COMMENTS, canonicalize } from "./xml-c14n.ts";

export const DSIG_NS = "http://www.w3.org/2000/09/xmldsig#";
const ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";

const DIGESTS: Readonly<Record<string, string>> = {
  "http://www.w3.org/2001/04/xmlenc#sha256": "SHA-256",
  "http://www.w3.org/2000/09/xmldsig#sha1": "SHA-1",
};

const SIGNATURES: Readonly<Record<string, string>> = {
  "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256": "SHA-256",
  "http://www.w3.org/2000/09/xmldsig#rsa-sha1": "SHA-1",
};

/** Why a signature was refused; the caller maps every one to AWS's single answer. */
export class SignatureError extends Error {}

const fail = (why: string): never => {
  throw new SignatureError(why);
};

function only(e: XElement, local: string): XElement {
  return onlyChild(e, DSIG_NS, local) ?? fail(`missing ${local}`);
}

function algorithmOf(e: XElement): string {
  return attribute(e, "Algorithm") ?? fail(`${e.local} without an Algorithm`);
}

const base64 = (e: XElement) => fromBase64(textContent(e).replace(/\s+/g, "")) ?? fail(`bad base64 in ${e.local}`);

interface Transforms {
  algorithm: string;
  inclusivePrefixes: string[];
}

/** The Reference's transforms: enveloped-signature (required), then at most one canonicalization. */
function readTransforms(reference: XElement): Transforms {
  const list = onlyChild(reference, DSIG_NS, "Transforms");
  const transforms = list ? childElements(list, DSIG_NS, "Transform") : [];
  if (list && list.children.some((c) => c.kind === "element" && !transforms.includes(c))) fail("unknown transform");
  let enveloped = false;
  // A node-set left at the end of the transforms becomes octets through Canonical XML 1.0 (XML-DSig §4.4.3.2).
  let result: Transforms = { algorithm: C14N, inclusivePrefixes: [] };
  let canonicalizations = 0;
  for (const t of transforms) {
    const algorithm = algorithmOf(t);
    if (algorithm === ENVELOPED && !enveloped) enveloped = true;
    else if (CANONICALIZATIONS.has(algorithm) && ++canonicalizations === 1) {
      result = { algorithm, inclusivePrefixes: inclusivePrefixesOf(t, algorithm) };
    } else fail(`unsupported transform ${algorithm}`);
  }
  if (!enveloped) fail("the signature is not an enveloped signature");
  return result;
}

/** The PrefixList of an exclusive canonicalization's InclusiveNamespaces element. */
function inclusivePrefixesOf(e: XElement, algorithm: string): string[] {
  if (algorithm !== EXC_C14N && algorithm !== EXC_C14N_COMMENTS) return [];
  const inclusive = onlyChild(e, EXC_C14N, "InclusiveNamespaces");
  return (inclusive ? (attribute(inclusive, "PrefixList") ?? "") : "").split(/\s+/).filter((p) => p !== "");
}

/** The RSA public keys of certificates (DER); a certificate that is not RSA or does not parse is skipped. */
async function rsaKeys(certificates: readonly Bytes[], hash: string): Promise<CryptoKey[]> {
  const keys: CryptoKey[] = [];
  for (const der of certificates) {
    try {
      const spki = new X509Certificate(der).publicKey.rawData;
      keys.push(await crypto.subtle.importKey("spki", spki, { name: "RSASSA-PKCS1-v1_5", hash }, false, ["verify"]));
    } catch {
      // Not an RSA key (or not a certificate): it cannot have made an RSA signature.
    }
  }
  return keys;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let k = 0; k < a.length; k++) diff |= (a[k] as number) ^ (b[k] as number);
  return diff === 0;
}

/**
 * Verifies an enveloped `ds:Signature` and returns the element it signs, the only one whose data may be trusted.
 * The Reference must name, by a bare `#ID`, the signature's own parent, and that ID must belong to no other element
 * of the document (signature wrapping moves the signed element and puts another with the same ID in its place).
 * The signature must verify with the RSA key of one of `certificates`.
 */
export async function verifyEnvelopedSignature(
  doc: XDocument,
  signature: XElement,
  certificates: readonly Bytes[],
): Promise<XElement> {
  const signed = signature.parent ?? fail("a signature without a parent");
  const signedInfo = only(signature, "SignedInfo");
  const c14nMethod = only(signedInfo, "CanonicalizationMethod");
  const c14nAlgorithm = algorithmOf(c14nMethod);
  if (!CANONICALIZATIONS.has(c14nAlgorithm)) fail(`unsupported canonicalization ${c14nAlgorithm}`);
  const signatureHash = SIGNATURES[algorithmOf(only(signedInfo, "SignatureMethod"))] ?? fail("unsupported signature");
  const references = childElements(signedInfo, DSIG_NS, "Reference");
  if (references.length !== 1) fail("a SAML signature has exactly one Reference");
  const reference = references[0] as XElement;

  const uri = attribute(reference, "URI") ?? "";
  if (!uri.startsWith("#") || uri.length < 2) fail("the Reference must name an element by ID");
  const holders = doc.ids.get(uri.slice(1)) ?? [];
  if (holders.length !== 1) fail(holders.length === 0 ? "no element has the referenced ID" : "duplicate IDs");
  if (holders[0] !== signed) fail("the Reference does not name the signature's parent");

  const transforms = readTransforms(reference);
  const digestHash = DIGESTS[algorithmOf(only(reference, "DigestMethod"))] ?? fail("unsupported digest");
  const expectedDigest = base64(only(reference, "DigestValue"));
  // A bare-name `#ID` reference selects the element without comments (XML-DSig §4.4.3.3), whatever the transform.
  const octets = canonicalize(signed, {
    algorithm: transforms.algorithm,
    inclusivePrefixes: transforms.inclusivePrefixes,
    exclude: signature,
    dropComments: true,
  });
  const digest = new Uint8Array(await crypto.subtle.digest(digestHash, new TextEncoder().encode(octets)));
  if (!equalBytes(digest, expectedDigest)) fail("digest mismatch");

  const signedInfoOctets = canonicalize(signedInfo, {
    algorithm: c14nAlgorithm,
    inclusivePrefixes: inclusivePrefixesOf(c14nMethod, c14nAlgorithm),
  });
  const value = base64(only(signature, "SignatureValue"));
  const data = new TextEncoder().encode(signedInfoOctets);
  for (const key of await rsaKeys(certificates, signatureHash)) {
    if (await crypto.subtle.verify("RSASSA-PKCS1-v1_5", key, value, data)) return signed;
  }
  return fail("no certificate of the provider verifies the signature");
}
