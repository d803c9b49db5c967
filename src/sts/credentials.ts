// Issues STS temporary credentials: an ASIA key id, a secret and an unguessable token, kept in KV until they expire.
import { partitionOfArn } from "../aws/arn";
import { AwsError } from "../aws/errors";
import { decryptSecret, encryptSecret, sha256Hex, toBase64 } from "../aws/crypto";
import { accessKeyId, secretAccessKey } from "../aws/ids";
import type { OperationContext } from "../core/operation";
import type { RoleSessionInfo } from "../core/principal";
import { base32Decode, findSteps } from "../iam/totp";
import { findMfaDevice, recordStep } from "../store/mfa-devices";
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

/** How many 30-second steps either side of now a session's MFA code may be from (clock drift). */
const MFA_WINDOW = 1;

/**
 * Checks the MFA code a caller passes with GetSessionToken or AssumeRole: the device must be the calling IAM user's
 * and the code its current one (never one already used). Returns whether MFA was presented; a serial without a code
 * (or the reverse), an unknown device or a wrong code is AccessDenied, and nothing is issued.
 */
export async function verifyMfa(
  ctx: OperationContext,
  serial: string | undefined,
  code: string | undefined,
): Promise<boolean> {
  if (serial === undefined && code === undefined) return false;
  const failed = () => new AwsError("AccessDenied", "MultiFactorAuthentication failed, unable to validate MFA code.");
  // Only IAM users hold virtual MFA devices here (root devices are not modelled; sessions have none of their own).
  if (serial === undefined || code === undefined || ctx.principal.kind !== "user") throw failed();
  const device = await findMfaDevice(ctx.db, ctx.accountId, serial);
  if (!device || device.userId !== ctx.principal.id) throw failed();
  const seed = base32Decode(await decryptSecret(device.seedEncrypted, ctx.env.SECRET_ENCRYPTION_KEY));
  const step = await findSteps(seed, [code], ctx.now.getTime(), MFA_WINDOW, device.lastStep);
  // Recording the step is conditional on the last one, so two requests cannot both spend one code.
  if (step === null || !(await recordStep(ctx.db, device, step))) throw failed();
  return true;
}

/** Temporary credentials from GetSessionToken or a federation token cannot ask for more tokens. */
export function isTemporary(ctx: OperationContext): boolean {
  return ctx.principal.credentials.tokenIssuedAt !== undefined;
}

/**
 * Issues a role session's credentials in the role's account: its ARN `assumed-role/<role>/<session>` and its
 * AssumedRoleId `<role id>:<session>`, as AssumeRole and AssumeRoleWithWebIdentity both answer them.
 */
export async function issueRoleSession(
  ctx: OperationContext,
  roleAccountId: string,
  session: RoleSessionInfo,
  durationSeconds: number,
  mfaPresent: boolean,
): Promise<{ Credentials: IssuedCredentials; AssumedRoleUser: { AssumedRoleId: string; Arn: string } }> {
  // The session is in its role's partition.
  const arn = `arn:${partitionOfArn(session.roleArn)}:sts::${roleAccountId}:assumed-role/${session.roleName}/${session.sessionName}`;
  const userId = `${session.roleId}:${session.sessionName}`;
  const credentials = await issueCredentials(
    { ...ctx, accountId: roleAccountId },
    { kind: "assumed-role", arn, userId, session },
    durationSeconds,
    mfaPresent,
  );
  return { Credentials: credentials, AssumedRoleUser: { AssumedRoleId: userId, Arn: arn } };
}
