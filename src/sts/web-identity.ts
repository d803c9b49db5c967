// STS AssumeRoleWithWebIdentity (unsigned): an OIDC token verified against its provider's keys, then the trust policy.
import { partitionOfArn } from "../aws/arn";
import { z } from "zod";
import { AwsError } from "../aws/errors";
import type { Operation, OperationContext } from "../core/operation";
import type { RoleSessionInfo } from "../core/principal";
import type { ContextValue } from "../engine/index";
import { findProvider, OIDC } from "../store/providers";
import { findRole } from "../store/roles";
import { issueRoleSession } from "./credentials";
import { requestKeys, trustAllows } from "./federated-trust";
import { assumeRoleDuration, policyArns, roleArn, roleSessionName, sessionPolicy } from "./fields";
import { fetchableUrl, issuerKeys, type Fetcher } from "./jwks";
import { checkClaims, decodeJwt, requireSignature, TokenError, type DecodedJwt } from "./jwt";
import { packedPolicySize, resolveSessionPolicies } from "./session-policies";
import { str } from "../api/validation";

const input = z.object({
  RoleArn: roleArn,
  RoleSessionName: roleSessionName,
  WebIdentityToken: str({ min: 4, max: 20000 }),
  ProviderId: str({ min: 4, max: 2048 }).optional(),
  PolicyArns: policyArns.optional(),
  Policy: sessionPolicy.optional(),
  DurationSeconds: assumeRoleDuration.optional(),
});
type Input = z.infer<typeof input>;

const ACTION = "sts:AssumeRoleWithWebIdentity";
const ROLE_ARN = /^arn:aws(?:-[a-z]+(?:-[a-z])?)?:iam::(\d{12}):role\/(?:[\u0021-\u007E]*\/)?([\w+=,.@-]+)$/u;
const DEFAULT_SECONDS = 3600;

/** The Worker's own fetch; tests of the pieces pass theirs to `issuerKeys` directly. */
const workerFetch: Fetcher = (url, init) => fetch(url, init);

function parseRoleArn(arn: string): { accountId: string; name: string } {
  const m = ROLE_ARN.exec(arn);
  if (!m) throw new AwsError("ValidationError", `${arn} is not a valid role ARN.`);
  return { accountId: m[1] as string, name: m[2] as string };
}

function asAwsError(e: unknown): unknown {
  return e instanceof TokenError ? new AwsError(e.code, e.message) : e;
}

/**
 * The provider's identity as IAM stores it: the issuer URL without its scheme or trailing slash, host lower-cased
 * (the same normalization CreateOpenIDConnectProvider applies), or null for an issuer no provider could have.
 */
export function providerUrlOf(issuer: string, localRequest: boolean): string | null {
  const url = fetchableUrl(issuer, localRequest);
  if (!url || url.search !== "" || url.hash !== "") return null;
  return `${url.host.toLowerCase()}${url.pathname.replace(/\/+$/, "")}`;
}

/** AWS's single answer when the trust policy (or a missing role) refuses: nothing says which. */
const notAuthorized = () => new AwsError("AccessDenied", `Not authorized to perform ${ACTION}`);

interface Verified {
  jwt: DecodedJwt;
  providerArn: string;
  providerUrl: string;
  audience: string;
}

/** Provider lookup by issuer in the role's account, signature against the issuer's keys, then the claims. */
async function verifyToken(ctx: OperationContext, i: Input, accountId: string): Promise<Verified> {
  const jwt = decodeJwt(i.WebIdentityToken);
  const local = ctx.localRequest === true;
  const providerUrl = providerUrlOf(jwt.claims.iss, local);
  const missing = () =>
    new AwsError("InvalidIdentityToken", `No OpenIDConnect provider found in your account for ${jwt.claims.iss}`);
  if (providerUrl === null) throw missing();
  // The provider is in the role's partition.
  const providerArn = `arn:${partitionOfArn(i.RoleArn)}:iam::${accountId}:oidc-provider/${providerUrl}`;
  const provider = await findProvider(ctx.db, OIDC, accountId, providerArn);
  if (!provider) throw missing();
  const keys = await issuerKeys(workerFetch, jwt.claims.iss, {
    now: ctx.now.getTime(),
    localRequest: local,
    wantKid: jwt.header.kid,
  });
  await requireSignature(jwt, keys);
  const clientIds = JSON.parse(provider.clientIds) as string[];
  const audience = checkClaims(jwt.claims, { issuer: jwt.claims.iss, clientIds, now: ctx.now });
  return { jwt, providerArn, providerUrl, audience };
}

/** The request context of the trust policy: the provider's claim keys, the federated provider and the request's. */
function trustContext(ctx: OperationContext, i: Input, v: Verified): Record<string, ContextValue> {
  const keys: Record<string, ContextValue> = Object.create(null) as Record<string, ContextValue>;
  const c = v.jwt.claims;
  // AWS documents <provider>:aud as the azp claim when a token has one (the audience then moves to :oaud).
  keys[`${v.providerUrl}:aud`] = c.azp ?? v.audience;
  if (c.azp !== undefined) keys[`${v.providerUrl}:oaud`] = c.aud.length === 1 ? (c.aud[0] as string) : c.aud;
  keys[`${v.providerUrl}:sub`] = c.sub;
  if (c.amr !== undefined) keys[`${v.providerUrl}:amr`] = c.amr;
  keys["aws:FederatedProvider"] = v.providerArn;
  keys["sts:RoleSessionName"] = i.RoleSessionName;
  return requestKeys(ctx, keys);
}

export const assumeRoleWithWebIdentity: Operation<typeof input> = {
  service: "sts",
  name: "AssumeRoleWithWebIdentity",
  input,
  // The caller is known only once the token is verified, so the handler authorizes (trust policy) itself.
  action: null,
  resource: (i) => i.RoleArn,
  unsigned: true,
  run: async (i, ctx) => {
    const { accountId, name } = parseRoleArn(i.RoleArn);
    let verified: Verified;
    try {
      verified = await verifyToken(ctx, i, accountId);
    } catch (e) {
      throw asAwsError(e);
    }
    const role = await findRole(ctx.db, accountId, name);
    if (!role || role.arn !== i.RoleArn || role.assumeRolePolicy === "") throw notAuthorized();
    if (!trustAllows(role, verified.providerArn, [ACTION], trustContext(ctx, i, verified))) throw notAuthorized();

    const duration = i.DurationSeconds ?? DEFAULT_SECONDS;
    if (duration > role.maxSessionDuration) {
      throw new AwsError(
        "ValidationError",
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
      );
    }
    const sessionCtx = { ...ctx, accountId: role.accountId };
    const arns = await resolveSessionPolicies(sessionCtx, i);
    const packed = packedPolicySize(i, {});
    const session: RoleSessionInfo = {
      roleId: role.id,
      roleName: role.name,
      roleArn: role.arn,
      sessionName: i.RoleSessionName,
      policy: i.Policy,
      policyArns: arns,
      tags: {},
      transitiveTagKeys: [],
      chained: false,
    };
    const issued = await issueRoleSession(ctx, role.accountId, session, duration, false);
    return {
      Credentials: issued.Credentials,
      SubjectFromWebIdentityToken: verified.jwt.claims.sub,
      AssumedRoleUser: issued.AssumedRoleUser,
      PackedPolicySize: packed,
      // For an IAM OIDC provider AWS reports the provider's ARN; ProviderId only names OAuth 2.0 providers.
      Provider: verified.providerArn,
      Audience: verified.audience,
    };
  },
};
