// A SAML Response as AssumeRoleWithSAML reads it: decoded, parsed, its signature verified, and the claims of the
// signed assertion checked as AWS documents them. Pure (the clock comes in), so it is tested without a Worker.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_assertions.html
import { AwsError } from "../aws/errors.ts";
import { fromBase64, toBase64, type Bytes } from "../aws/crypto.ts";
import {
  XmlError,
  attribute,
  childElements,
  onlyChild,
  parseXmlDocument,
  textContent,
  type XDocument,
  type XElement,
} from "./saml-xml.ts";
import { DSIG_NS, SignatureError, verifyEnvelopedSignature } from "./xml-dsig.ts";

const PROTOCOL_NS = "urn:oasis:names:tc:SAML:2.0:protocol";
const ASSERTION_NS = "urn:oasis:names:tc:SAML:2.0:assertion";
const SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success";
const BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
const NAMEID_PREFIX = "urn:oasis:names:tc:SAML:2.0:nameid-format:";
export const ATTR = "https://aws.amazon.com/SAML/Attributes/";

/**
 * How far the IdP's clock may be from ours. AWS does not publish its tolerance; five minutes is the usual default of
 * SAML service providers (and of Kerberos), so an IdP a little ahead or behind is not refused.
 */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;

/** The AWS sign-in endpoints an assertion may be addressed to (Recipient) and meant for (Audience). */
const REGION = "[a-z]{2}(?:-[a-z]+)+-\\d+";
const SIGNIN_ENDPOINT = new RegExp(`^https://(?:${REGION}\\.)?signin\\.aws\\.amazon\\.com/(?:static/)?saml$`);
const AUDIENCE = new RegExp(`^(?:https://(?:${REGION}\\.)?signin\\.aws\\.amazon\\.com/saml|urn:amazon:webservices)$`);

/** The provider as IAM stores it, with the signing certificates of its metadata (DER). */
export interface SamlProviderKeys {
  arn: string;
  accountId: string;
  name: string;
  entityId: string;
  certificates: readonly Bytes[];
}

/** What the verified assertion says, ready for the trust policy and the response. */
export interface SamlClaims {
  issuer: string;
  /** The SubjectConfirmationData Recipient: the response's Audience and the trust policy's SAML:aud. */
  recipient: string;
  subject: string;
  subjectType: string;
  roleSessionName: string;
  /** SessionDuration attribute, seconds. */
  sessionDuration?: number;
  /** AuthnStatement SessionNotOnOrAfter, epoch ms. */
  sessionNotOnOrAfter?: number;
  sourceIdentity?: string;
  tags: { Key: string; Value: string }[];
  transitiveTagKeys: string[];
  /** Every attribute by Name, values in order. */
  attributes: ReadonlyMap<string, string[]>;
}

const invalid = (message: string) => new AwsError("InvalidIdentityToken", message);
const signatureInvalid = () => invalid("Response signature invalid");

/** Decodes the base64 SAMLAssertion parameter into the XML text of the Response. */
export function decodeAssertion(encoded: string): string {
  const bytes = fromBase64(encoded.replace(/\s+/g, ""));
  if (!bytes || bytes.length === 0) throw invalid("Invalid base64 SAMLResponse");
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw invalid("Invalid base64 SAMLResponse");
  }
}

function parse(xml: string): XDocument {
  try {
    return parseXmlDocument(xml);
  } catch (e) {
    if (e instanceof XmlError) throw invalid(`Invalid SAML response: ${e.message}`);
    throw e;
  }
}

/**
 * Verifies every signature on the Response and on its one Assertion, and returns the assertion only when a verified
 * signature covers it: the Response's (which covers the whole Response) or the Assertion's own. The assertion is
 * taken from the element the verified Reference names, never looked up again elsewhere in the document.
 */
async function signedAssertion(doc: XDocument, certificates: readonly Bytes[]): Promise<XElement> {
  const response = doc.root;
  if (response.ns !== PROTOCOL_NS || response.local !== "Response")
    throw invalid("Invalid SAML response: not a Response");
  if (childElements(response, ASSERTION_NS, "EncryptedAssertion").length > 0) {
    throw invalid("Invalid SAML response: encrypted assertions are not supported by this simulator");
  }
  const assertions = childElements(response, ASSERTION_NS, "Assertion");
  if (assertions.length !== 1) throw invalid("Invalid SAML response: it must contain exactly one Assertion");
  const assertion = assertions[0] as XElement;
  let covered: XElement | null = null;
  for (const element of [response, assertion]) {
    const signatures = childElements(element, DSIG_NS, "Signature");
    if (signatures.length > 1) throw signatureInvalid();
    const signature = signatures[0];
    if (!signature) continue;
    let signed: XElement;
    try {
      signed = await verifyEnvelopedSignature(doc, signature, certificates);
    } catch (e) {
      if (e instanceof SignatureError || e instanceof XmlError) throw signatureInvalid();
      throw e;
    }
    if (signed === response) covered = childElements(signed, ASSERTION_NS, "Assertion")[0] ?? null;
    else if (covered === null) covered = signed;
  }
  if (covered === null || covered !== assertion) throw signatureInvalid();
  return covered;
}

