// STS AssumeRoleWithSAML (unsigned): a SAML Response verified against its provider's metadata, then the trust policy.
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithSAML.html
import { z } from "zod";
import { AwsError } from "../aws/errors";
import type { Operation, OperationContext } from "../core/operation";
import type { RoleSessionInfo } from "../core/principal";
import type { ContextValue } from "../engine/index";
import { findProvider, SAML, type SamlProviderRow } from "../store/providers";
import { findRole } from "../store/roles";
import { str } from "../api/validation";
import { fromBase64, type Bytes } from "../aws/crypto";
import { parseXml, type XmlElement } from "../iam/saml-metadata";
import { issueRoleSession } from "./credentials";
import { requestKeys, trustAllows } from "./federated-trust";
import { assumeRoleDuration, policyArns, roleArn, sessionPolicy } from "./fields";
import { nameQualifier, readSamlResponse, type SamlClaims, type SamlProviderKeys } from "./saml-assertion";
import { packedPolicySize, resolveSessionPolicies } from "./session-policies";

const input = z.object({
  RoleArn: roleArn,
  PrincipalArn: roleArn,
  SAMLAssertion: str({ min: 4, max: 100000 }),
  PolicyArns: policyArns.optional(),
  Policy: sessionPolicy.optional(),
  DurationSeconds: assumeRoleDuration.optional(),
});
type Input = z.infer<typeof input>;

const ACTION = "sts:AssumeRoleWithSAML";
const ROLE_ARN = /^arn:aws(?:-[a-z]+(?:-[a-z])?)?:iam::(\d{12}):role\/(?:[\u0021-\u007E]*\/)?([\w+=,.@-]+)$/u;
const PROVIDER_ARN = /^arn:aws(?:-[a-z]+(?:-[a-z])?)?:iam::(\d{12}):saml-provider\/([\w._-]+)$/u;
/** Without DurationSeconds the credentials last an hour; the SessionDuration attribute may only shorten that. */
const DEFAULT_SECONDS = 3600;

/**
 * SAML attributes AWS maps to trust-policy keys `saml:<key>`, by attribute Name: eduPerson and eduOrg OIDs (lists
 * unless marked single), Active Directory claims and X.500 attributes.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_assertions.html#saml-attribute-mapping
 */
const ATTRIBUTE_KEYS: Readonly<Record<string, { key: string; list: boolean }>> = {
  "urn:oid:1.3.6.1.4.1.5923.1.1.1.1": { key: "edupersonaffiliation", list: true },
  "urn:oid:1.3.6.1.4.1.5923.1.1.1.2": { key: "edupersonnickname", list: true },
  "urn:oid:1.3.6.1.4.1.5923.1.1.1.3": { key: "edupersonorgdn", list: false },
  "urn:oid:1.3.6.1.4.1.5923.1.1.1.4": { key: "edupersonorgunitdn", list: true },
  "urn:oid:1.3.6.1.4.1.5923.1.1.1.5": { key: "edupersonprimaryaffiliation", list: false },
  "urn:oid:1.3.6.1.4.1.5923.1.1.1.6": { key: "edupersonprincipalname", list: false },
  "urn:oid:1.3.6.1.4.1.5923.1.1.1.7": { key: "edupersonentitlement", list: true },
  "urn:oid:1.3.6.1.4.1.5923.1.1.1.8": { key: "edupersonprimaryorgunitdn", list: false },
  "urn:oid:1.3.6.1.4.1.5923.1.1.1.9": { key: "edupersonscopedaffiliation", list: true },
  "urn:oid:1.3.6.1.4.1.5923.1.1.1.10": { key: "edupersontargetedid", list: true },
  "urn:oid:1.3.6.1.4.1.5923.1.1.1.11": { key: "edupersonassurance", list: true },
  "urn:oid:1.3.6.1.4.1.5923.1.2.1.2": { key: "eduorghomepageuri", list: true },
  "urn:oid:1.3.6.1.4.1.5923.1.2.1.3": { key: "eduorgidentityauthnpolicyuri", list: true },
  "urn:oid:1.3.6.1.4.1.5923.1.2.1.4": { key: "eduorglegalname", list: true },
  "urn:oid:1.3.6.1.4.1.5923.1.2.1.5": { key: "eduorgsuperioruri", list: true },
  "urn:oid:1.3.6.1.4.1.5923.1.2.1.6": { key: "eduorgwhitepagesuri", list: true },
  "urn:oid:2.5.4.3": { key: "cn", list: true },
  "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name": { key: "name", list: false },
  "http://schemas.xmlsoap.org/claims/CommonName": { key: "commonName", list: false },
  "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname": { key: "givenName", list: false },
  "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname": { key: "surname", list: false },
  "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress": { key: "mail", list: false },
  "http://schemas.microsoft.com/ws/2008/06/identity/claims/primarygroupsid": { key: "uid", list: false },
  "2.5.4.3": { key: "commonName", list: false },
  "2.5.4.4": { key: "surname", list: false },
  "2.4.5.42": { key: "givenName", list: false },
  "2.5.4.45": { key: "x500UniqueIdentifier", list: false },
  "0.9.2342.19200300100.1.1": { key: "uid", list: false },
  "0.9.2342.19200300100.1.3": { key: "mail", list: false },
  "0.9.2342.19200300.100.1.45": { key: "organizationStatus", list: false },
};

