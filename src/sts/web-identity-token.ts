// STS GetWebIdentityToken: a signed JWT asserting the caller's identity to an external service (outbound federation).
// https://docs.aws.amazon.com/STS/latest/APIReference/API_GetWebIdentityToken.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_outbound_token_claims.html
import { eq } from "drizzle-orm";
import { z } from "zod";
import { AwsError } from "../aws/errors";
import { int, str } from "../api/validation";
import type { Operation, OperationContext } from "../core/operation";
import { outboundError } from "../iam/outbound-federation";
import { kvOutboundFederation } from "../store/outbound-federation";
import { ancestors } from "../store/organizations";
import { orgAccounts } from "../store/schema";
import { listTags } from "../store/tags";
import { sessionTags } from "./fields";
import { signJwt } from "./outbound-signing";
import { assertDistinctTagKeys } from "./session-policies";

/** AWS: 60 seconds to one hour, five minutes when not given. */
export const DEFAULT_TOKEN_SECONDS = 300;

/**
 * The largest payload (JSON bytes) a token may carry. AWS names the error (JWTPayloadSizeExceededException: "reduce
 * the number of request tags") but publishes no number; this bound lets ten maximal audiences through with tags,
 * while fifty maximal tags do not fit.
 */
export const MAX_PAYLOAD_BYTES = 16 * 1024;

/** The claims namespace AWS nests its identity, session and custom claims under. */
export const STS_CLAIMS_NAMESPACE = "https://sts.amazonaws.com/";

const input = z.object({
  // The model: 1 to 10 audiences of 1 to 1000 characters each.
  Audience: z.preprocess(
    (v) => (v === "" ? [] : v),
    z
      .array(str({ min: 1, max: 1000 }))
      .min(1)
      .max(10),
  ),
  DurationSeconds: int({ min: 60, max: 3600 }).optional(),
  // The model says only "5 characters"; the API reference lists the valid values.
  SigningAlgorithm: z.enum(["RS256", "ES384"]),
  Tags: sessionTags.optional(),
});

/** RFC 3339 in whole seconds, as the token's time strings are written. */
const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/**
 * The identity the token names: the caller's ARN, and for a role session the role's ARN (AWS: "For a role session,
 * this is the ARN of the role"), so a verifier sees the same subject across sessions.
 */
function subjectArn(ctx: OperationContext): string {
  const p = ctx.principal;
  return p.kind === "assumed-role" ? p.session.roleArn : p.arn;
}

/** The IAM entity whose stored tags become `principal_tags`: the user, or a session's role; none for root. */
function taggedEntityId(ctx: OperationContext): string | null {
  const p = ctx.principal;
  if (p.kind === "user") return p.id;
  if (p.kind === "assumed-role") return p.session.roleId;
  return null;
}

/** Stored tags overridden by the session's (case-insensitive keys), as principal tags are seen everywhere else. */
function principalTags(ctx: OperationContext, stored: { Key: string; Value: string }[]): Record<string, string> {
  // Client-chosen keys: no prototype, so a key like "__proto__" is a tag like any other.
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  const byLower = new Map<string, string>();
  const add = (k: string, v: string) => {
    const previous = byLower.get(k.toLowerCase());
    if (previous !== undefined) delete out[previous];
    byLower.set(k.toLowerCase(), k);
    out[k] = v;
  };
  for (const t of stored) add(t.Key, t.Value);
  if (ctx.principal.kind === "assumed-role") for (const [k, v] of Object.entries(ctx.principal.session.tags)) add(k, v);
  return out;
}

/** `o-.../r-.../ou-.../` down to the account's parent, as the token's ou_path is written. */
async function organizationClaims(
  ctx: OperationContext,
  membership: { orgId: string; parentId: string } | undefined,
): Promise<Record<string, string>> {
  if (membership === undefined) return {};
  const path = (await ancestors(ctx.db, membership.parentId)).map((n) => n.id).reverse();
  return { org_id: membership.orgId, ou_path: `${membership.orgId}/${path.map((id) => `${id}/`).join("")}` };
}