function instant(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/.test(value) ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) throw invalid(`Invalid SAML response: ${what} is not a date`);
  return ms;
}

/** NotBefore must have come and NotOnOrAfter not yet, each within the clock skew. */
function checkWindow(e: XElement, now: number): void {
  const notBefore = instant(attribute(e, "NotBefore"), "NotBefore");
  const notOnOrAfter = instant(attribute(e, "NotOnOrAfter"), "NotOnOrAfter");
  if (notBefore !== undefined && now + CLOCK_SKEW_MS < notBefore) {
    throw invalid("Invalid SAML response: the assertion is not yet valid (NotBefore)");
  }
  if (notOnOrAfter !== undefined && now - CLOCK_SKEW_MS >= notOnOrAfter) {
    throw new AwsError("ExpiredTokenException", "Token has expired.");
  }
}

/** The one bearer SubjectConfirmation: its data must name an AWS sign-in endpoint and still be valid. */
function checkSubject(assertion: XElement, now: number): { subject: string; subjectType: string; recipient: string } {
  const subject = onlyChild(assertion, ASSERTION_NS, "Subject");
  const nameId = subject ? onlyChild(subject, ASSERTION_NS, "NameID") : null;
  // AWS answers a response without Subject/NameID as it answers a trust policy that refuses.
  if (!subject || !nameId) throw new AwsError("AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML");
  const confirmations = childElements(subject, ASSERTION_NS, "SubjectConfirmation");
  const confirmation = confirmations[0];
  if (confirmations.length !== 1 || !confirmation || attribute(confirmation, "Method") !== BEARER) {
    throw invalid("Invalid SAML response: it must have exactly one bearer SubjectConfirmation");
  }
  const data = onlyChild(confirmation, ASSERTION_NS, "SubjectConfirmationData");
  const recipient = data ? attribute(data, "Recipient") : undefined;
  if (!data || recipient === undefined || attribute(data, "NotOnOrAfter") === undefined) {
    throw invalid("Invalid SAML response: SubjectConfirmationData needs Recipient and NotOnOrAfter");
  }
  if (!SIGNIN_ENDPOINT.test(recipient)) {
    throw invalid(`Invalid SAML response: Recipient ${recipient} is not an AWS sign-in SAML endpoint`);
  }
  checkWindow(data, now);
  const format = attribute(nameId, "Format");
  const subjectType =
    format === undefined
      ? "unspecified"
      : format.startsWith(NAMEID_PREFIX)
        ? format.slice(NAMEID_PREFIX.length)
        : format;
  return { subject: textContent(nameId).trim(), subjectType, recipient };
}

/** Conditions: the validity window, and every AudienceRestriction must name AWS. */
function checkConditions(assertion: XElement, now: number): void {
  const conditions = onlyChild(assertion, ASSERTION_NS, "Conditions");
  const restrictions = conditions ? childElements(conditions, ASSERTION_NS, "AudienceRestriction") : [];
  if (conditions) checkWindow(conditions, now);
  const aws = (r: XElement) =>
    childElements(r, ASSERTION_NS, "Audience").some((a) => AUDIENCE.test(textContent(a).trim()));
  if (restrictions.length === 0 || !restrictions.every(aws)) {
    throw invalid("Invalid SAML response: the assertion's Audience is not AWS (https://signin.aws.amazon.com/saml)");
  }
}

function readAttributes(assertion: XElement): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const statement of childElements(assertion, ASSERTION_NS, "AttributeStatement")) {
    for (const a of childElements(statement, ASSERTION_NS, "Attribute")) {
      const name = attribute(a, "Name");
      if (name === undefined) continue;
      const values = childElements(a, ASSERTION_NS, "AttributeValue").map((v) => textContent(v).trim());
      out.set(name, [...(out.get(name) ?? []), ...values]);
    }
  }
  return out;
}

const NAME_PATTERN = /^[\w+=,.@-]{2,64}$/;
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;
const MAX_TAGS = 50;

/** The role-provider pairs of the Role attribute, either order within a pair, must include the requested one. */
function checkRolePair(attributes: ReadonlyMap<string, string[]>, roleArn: string, providerArn: string): void {
  const pairs = (attributes.get(`${ATTR}Role`) ?? []).map((v) => v.split(",").map((s) => s.trim()));
  const match = pairs.some(
    (p) => p.length === 2 && ((p[0] === roleArn && p[1] === providerArn) || (p[1] === roleArn && p[0] === providerArn)),
  );
  if (!match) {
    throw invalid(`The SAML assertion's Role attribute does not contain the pair ${roleArn},${providerArn}`);
  }
}

