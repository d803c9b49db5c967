// STS AssumeRole: the trust policy and the caller's policies decide; the session lands in KV with its policies and tags.
import { z } from "zod";
import { AwsError } from "../aws/errors";
import type { EntityRef, Operation, OperationContext } from "../core/operation";
import type { RoleSessionInfo } from "../core/principal";
import { findRole } from "../store/roles";
import { issueRoleSession, verifyMfa } from "./credentials";
import {
  assumeRoleDuration,
  externalId,
  policyArns,
  roleArn,
  roleSessionName,
  serialNumber,
  sessionPolicy,
  sessionTags,
  sourceIdentity,
  tokenCode,
  transitiveTagKeys,
} from "./fields";
import { assertDistinctTagKeys, packedPolicySize, resolveSessionPolicies } from "./session-policies";

const input = z.object({
  RoleArn: roleArn,
  RoleSessionName: roleSessionName,
  PolicyArns: policyArns.optional(),
  Policy: sessionPolicy.optional(),
  DurationSeconds: assumeRoleDuration.optional(),
  Tags: sessionTags.optional(),
  TransitiveTagKeys: transitiveTagKeys.optional(),
  ExternalId: externalId.optional(),
  SerialNumber: serialNumber.optional(),
  TokenCode: tokenCode.optional(),
  SourceIdentity: sourceIdentity.optional(),
});
type Input = z.infer<typeof input>;

const ROLE_ARN = /^arn:aws(?:-[a-z]+(?:-[a-z])?)?:iam::(\d{12}):role\/(?:[\u0021-\u007E]*\/)?([\w+=,.@-]+)$/u;
/** Role chaining (a role session assuming a role) is capped at one hour, whatever the role allows. */
const CHAINED_MAX_SECONDS = 3600;
const DEFAULT_SECONDS = 3600;

function parseRoleArn(arn: string): { accountId: string; name: string } {
  const m = ROLE_ARN.exec(arn);
  if (!m) throw new AwsError("ValidationError", `${arn} is not a valid role ARN.`);
  return { accountId: m[1] as string, name: m[2] as string };
}

function roleTarget(i: Input): EntityRef {
  const { accountId, name } = parseRoleArn(i.RoleArn);
  return { kind: "role", accountId, name };
}

/** The session's tags: the caller's transitive session tags (role chaining), then the ones passed now. */
function mergeTags(ctx: OperationContext, i: Input): { tags: Record<string, string>; transitive: string[] } {
  const passed = i.Tags ?? [];
  assertDistinctTagKeys(passed);
  const tags: Record<string, string> = Object.create(null) as Record<string, string>;
  const transitive: string[] = [];
  const prev = ctx.principal.kind === "assumed-role" ? ctx.principal.session : undefined;
  const lowerPassed = new Set(passed.map((t) => t.Key.toLowerCase()));
  for (const key of prev?.transitiveTagKeys ?? []) {
    if (lowerPassed.has(key.toLowerCase())) {
      throw new AwsError("InvalidParameterValue", `The session tag ${key} is transitive and cannot be overridden.`);
    }
    const value = prev?.tags[key];
    if (value !== undefined) tags[key] = value;
    transitive.push(key);
  }
  for (const t of passed) tags[t.Key] = t.Value;
  for (const key of i.TransitiveTagKeys ?? []) {
    if (!lowerPassed.has(key.toLowerCase())) {
      throw new AwsError("InvalidParameterValue", `The transitive tag key ${key} is not among the session tags.`);
    }
    if (!transitive.some((k) => k.toLowerCase() === key.toLowerCase())) transitive.push(key);
  }
  return { tags, transitive };
}

