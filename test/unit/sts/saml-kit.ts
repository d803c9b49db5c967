// Test kit for SAML: an IdP key and self-signed certificate generated at run time, metadata naming it, SAML Responses
// built from options, and signatures made by xml-crypto (an independent XML-DSig implementation, not ours).
import * as x509 from "@peculiar/x509";
import { SignedXml } from "xml-crypto";

export const ACCOUNT = "123456789012";
export const ENTITY_ID = "https://idp.example.com/saml";
export const AWS_SAML = "https://signin.aws.amazon.com/saml";

export interface IdpKey {
  privateKeyPem: string;
  certPem: string;
  /** The certificate's base64 DER, as metadata carries it. */
  certBase64: string;
}

const pem = (label: string, der: ArrayBuffer) =>
  `-----BEGIN ${label}-----\n${(
    Buffer.from(der)
      .toString("base64")
      .match(/.{1,64}/g) ?? []
  ).join("\n")}\n-----END ${label}-----\n`;

export async function generateIdpKey(cn = "idp.example.com"): Promise<IdpKey> {
  const alg = {
    name: "RSASSA-PKCS1-v1_5",
    modulusLength: 2048,
    publicExponent: new Uint8Array([1, 0, 1]),
    hash: "SHA-256",
  };
  const keys = (await crypto.subtle.generateKey(alg, true, ["sign", "verify"])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(crypto.getRandomValues(new Uint8Array(8))).toString("hex"),
    name: `CN=${cn}`,
    notBefore: new Date("2024-01-01T00:00:00Z"),
    notAfter: new Date("2099-01-01T00:00:00Z"),
    keys,
    signingAlgorithm: alg,
  });
  const der = cert.rawData;
  return {
    privateKeyPem: pem("PRIVATE KEY", (await crypto.subtle.exportKey("pkcs8", keys.privateKey)) as ArrayBuffer),
    certPem: pem("CERTIFICATE", der),
    certBase64: Buffer.from(der).toString("base64"),
  };
}

/** IdP metadata as CreateSAMLProvider takes it (padded past the model's 1,000-character minimum). */
export function metadataFor(key: IdpKey, entityId = ENTITY_ID): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${entityId}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
        <ds:X509Data><ds:X509Certificate>${key.certBase64}</ds:X509Certificate></ds:X509Data>
      </ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${entityId}/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
