// Outbound web identity federation state, kept in KV: per account its issuer, whether tokens are issued, and its two
// signing keys (the private halves AES-GCM encrypted, as secret access keys are); per issuer id, the account it names.
//
// KV rather than D1: one small record per account, read by GetWebIdentityToken and the public issuer routes, and no
// schema change. Reset (`/_admin/reset`) wipes KV with D1.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_outbound.html

/** The signing algorithms GetWebIdentityToken offers (the STS API reference's valid values). */
export type OutboundAlgorithm = "RS256" | "ES384";

/** A public key as the issuer's JWKS lists it. */
export interface PublicJwk {
  kty: "RSA" | "EC";
  kid: string;
  alg: OutboundAlgorithm;
  use: "sig";
  n?: string;
  e?: string;
  crv?: string;
  x?: string;
  y?: string;
}

export interface SigningKey {
  alg: OutboundAlgorithm;
  publicJwk: PublicJwk;
  /** The private JWK (JSON text), encrypted with `encryptSecret`. */
  privateEncrypted: string;
}

export interface OutboundFederation {
  accountId: string;
  /** The random id in the issuer URL (a UUID, as AWS's `<uuid>.tokens.sts.global.api.aws`). */
  issuerId: string;
  /** The full issuer URL, fixed when federation was first enabled, so `iss` never changes with the request's host. */
  issuer: string;
  enabled: boolean;
  keys: SigningKey[];
}

const accountKey = (accountId: string) => `outbound-federation:${accountId}`;
const issuerKey = (issuerId: string) => `outbound-issuer:${issuerId}`;

/** The narrow interface the operations and the issuer routes see. */
export interface OutboundFederationStore {
  get(accountId: string): Promise<OutboundFederation | null>;
  /** The federation an issuer id names (the public routes know only the id). */
  byIssuerId(issuerId: string): Promise<OutboundFederation | null>;
  put(record: OutboundFederation): Promise<void>;
}

function parse(text: string | null): OutboundFederation | null {
  if (text === null) return null;
  try {
    return JSON.parse(text) as OutboundFederation;
  } catch {
    return null;
  }
}

export function kvOutboundFederation(kv: KVNamespace): OutboundFederationStore {
  return {
    async get(accountId) {
      return parse(await kv.get(accountKey(accountId)));
    },
    async byIssuerId(issuerId) {
      const accountId = await kv.get(issuerKey(issuerId));
      if (accountId === null) return null;
      const record = await this.get(accountId);
      // INVARIANT: an issuer id answers only for the account whose record still names it.
      return record !== null && record.issuerId === issuerId ? record : null;
    },
    async put(record) {
      // The issuer index first: a record never names an issuer id the public routes cannot find.
      await kv.put(issuerKey(record.issuerId), record.accountId);
      await kv.put(accountKey(record.accountId), JSON.stringify(record));
    },
  };
}
