// Issues STS temporary credentials: an ASIA key id, a secret and an unguessable token, kept in KV until they expire.
import { AwsError } from "../aws/errors";
import { encryptSecret, sha256Hex, toBase64 } from "../aws/crypto";
import { accessKeyId, secretAccessKey } from "../aws/ids";
import type { OperationContext } from "../core/operation";
import type { SessionSubject } from "../store/sessions";

/** 128 random bytes: far beyond guessing, and about as long as the tokens AWS issues. */
const TOKEN_BYTES = 128;

export type IssuedCredentials = {
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  Expiration: Date;
};

/** Stores the session (secret encrypted, token hashed) with a KV TTL of its lifetime; returns what the caller sees once. */
export async function issueCredentials(
  ctx: OperationContext,
  subject: SessionSubject,
  durationSeconds: number,
  mfaPresent: boolean,
): Promise<IssuedCredentials> {
  const id = accessKeyId("ASIA");
  const secret = secretAccessKey();
  const token = toBase64(crypto.getRandomValues(new Uint8Array(TOKEN_BYTES)));
  const issuedAt = ctx.now.getTime();
  const expiresAt = issuedAt + durationSeconds * 1000;
  await ctx.sessions.put({
    accessKeyId: id,
    accountId: ctx.accountId,
    secretEncrypted: await encryptSecret(secret, ctx.env.SECRET_ENCRYPTION_KEY),
    tokenHash: await sha256Hex(token),
    issuedAt,
    expiresAt,
    mfaPresent,
    subject,
  });
  return { AccessKeyId: id, SecretAccessKey: secret, SessionToken: token, Expiration: new Date(expiresAt) };
}

/** MFA devices arrive with the rest of the IAM API; until then no code can be verified, so none is accepted. */
export function refuseMfa(serial: string | undefined, code: string | undefined): void {
  if (serial === undefined && code === undefined) return;
  throw new AwsError("AccessDenied", "MultiFactorAuthentication failed, unable to validate MFA code.");
}

/** Temporary credentials from GetSessionToken or a federation token cannot ask for more tokens. */
export function isTemporary(ctx: OperationContext): boolean {
  return ctx.principal.credentials.tokenIssuedAt !== undefined;
}
