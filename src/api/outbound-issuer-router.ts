// The public OIDC issuer of each account's outbound web identity federation: unauthenticated GETs of the discovery
// document and the JWKS under `<origin>/outbound/<issuer id>`, where AWS serves `https://<uuid>.tokens.sts.global.api.aws`.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_EnableOutboundWebIdentityFederation.html ("hosts the OpenID
// Connect (OIDC) discovery endpoints at /.well-known/openid-configuration and /.well-known/jwks.json")
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { ISSUER_PATH } from "../iam/outbound-federation";
import { kvOutboundFederation } from "../store/outbound-federation";
import { OUTBOUND_ALGORITHMS } from "../sts/outbound-signing";

export const outboundIssuerRouter = new Hono<AppEnv>();

/** Verifiers cache the keys; tokens are short-lived and the keys never rotate here, so five minutes is plenty. */
const CACHE = "public, max-age=300";

outboundIssuerRouter.get(`${ISSUER_PATH}/:issuerId/.well-known/openid-configuration`, async (c) => {
  const federation = await kvOutboundFederation(c.env.KV).byIssuerId(c.req.param("issuerId"));
  if (federation === null) return c.json({ error: "not_found" }, 404);
  // The discovery document's issuer is exactly the tokens' iss (OpenID Connect Discovery 1.0 §4.3).
  return c.json(
    {
      issuer: federation.issuer,
      jwks_uri: `${federation.issuer}/.well-known/jwks.json`,
      response_types_supported: ["id_token"],
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: [...OUTBOUND_ALGORITHMS],
      claims_supported: ["iss", "aud", "sub", "iat", "exp", "jti"],
    },
    200,
    { "cache-control": CACHE },
  );
});

// Served while the feature is disabled too: tokens issued before Disable stay verifiable, as AWS documents.
outboundIssuerRouter.get(`${ISSUER_PATH}/:issuerId/.well-known/jwks.json`, async (c) => {
  const federation = await kvOutboundFederation(c.env.KV).byIssuerId(c.req.param("issuerId"));
  if (federation === null) return c.json({ error: "not_found" }, 404);
  return c.json({ keys: federation.keys.map((k) => k.publicJwk) }, 200, { "cache-control": CACHE });
});