function sessionTags(attributes: ReadonlyMap<string, string[]>): { tags: SamlClaims["tags"]; transitive: string[] } {
  const tags: SamlClaims["tags"] = [];
  for (const [name, values] of attributes) {
    if (!name.startsWith(`${ATTR}PrincipalTag:`)) continue;
    const key = name.slice(`${ATTR}PrincipalTag:`.length);
    const value = values[0] ?? "";
    if (!TAG_KEY.test(key) || !TAG_VALUE.test(value))
      throw invalid(`Invalid session tag in the SAML assertion: ${key}`);
    if (tags.some((t) => t.Key.toLowerCase() === key.toLowerCase())) {
      throw invalid("Duplicate tag keys found. Please note that Tag keys are case insensitive.");
    }
    tags.push({ Key: key, Value: value });
  }
  if (tags.length > MAX_TAGS) throw invalid(`The SAML assertion passes more than ${MAX_TAGS} session tags`);
  const transitive = attributes.get(`${ATTR}TransitiveTagKeys`) ?? [];
  for (const key of transitive) {
    if (!tags.some((t) => t.Key.toLowerCase() === key.toLowerCase())) {
      throw invalid(`The transitive tag key ${key} is not among the session tags.`);
    }
  }
  return { tags, transitive };
}

function singleValue(attributes: ReadonlyMap<string, string[]>, name: string): string | undefined {
  return attributes.get(`${ATTR}${name}`)?.[0];
}

/**
 * Reads and checks a SAMLAssertion for a request: signature (with a certificate of the provider's metadata), issuer
 * (the metadata's entity id), Status, subject confirmation, conditions, audience, the Role pair, RoleSessionName,
 * SessionDuration, SourceIdentity and session tags. Throws AWS's errors; returns the claims otherwise.
 */
export async function readSamlResponse(
  encoded: string,
  provider: SamlProviderKeys,
  request: { roleArn: string; now: Date },
): Promise<SamlClaims> {
  const doc = parse(decodeAssertion(encoded));
  const now = request.now.getTime();
  try {
    const assertion = await signedAssertion(doc, provider.certificates);
    const issuerElement = onlyChild(assertion, ASSERTION_NS, "Issuer");
    const issuer = issuerElement ? textContent(issuerElement).trim() : "";
    // The Response's own Issuer, when it has one, must be the same IdP (SAML 2.0 profiles, §4.1.4.2).
    const responseIssuer = onlyChild(doc.root, ASSERTION_NS, "Issuer");
    if (issuer !== provider.entityId || (responseIssuer && textContent(responseIssuer).trim() !== issuer)) {
      throw invalid("Issuer not present in specified provider");
    }
    // The Response's own Status: anything but Success is the IdP rejecting the authentication.
    const status = onlyChild(doc.root, PROTOCOL_NS, "Status");
    const code = status ? onlyChild(status, PROTOCOL_NS, "StatusCode") : null;
    if (code && attribute(code, "Value") !== SUCCESS) {
      throw new AwsError(
        "IDPRejectedClaim",
        `The identity provider rejected the authentication: ${attribute(code, "Value") ?? ""}`,
      );
    }
    const { subject, subjectType, recipient } = checkSubject(assertion, now);
    checkConditions(assertion, now);
    const attributes = readAttributes(assertion);
    checkRolePair(attributes, request.roleArn, provider.arn);

    const roleSessionName = singleValue(attributes, "RoleSessionName");
    if (roleSessionName === undefined) throw invalid("RoleSessionName is required in AuthnResponse");
    if (!NAME_PATTERN.test(roleSessionName)) {
      throw invalid("RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}");
    }
    const sourceIdentity = singleValue(attributes, "SourceIdentity");
    if (sourceIdentity !== undefined && (!NAME_PATTERN.test(sourceIdentity) || /^aws:/i.test(sourceIdentity))) {
      throw invalid('Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with "aws:"');
    }
    const durationText = singleValue(attributes, "SessionDuration");
    const sessionDuration = durationText === undefined ? undefined : Number(durationText);
    if (
      sessionDuration !== undefined &&
      !(/^\d+$/.test(durationText ?? "") && sessionDuration >= 900 && sessionDuration <= 43200)
    ) {
      throw invalid("SessionDuration in AuthnResponse must be an integer from 900 to 43200");
    }
    const authn = childElements(assertion, ASSERTION_NS, "AuthnStatement")[0];
    const sessionNotOnOrAfter = authn
      ? instant(attribute(authn, "SessionNotOnOrAfter"), "SessionNotOnOrAfter")
      : undefined;
    if (sessionNotOnOrAfter !== undefined && now >= sessionNotOnOrAfter) {
      throw new AwsError("ExpiredTokenException", "Token has expired.");
    }
    const { tags, transitive } = sessionTags(attributes);
    return {
      issuer,
      recipient,
      subject,
      subjectType,
      roleSessionName,
      sessionDuration,
      sessionNotOnOrAfter,
      sourceIdentity,
      tags,
      transitiveTagKeys: transitive,
      attributes,
    };
  } catch (e) {
    // onlyChild refuses duplicated elements (two Subjects, two Conditions): the response is malformed.
    if (e instanceof XmlError) throw invalid(`Invalid SAML response: ${e.message}`);
    throw e;
  }
}

/** NameQualifier: BASE64(SHA1(issuer + account id + "/" + provider name)), as the API reference gives it. */
export async function nameQualifier(issuer: string, accountId: string, providerName: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(`${issuer}${accountId}/${providerName}`));
  return toBase64(digest);
}