function parseArn(arn: string, pattern: RegExp, what: string): { accountId: string; name: string } {
  const m = pattern.exec(arn);
  if (!m) throw new AwsError("ValidationError", `${arn} is not a valid ${what} ARN.`);
  return { accountId: m[1] as string, name: m[2] as string };
}

/** AWS's single answer when the trust policy (or a missing role) refuses. */
const notAuthorized = () => new AwsError("AccessDenied", `Not authorized to perform ${ACTION}`);

const descendants = (e: XmlElement, name: string): XmlElement[] =>
  e.children.flatMap((c) => [...(c.name === name ? [c] : []), ...descendants(c, name)]);

/** The signing certificates of stored metadata (IDPSSODescriptor KeyDescriptors without `use` or for signing). */
export function metadataCertificates(metadata: string): Bytes[] {
  const root = parseXml(metadata);
  return root.children
    .filter((c) => c.name === "IDPSSODescriptor")
    .flatMap((idp) => idp.children)
    .filter((k) => k.name === "KeyDescriptor" && (k.attributes.get("use") ?? "signing") === "signing")
    .flatMap((k) => descendants(k, "X509Certificate"))
    .map((c) => fromBase64(c.text.replace(/\s+/g, "")))
    .filter((der): der is NonNullable<typeof der> => der !== null && der.length > 0);
}

async function loadProvider(ctx: OperationContext, arn: string, roleAccountId: string): Promise<SamlProviderKeys> {
  const { accountId, name } = parseArn(arn, PROVIDER_ARN, "SAML provider");
  const row: SamlProviderRow | undefined =
    accountId === roleAccountId ? await findProvider(ctx.db, SAML, accountId, arn) : undefined;
  if (!row) throw new AwsError("InvalidIdentityToken", "Specified provider doesn't exist.");
  if (ctx.now.getTime() >= row.validUntil) {
    throw new AwsError("InvalidIdentityToken", "The SAML provider's metadata has expired (validUntil).");
  }
  return { arn, accountId, name, entityId: row.entityId, certificates: metadataCertificates(row.metadata) };
}

/** The trust policy's request context: the saml: keys, the session's tags and source identity, the request's keys. */
function trustContext(
  ctx: OperationContext,
  provider: SamlProviderKeys,
  claims: SamlClaims,
  qualifier: string,
): Record<string, ContextValue> {
  const keys: Record<string, ContextValue> = Object.create(null) as Record<string, ContextValue>;
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-saml
  for (const [name, values] of claims.attributes) {
    const mapped = Object.hasOwn(ATTRIBUTE_KEYS, name) ? ATTRIBUTE_KEYS[name] : undefined;
    if (mapped && values.length > 0) keys[`saml:${mapped.key}`] = mapped.list ? values : (values[0] as string);
  }
  keys["saml:aud"] = claims.recipient;
  keys["saml:iss"] = claims.issuer;
  keys["saml:sub"] = claims.subject;
  keys["saml:sub_type"] = claims.subjectType;
  keys["saml:doc"] = `${provider.accountId}/${provider.name}`;
  keys["saml:namequalifier"] = qualifier;
  keys["aws:FederatedProvider"] = provider.arn;
  keys["sts:RoleSessionName"] = claims.roleSessionName;
  if (claims.sourceIdentity !== undefined) keys["sts:SourceIdentity"] = claims.sourceIdentity;
  for (const t of claims.tags) keys[`aws:RequestTag/${t.Key}`] = t.Value;
  if (claims.tags.length > 0) keys["aws:TagKeys"] = claims.tags.map((t) => t.Key);
  if (claims.transitiveTagKeys.length > 0) keys["sts:TransitiveTagKeys"] = claims.transitiveTagKeys;
  return requestKeys(ctx, keys);
}

