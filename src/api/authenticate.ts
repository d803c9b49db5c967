// Authentication: resolve a SigV4 request's access key to a caller and verify the signature against its secret.
import { eq } from "drizzle-orm";
import { AwsError } from "../aws/errors";
import { decryptSecret } from "../aws/crypto";
import { parseSigV4, verifySigV4, type SigV4Auth } from "../aws/sigv4";
import type { Env } from "../env";
import type { Db } from "../store/db";
import { accessKeys, users } from "../store/schema";
import type { Caller } from "./caller";

export interface RawRequest {
  method: string;
  url: URL;
  headers: Headers;
  body: Uint8Array;
}

interface KeyOwner {
  caller: Caller;
  secret: string;
  /** Records the key's last use once the signature is proven; absent for keys that keep no history. */
  markUsed?: (service: string, region: string, now: Date) => Promise<unknown>;
}

const invalidToken = () =>
  new AwsError("InvalidClientTokenId", "The security token included in the request is invalid.");

async function lookUpKey(env: Env, db: Db, accessKeyId: string): Promise<KeyOwner> {
  if (accessKeyId === env.ROOT_ACCESS_KEY_ID) {
    const accountId = env.DEFAULT_ACCOUNT_ID;
    return {
      caller: { kind: "root", accountId, arn: `arn:aws:iam::${accountId}:root`, userId: accountId, accessKeyId },
      secret: env.ROOT_SECRET_ACCESS_KEY,
    };
  }
  const [row] = await db
    .select({ key: accessKeys, user: users })
    .from(accessKeys)
    .innerJoin(users, eq(users.id, accessKeys.userId))
    .where(eq(accessKeys.id, accessKeyId))
    .limit(1);
  // INVARIANT: an inactive key is indistinguishable from an unknown one, as with AWS.
  if (!row || row.key.status !== "Active") throw invalidToken();
  const secret = await decryptSecret(row.key.secretEncrypted, env.SECRET_ENCRYPTION_KEY);
  return {
    caller: {
      kind: "user",
      accountId: row.user.accountId,
      arn: row.user.arn,
      userId: row.user.id,
      principalId: row.user.id,
      userName: row.user.name,
      accessKeyId,
    },
    secret,
    markUsed: (service, region, now) =>
      db
        .update(accessKeys)
        .set({ lastUsedAt: now.getTime(), lastUsedService: service, lastUsedRegion: region })
        .where(eq(accessKeys.id, accessKeyId)),
  };
}

export interface Authenticated {
  caller: Caller;
  auth: SigV4Auth;
}

/** Verifies the request's signature; the returned caller is who every later step acts for. */
export async function authenticate(
  env: Env,
  db: Db,
  req: RawRequest,
  now: Date,
  waitUntil: (p: Promise<unknown>) => void,
): Promise<Authenticated> {
  const auth = parseSigV4(req.method, req.url, req.headers);
  const owner = await lookUpKey(env, db, auth.accessKeyId);
  await verifySigV4(req, auth, owner.secret, now);
  if (owner.markUsed) waitUntil(owner.markUsed(auth.service, auth.region, now).catch(() => undefined));
  return { caller: owner.caller, auth };
}
