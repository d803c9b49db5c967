// IAM's outbound web identity federation switch: Enable (creates the account's issuer and signing keys), Disable and
// GetOutboundWebIdentityFederationInfo. The issuer itself is served by src/api/outbound-issuer-router.ts.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_outbound_getting_started.html
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_EnableOutboundWebIdentityFederation.html
import { z } from "zod";
import { AwsError } from "../aws/errors";
import { iamOperation, type OperationContext } from "../core/operation";
import { kvOutboundFederation, type OutboundFederation } from "../store/outbound-federation";
import { generateSigningKey, OUTBOUND_ALGORITHMS } from "../sts/outbound-signing";

/** The path under the Worker's origin where each account's issuer lives: `<origin>/outbound/<issuer id>`. */
export const ISSUER_PATH = "/outbound";

/** The model's errors of these operations and of GetWebIdentityToken (their statuses are in the shared table). */
type OutboundErrorCode =
  | "FeatureEnabled"
  | "FeatureDisabled"
  | "OutboundWebIdentityFederationDisabledException"
  | "JWTPayloadSizeExceededException"
  | "SessionDurationEscalationException";

export function outboundError(code: OutboundErrorCode, message: string): AwsError {
  return new AwsError(code, message);
}

/** The origin the Enable request reached: the Worker serves the issuer under it, as AWS serves `https://<uuid>.tokens.sts.global.api.aws`. */
function requestOrigin(ctx: OperationContext): string {
  if (ctx.origin === undefined) throw new AwsError("ServiceFailure", "The request's origin is not available.");
  return ctx.origin;
}

const ANY = () => "*";

async function enable(ctx: OperationContext): Promise<OutboundFederation> {
  const store = kvOutboundFederation(ctx.env.KV);
  const current = await store.get(ctx.accountId);
  if (current?.enabled) {
    throw outboundError(
      "FeatureEnabled",
      "Outbound web identity federation is already enabled for this account. Use " +
        "GetOutboundWebIdentityFederationInfo to fetch the issuer.",
    );
  }
  // Enabled again after a Disable: the same issuer and keys (the issuer is the account's, stable across toggles).
  if (current) {
    const record = { ...current, enabled: true };
    await store.put(record);
    return record;
  }
  const issuerId = crypto.randomUUID();
  const keys = await Promise.all(
    OUTBOUND_ALGORITHMS.map((alg) => generateSigningKey(alg, ctx.env.SECRET_ENCRYPTION_KEY)),
  );
  const record: OutboundFederation = {
    accountId: ctx.accountId,
    issuerId,
    issuer: `${requestOrigin(ctx)}${ISSUER_PATH}/${issuerId}`,
    enabled: true,
    keys,
  };
  await store.put(record);
  return record;
}

export const enableOutboundWebIdentityFederation = iamOperation(
  "EnableOutboundWebIdentityFederation",
  z.object({}),
  ANY,
  async (_i, ctx) => ({ IssuerIdentifier: (await enable(ctx)).issuer }),
);

/**
 * Stops GetWebIdentityToken; tokens issued before stay valid (AWS: "does not affect tokens that were issued before
 * the feature was disabled"), so the issuer keeps serving its discovery document and keys.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_DisableOutboundWebIdentityFederation.html
 */
export const disableOutboundWebIdentityFederation = iamOperation(
  "DisableOutboundWebIdentityFederation",
  z.object({}),
  ANY,
  async (_i, ctx) => {
    const store = kvOutboundFederation(ctx.env.KV);
    const current = await store.get(ctx.accountId);
    if (!current?.enabled) {
      throw outboundError("FeatureDisabled", "Outbound web identity federation is already disabled for this account.");
    }
    await store.put({ ...current, enabled: false });
    return undefined;
  },
);

/**
 * The issuer and whether tokens are issued. An account that never enabled the feature has no issuer: FeatureDisabled,
 * the operation's one modeled error; once enabled, the issuer is reported with JwtVendingEnabled true or false.
 */
export const getOutboundWebIdentityFederationInfo = iamOperation(
  "GetOutboundWebIdentityFederationInfo",
  z.object({}),
  ANY,
  async (_i, ctx) => {
    const current = await kvOutboundFederation(ctx.env.KV).get(ctx.accountId);
    if (current === null) {
      throw outboundError("FeatureDisabled", "Outbound web identity federation is not enabled for this account.");
    }
    return { IssuerIdentifier: current.issuer, JwtVendingEnabled: current.enabled };
  },
);

export const outboundFederationOperations = [
  enableOutboundWebIdentityFederation,
  disableOutboundWebIdentityFederation,
  getOutboundWebIdentityFederationInfo,
];