export const getWebIdentityToken: Operation<typeof input> = {
  service: "sts",
  name: "GetWebIdentityToken",
  input,
  action: "sts:GetWebIdentityToken",
  resource: () => "*",
  // The Service Authorization Reference's keys; the duration is the one the token gets (the default when absent).
  conditionKeys: (i) => ({
    "sts:IdentityTokenAudience": i.Audience,
    "sts:SigningAlgorithm": i.SigningAlgorithm,
    "sts:DurationSeconds": String(i.DurationSeconds ?? DEFAULT_TOKEN_SECONDS),
  }),
  // Tags in the token need sts:TagGetWebIdentityToken too, as session tags need sts:TagSession.
  alsoRequires: (i) => (i.Tags && i.Tags.length > 0 ? ["sts:TagGetWebIdentityToken"] : []),
  // The caller's stored tags and its account's organization membership ride in the authorization batch.
  preload: (_i, ctx) => [
    listTags(ctx.db, taggedEntityId(ctx) ?? ""),
    ctx.db
      .select({ orgId: orgAccounts.orgId, parentId: orgAccounts.parentId })
      .from(orgAccounts)
      .where(eq(orgAccounts.id, ctx.accountId))
      .limit(1),
  ],
  run: async (i, ctx) => {
    assertDistinctTagKeys(i.Tags ?? []);
    const federation = await kvOutboundFederation(ctx.env.KV).get(ctx.accountId);
    if (!federation?.enabled) {
      throw outboundError(
        "OutboundWebIdentityFederationDisabledException",
        "Outbound web identity federation is not enabled for this account. Enable it with " +
          "EnableOutboundWebIdentityFederation.",
      );
    }
    const key = federation.keys.find((k) => k.alg === i.SigningAlgorithm);
    if (key === undefined) throw new AwsError("ServiceFailure", "The account's signing key is missing.");

    const nowMs = ctx.now.getTime();
    const iat = Math.floor(nowMs / 1000);
    const seconds = i.DurationSeconds ?? DEFAULT_TOKEN_SECONDS;
    const exp = iat + seconds;

    // Temporary credentials: the token may not outlive the session that asked for it.
    let sessionExpiresAt: number | undefined;
    if (ctx.principal.credentials.tokenIssuedAt !== undefined) {
      const session = await ctx.sessions.get(ctx.principal.credentials.accessKeyId);
      sessionExpiresAt = session?.expiresAt;
      if (sessionExpiresAt !== undefined && exp * 1000 > sessionExpiresAt) {
        throw outboundError(
          "SessionDurationEscalationException",
          `The requested token duration of ${seconds} seconds would extend beyond the session's expiration at ` +
            `${isoSeconds(sessionExpiresAt)}.`,
        );
      }
    }

    const [storedTags, membership] = (ctx.preloaded ?? []) as [
      { Key: string; Value: string }[] | undefined,
      { orgId: string; parentId: string }[] | undefined,
    ];
    const tags = principalTags(ctx, storedTags ?? []);
    const requestTags: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const t of i.Tags ?? []) requestTags[t.Key] = t.Value;
    const sourceIdentity = ctx.principal.kind === "assumed-role" ? ctx.principal.session.sourceIdentity : undefined;
    const subject = subjectArn(ctx);

    // The documented token: the standard claims, then AWS's own under its namespace, each only when it applies.
    const aws: Record<string, unknown> = {
      aws_account: ctx.accountId,
      source_region: ctx.region,
      ...(await organizationClaims(ctx, membership?.[0])),
      principal_id: subject,
      ...(Object.keys(tags).length > 0 ? { principal_tags: tags } : {}),
      ...(sourceIdentity !== undefined ? { source_identity: sourceIdentity } : {}),
      ...(sessionExpiresAt !== undefined ? { original_session_exp: isoSeconds(sessionExpiresAt) } : {}),
      ...(Object.keys(requestTags).length > 0 ? { request_tags: requestTags } : {}),
    };
    const claims = {
      iss: federation.issuer,
      // One audience as a string, several as an array (RFC 7519 §4.1.3 allows both; AWS's sample shows one).
      aud: i.Audience.length === 1 ? i.Audience[0] : i.Audience,
      sub: subject,
      iat,
      exp,
      jti: crypto.randomUUID(),
      [STS_CLAIMS_NAMESPACE]: aws,
    };
    if (new TextEncoder().encode(JSON.stringify(claims)).length > MAX_PAYLOAD_BYTES) {
      throw outboundError(
        "JWTPayloadSizeExceededException",
        "The requested token payload size exceeds the maximum allowed size. Reduce the number of request tags.",
      );
    }
    return {
      WebIdentityToken: await signJwt(key, claims, ctx.env.SECRET_ENCRYPTION_KEY),
      Expiration: new Date(exp * 1000),
    };
  },
};