function sessionDuration(ctx: OperationContext, i: Input, maxSession: number): number {
  const seconds = i.DurationSeconds ?? DEFAULT_SECONDS;
  if (ctx.principal.kind === "assumed-role" && seconds > CHAINED_MAX_SECONDS) {
    throw new AwsError(
      "ValidationError",
      "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
    );
  }
  if (seconds > maxSession) {
    throw new AwsError(
      "ValidationError",
      "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    );
  }
  return seconds;
}

/** A source identity, once set, stays with every session chained from it. */
function chainedSourceIdentity(ctx: OperationContext, requested: string | undefined): string | undefined {
  if (requested?.toLowerCase().startsWith("aws:")) {
    throw new AwsError("ValidationError", "SourceIdentity cannot start with the reserved prefix aws:.");
  }
  const previous = ctx.principal.kind === "assumed-role" ? ctx.principal.session.sourceIdentity : undefined;
  if (previous !== undefined && requested !== undefined && requested !== previous) {
    throw new AwsError("AccessDenied", `The source identity ${previous} of this session cannot be changed.`);
  }
  return previous ?? requested;
}

export const assumeRole: Operation<typeof input> = {
  service: "sts",
  name: "AssumeRole",
  input,
  action: "sts:AssumeRole",
  resource: (i) => roleTarget(i),
  conditionKeys: (i) => {
    const keys: Record<string, string | string[]> = { "sts:RoleSessionName": i.RoleSessionName };
    if (i.ExternalId !== undefined) keys["sts:ExternalId"] = i.ExternalId;
    if (i.SourceIdentity !== undefined) keys["sts:SourceIdentity"] = i.SourceIdentity;
    if (i.TransitiveTagKeys !== undefined) keys["sts:TransitiveTagKeys"] = i.TransitiveTagKeys;
    // A code passed with the call is MFA for the trust policy; the handler verifies it before anything is issued,
    // so a wrong code never gets past this claim.
    if (i.SerialNumber !== undefined && i.TokenCode !== undefined) {
      keys["aws:MultiFactorAuthPresent"] = "true";
      keys["aws:MultiFactorAuthAge"] = "0";
    }
    return keys;
  },
  // Passing session tags needs sts:TagSession, and setting a source identity sts:SetSourceIdentity, on the role.
  alsoRequires: (i) => [
    ...(i.Tags && i.Tags.length > 0 ? ["sts:TagSession"] : []),
    ...(i.SourceIdentity !== undefined ? ["sts:SetSourceIdentity"] : []),
  ],
  run: async (i, ctx) => {
    if (ctx.principal.kind === "root") {
      throw new AwsError("AccessDenied", "Roles may not be assumed by root accounts.");
    }
    const mfa = await verifyMfa(ctx, i.SerialNumber, i.TokenCode);
    const { accountId, name } = parseRoleArn(i.RoleArn);
    const role = await findRole(ctx.db, accountId, name);
    // Authorization already needed the role's trust policy; a role found under another path is not the one named.
    if (!role || role.arn !== i.RoleArn) {
      throw new AwsError(
        "AccessDenied",
        `User: ${ctx.principal.arn} is not authorized to perform: sts:AssumeRole on resource: ${i.RoleArn}`,
      );
    }
    const duration = sessionDuration(ctx, i, role.maxSessionDuration);
    const { tags, transitive } = mergeTags(ctx, i);
    const arns = await resolveSessionPolicies(ctx, i);
    const packed = packedPolicySize(i, tags);
    const session: RoleSessionInfo = {
      roleId: role.id,
      roleName: role.name,
      roleArn: role.arn,
      sessionName: i.RoleSessionName,
      policy: i.Policy,
      policyArns: arns,
      tags,
      transitiveTagKeys: transitive,
      sourceIdentity: chainedSourceIdentity(ctx, i.SourceIdentity),
      chained: ctx.principal.kind === "assumed-role",
    };
    const issued = await issueRoleSession(
      ctx,
      role.accountId,
      session,
      duration,
      ctx.principal.credentials.mfaPresent === true || mfa,
    );
    return {
      ...issued,
      PackedPolicySize: packed,
      SourceIdentity: session.sourceIdentity,
    };
  },
};
