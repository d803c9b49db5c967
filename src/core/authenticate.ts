// Authentication: a chain of credential resolvers (root vars, IAM keys in D1, STS sessions in KV) and SigV4 checks.
import { eq } from "drizzle-orm";
import { partitionOf } from "../aws/arn";
import { AwsError } from "../aws/errors";
import { constantTimeEqual, decryptSecret, sha256Hex } from "../aws/crypto";
import { parseSigV4, verifySigV4, type SigV4Auth } from "../aws/sigv4";
import type { Env } from "../env";
import type { Db } from "../store/db";
import { accessKeys, users } from "../store/schema";
import type { SessionStore, StoredSession } from "../store/sessions";
import { cachedKey, credentialGeneration, rememberKey } from "./credential-cache";
import type { Principal } from "./principal";

export interface RawRequest {
  method: string;
  url: URL;
  headers: Headers;
  body: Uint8Array;
}

/** What a resolver found for an access key id: who it is and the secret the signature must prove. */
interface Resolved {
  principal: Principal;
  secret: string;
  /** Records the key's last use once the signature is proven; absent for keys that keep no history. */
  markUsed?: (service: string, region: string, now: Date) => Promise<unknown>;
}

export interface CredentialServices {
  env: Env;
  db: Db;
  sessions: SessionStore;
}

const invalidToken = () =>
  new AwsError("InvalidClientTokenId", "The security token included in the request is invalid.");
const expiredToken = () => new AwsError("ExpiredToken", "The security token included in the request is expired");

/**
 * The root user's long-term keys are Worker vars, so a wiped database never locks anyone out. Its ARN names the
 * partition of the region the request was signed for.
 */
function resolveRoot(env: Env, accessKeyId: string, region: string): Resolved | undefined {
  if (!constantTimeEqual(accessKeyId, env.ROOT_ACCESS_KEY_ID)) return undefined;
  const accountId = env.DEFAULT_ACCOUNT_ID;
  return {
    principal: {
      kind: "root",
      accountId,
      arn: `arn:${partitionOf(region)}:iam::${accountId}:root`,
      userId: accountId,
      credentials: { accessKeyId },
    },
    secret: env.ROOT_SECRET_ACCESS_KEY,
  };
}

/** Long-term IAM user keys (AKIA...) in D1, remembered in the isolate until a credential write or the TTL. */
async function resolveUserKey(s: CredentialServices, accessKeyId: string, now: Date): Promise<Resolved> {
  let key = cachedKey(accessKeyId, now.getTime());
  if (key === undefined) {
    const startedIn = credentialGeneration();
    const [row] = await s.db
      .select({ key: accessKeys, user: users })
      .from(accessKeys)
      .innerJoin(users, eq(users.id, accessKeys.userId))
      .where(eq(accessKeys.id, accessKeyId))
      .limit(1);
    // INVARIANT: an inactive key is indistinguishable from an unknown one, as with AWS.
    if (!row || row.key.status !== "Active") throw invalidToken();
    key = {
      principal: {
        kind: "user",
        accountId: row.user.accountId,
        arn: row.user.arn,
        userId: row.user.id,
        id: row.user.id,
        name: row.user.name,
        credentials: { accessKeyId },
      },
      secret: await decryptSecret(row.key.secretEncrypted, s.env.SECRET_ENCRYPTION_KEY),
      lastUsedAt: row.key.lastUsedAt,
    };
    rememberKey(accessKeyId, key, startedIn, now.getTime());
  }
  const found = key;
  return {
    principal: found.principal,
    secret: found.secret,
    markUsed: (service, region, at) => {
      // Recording every use would add a write to every call; AWS itself reports last use only roughly.
      if (found.lastUsedAt !== null && at.getTime() - found.lastUsedAt < LAST_USED_RESOLUTION_MS) {
        return Promise.resolve();
      }
      found.lastUsedAt = at.getTime();
      return s.db
        .update(accessKeys)
        .set({ lastUsedAt: at.getTime(), lastUsedService: service, lastUsedRegion: region })
        .where(eq(accessKeys.id, accessKeyId));
    },
  };
}

/** A key's last use is recorded at most once per this interval. */
const LAST_USED_RESOLUTION_MS = 5 * 60 * 1000;

/** The principal a stored session acts as. */
export function sessionPrincipal(stored: StoredSession): Principal {
  const credentials = {
    accessKeyId: stored.accessKeyId,
    tokenIssuedAt: stored.issuedAt,
    mfaPresent: stored.mfaPresent,
  };
  const accountId = stored.accountId;
  const sub = stored.subject;
  switch (sub.kind) {
    case "assumed-role":
      return { kind: "assumed-role", accountId, arn: sub.arn, userId: sub.userId, session: sub.session, credentials };
    case "federated-user":
      return {
        kind: "federated-user",
        accountId,
        arn: sub.arn,
        userId: sub.userId,
        ownerUserId: sub.ownerUserId,
        ownerUserName: sub.ownerUserName,
        federatedName: sub.federatedName,
        policy: sub.policy,
        policyArns: sub.policyArns,
        tags: sub.tags,
        credentials,
      };
    case "user":
      return { kind: "user", accountId, arn: sub.arn, userId: sub.userId, id: sub.userId, name: sub.name, credentials };
    case "root":
      return {
        kind: "root",
        accountId,
        arn: sub.arn,
        userId: accountId,
        credentials,
        ...(sub.taskPolicyArn !== undefined ? { assumedRoot: { taskPolicyArn: sub.taskPolicyArn } } : {}),
      };
  }
}

/** Temporary credentials (ASIA...) in KV: the session token must match the one STS issued with them. */
async function resolveSession(
  s: CredentialServices,
  accessKeyId: string,
  token: string | undefined,
  now: Date,
): Promise<Resolved> {
  if (token === undefined || token === "") throw invalidToken();
  const stored = await s.sessions.get(accessKeyId);
  if (!stored) throw invalidToken();
  if (!constantTimeEqual(await sha256Hex(token), stored.tokenHash)) throw invalidToken();
  // KV expiry is eventual; the stored expiry is authoritative.
  if (now.getTime() >= stored.expiresAt) throw expiredToken();
  const secret = await decryptSecret(stored.secretEncrypted, s.env.SECRET_ENCRYPTION_KEY);
  return { principal: sessionPrincipal(stored), secret };
}

function securityToken(req: RawRequest): string | undefined {
  return req.headers.get("x-amz-security-token") ?? req.url.searchParams.get("X-Amz-Security-Token") ?? undefined;
}

export interface Authenticated {
  principal: Principal;
  auth: SigV4Auth;
}

/** Verifies the request's signature; the returned principal is who every later step acts for. */
export async function authenticate(
  s: CredentialServices,
  req: RawRequest,
  now: Date,
  waitUntil: (p: Promise<unknown>) => void,
): Promise<Authenticated> {
  const auth = parseSigV4(req.method, req.url, req.headers);
  const token = securityToken(req);
  let resolved: Resolved;
  if (auth.accessKeyId.startsWith("ASIA")) resolved = await resolveSession(s, auth.accessKeyId, token, now);
  else {
    // A session token only goes with temporary credentials.
    if (token !== undefined) throw invalidToken();
    resolved = resolveRoot(s.env, auth.accessKeyId, auth.region) ?? (await resolveUserKey(s, auth.accessKeyId, now));
  }
  await verifySigV4(req, auth, resolved.secret, now);
  if (resolved.markUsed) waitUntil(resolved.markUsed(auth.service, auth.region, now).catch(() => undefined));
  return { principal: resolved.principal, auth };
}
