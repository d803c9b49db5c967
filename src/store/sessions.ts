// The KV session store: STS temporary credentials under their access key id, expiring by TTL with the session.
import type { AssumedRolePrincipal, FederatedUserPrincipal, RoleSessionInfo } from "../core/principal";

/** What STS issued: who the credentials act as, and the secrets that prove them (encrypted, hashed). */
export interface StoredSession {
  /** The ASIA... access key id; also the KV key. */
  accessKeyId: string;
  accountId: string;
  /** AES-GCM ciphertext of the secret access key, as long-term keys are stored. */
  secretEncrypted: string;
  /** SHA-256 (hex) of the session token: the token itself is never stored. */
  tokenHash: string;
  issuedAt: number;
  expiresAt: number;
  mfaPresent: boolean;
  subject: SessionSubject;
}

/** Who a session acts as. GetSessionToken sessions act as their user (or root) with the same policies. */
export type SessionSubject =
  | { kind: "assumed-role"; arn: string; userId: string; session: RoleSessionInfo }
  | {
      kind: "federated-user";
      arn: string;
      userId: string;
      /** The IAM user who asked for the token; absent when the account's root user did. */
      ownerUserId?: string;
      ownerUserName?: string;
      federatedName: string;
      policy?: string;
      policyArns: string[];
      tags: Record<string, string>;
    }
  | { kind: "user"; arn: string; userId: string; name: string }
  | { kind: "root"; arn: string; /** AssumeRoot: the task policy that scopes the session. */ taskPolicyArn?: string };

export type SessionPrincipalKind = AssumedRolePrincipal["kind"] | FederatedUserPrincipal["kind"];

/** The narrow interface operations and the credential resolver see; KV implements it. */
export interface SessionStore {
  put(session: StoredSession): Promise<void>;
  get(accessKeyId: string): Promise<StoredSession | null>;
}

const PREFIX = "session:";
/** KV refuses expirationTtl below 60 s; the session's own expiresAt is checked on every read anyway. */
const MIN_KV_TTL_SECONDS = 60;

export function kvSessionStore(kv: KVNamespace): SessionStore {
  return {
    async put(session) {
      const ttl = Math.max(MIN_KV_TTL_SECONDS, Math.ceil((session.expiresAt - session.issuedAt) / 1000));
      await kv.put(PREFIX + session.accessKeyId, JSON.stringify(session), { expirationTtl: ttl });
    },
    async get(accessKeyId) {
      const text = await kv.get(PREFIX + accessKeyId);
      if (text === null) return null;
      try {
        return JSON.parse(text) as StoredSession;
      } catch {
        return null;
      }
    },
  };
}