`;
}

export interface ResponseOptions {
  issuer?: string;
  nameId?: string;
  nameIdFormat?: string | null;
  recipient?: string;
  audience?: string;
  notBefore?: string;
  notOnOrAfter?: string;
  status?: string;
  /** Attribute name (the part after https://aws.amazon.com/SAML/Attributes/ unless it has a scheme) → values. */
  attributes?: Record<string, string[]>;
  sessionNotOnOrAfter?: string;
  /** Extra XML placed inside the Assertion before the Subject (comments, odd namespaces). */
  extra?: string;
}

const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");

let counter = 0;
const newId = () => `_${Date.now().toString(16)}${(counter++).toString(16)}${Math.random().toString(16).slice(2, 10)}`;

/** A SAML 2.0 Response with one Assertion, unsigned. Ids are unique per call. */
export function samlResponse(o: ResponseOptions = {}): { xml: string; responseId: string; assertionId: string } {
  const responseId = newId();
  const assertionId = newId();
  const issuer = o.issuer ?? ENTITY_ID;
  const notBefore = o.notBefore ?? new Date(Date.now() - 60_000).toISOString();
  const notOnOrAfter = o.notOnOrAfter ?? new Date(Date.now() + 600_000).toISOString();
  const format = o.nameIdFormat === undefined ? "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent" : o.nameIdFormat;
  const attributes = Object.entries(o.attributes ?? {})
    .map(([name, values]) => {
      const full =
        name.includes(":") && /^[a-z]+:/.test(name) ? name : `https://aws.amazon.com/SAML/Attributes/${name}`;
      return `<saml:Attribute Name="${escape(full)}">${values
        .map(
          (v) =>
            `<saml:AttributeValue xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">${escape(v)}</saml:AttributeValue>`,
        )
        .join("")}</saml:Attribute>`;
    })
    .join("\n      ");
  const session = o.sessionNotOnOrAfter ? ` SessionNotOnOrAfter="${o.sessionNotOnOrAfter}"` : "";
  const xml = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="${responseId}" Version="2.0" IssueInstant="${notBefore}" Destination="${escape(o.recipient ?? AWS_SAML)}">
  <saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">${escape(issuer)}</saml:Issuer>
  <samlp:Status><samlp:StatusCode Value="${o.status ?? "urn:oasis:names:tc:SAML:2.0:status:Success"}"/></samlp:Status>
  <saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${assertionId}" Version="2.0" IssueInstant="${notBefore}">
    <saml:Issuer>${escape(issuer)}</saml:Issuer>${o.extra ?? ""}
    <saml:Subject>
      <saml:NameID${format === null ? "" : ` Format="${format}"`}>${escape(o.nameId ?? "user-123")}</saml:NameID>
      <saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
        <saml:SubjectConfirmationData NotOnOrAfter="${notOnOrAfter}" Recipient="${escape(o.recipient ?? AWS_SAML)}"/>
      </saml:SubjectConfirmation>
    </saml:Subject>
    <saml:Conditions NotBefore="${notBefore}" NotOnOrAfter="${notOnOrAfter}">
      <saml:AudienceRestriction><saml:Audience>${escape(o.audience ?? AWS_SAML)}</saml:Audience></saml:AudienceRestriction>
    </saml:Conditions>
    <saml:AuthnStatement AuthnInstant="${notBefore}"${session}><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>
    <saml:AttributeStatement>
      ${attributes}
    </saml:AttributeStatement>
  </saml:Assertion>
</samlp:Response>`;
  return { xml, responseId, assertionId };
}

export interface SignOptions {
  /** What to sign: the Assertion (default) or the whole Response. */
  target?: "assertion" | "response";
  signatureAlgorithm?: string;
  digestAlgorithm?: string;
  /** The SignedInfo canonicalization. */
  canonicalization?: string;
  /** The Reference's canonicalization transform. */
  transform?: string;
  inclusivePrefixes?: string[];
}

export const ALG = {
  rsaSha256: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
  rsaSha1: "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
  sha256: "http://www.w3.org/2001/04/xmlenc#sha256",
  sha1: "http://www.w3.org/2000/09/xmldsig#sha1",
  excC14n: "http://www.w3.org/2001/10/xml-exc-c14n#",
  excC14nComments: "http://www.w3.org/2001/10/xml-exc-c14n#WithComments",
  c14n: "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
  c14nComments: "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments",
  enveloped: "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
};

/** Signs the Assertion or the Response with xml-crypto: an enveloped signature placed after its Issuer. */
export function sign(xml: string, key: IdpKey, o: SignOptions = {}): string {
  const target = o.target ?? "assertion";
  const local = target === "assertion" ? "Assertion" : "Response";
  const sig = new SignedXml({
    privateKey: key.privateKeyPem,
    publicCert: key.certPem,
    signatureAlgorithm: o.signatureAlgorithm ?? ALG.rsaSha256,
    canonicalizationAlgorithm: o.canonicalization ?? ALG.excC14n,
  });
  sig.addReference({
    xpath: `//*[local-name(.)='${local}']`,
    digestAlgorithm: o.digestAlgorithm ?? ALG.sha256,
    transforms: [ALG.enveloped, o.transform ?? ALG.excC14n],
    inclusiveNamespacesPrefixList: o.inclusivePrefixes,
  });
  sig.computeSignature(xml, {
    prefix: "ds",
    location: { reference: `//*[local-name(.)='${local}']/*[local-name(.)='Issuer']`, action: "after" },
  });
  return sig.getSignedXml();
}

export const b64 = (xml: string) => Buffer.from(xml, "utf8").toString("base64");