/**
 * The session's length: DurationSeconds (an hour without it; over the role's MaxSessionDuration is refused), cut by
 * the SessionDuration attribute and by the AuthnStatement's SessionNotOnOrAfter, whichever is shortest.
 */
function sessionSeconds(ctx: OperationContext, i: Input, claims: SamlClaims, maxSession: number): number {
  const asked = i.DurationSeconds ?? DEFAULT_SECONDS;
  if (asked > maxSession) {
    throw new AwsError(
      "ValidationError",
      "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    );
  }
  let seconds = Math.min(asked, claims.sessionDuration ?? asked);
  if (claims.sessionNotOnOrAfter !== undefined) {
    seconds = Math.min(seconds, Math.floor((claims.sessionNotOnOrAfter - ctx.now.getTime()) / 1000));
  }
  return Math.max(seconds, 1);
}

export const assumeRoleWithSaml: Operation<typeof input> = {
  service: "sts",
  name: "AssumeRoleWithSAML",
  input,
  // The caller is known only once the assertion is verified, so the handler authorizes (trust policy) itself.
  action: null,
  resource: (i) => i.RoleArn,
  unsigned: true,
  run: async (i, ctx) => {
    const { accountId, name } = parseArn(i.RoleArn, ROLE_ARN, "role");
    const provider = await loadProvider(ctx, i.PrincipalArn, accountId);
    const claims = await readSamlResponse(i.SAMLAssertion, provider, { roleArn: i.RoleArn, now: ctx.now });
    const qualifier = await nameQualifier(claims.issuer, provider.accountId, provider.name);

    const role = await findRole(ctx.db, accountId, name);
    if (!role || role.arn !== i.RoleArn || role.assumeRolePolicy === "") throw notAuthorized();
    const context = trustContext(ctx, provider, claims, qualifier);
    // Session tags need sts:TagSession and a source identity sts:SetSourceIdentity, on the same trust policy.
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_saml.html#troubleshoot_saml_missing-role
    const actions = [
      ACTION,
      ...(claims.tags.length > 0 ? ["sts:TagSession"] : []),
      ...(claims.sourceIdentity !== undefined ? ["sts:SetSourceIdentity"] : []),
    ];
    if (!trustAllows(role, provider.arn, actions, context)) throw notAuthorized();

    const duration = sessionSeconds(ctx, i, claims, role.maxSessionDuration);
    const tags: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const t of claims.tags) tags[t.Key] = t.Value;
    const sessionCtx = { ...ctx, accountId: role.accountId };
    const arns = await resolveSessionPolicies(sessionCtx, i);
    const packed = packedPolicySize(i, tags);
    const session: RoleSessionInfo = {
      roleId: role.id,
      roleName: role.name,
      roleArn: role.arn,
      sessionName: claims.roleSessionName,
      policy: i.Policy,
      policyArns: arns,
      tags,
      transitiveTagKeys: claims.transitiveTagKeys,
      sourceIdentity: claims.sourceIdentity,
      chained: false,
    };
    const issued = await issueRoleSession(ctx, role.accountId, session, duration, false);
    return {
      Credentials: issued.Credentials,
      AssumedRoleUser: issued.AssumedRoleUser,
      PackedPolicySize: packed,
      Subject: claims.subject,
      SubjectType: claims.subjectType,
      Issuer: claims.issuer,
      Audience: claims.recipient,
      NameQualifier: qualifier,
      SourceIdentity: claims.sourceIdentity,
    };
  },
};
