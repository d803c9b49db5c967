// STS GetSessionToken (a user's or root's own permissions, temporarily) and GetFederationToken (a user's, cut by the passed policies).
import { z } from "zod";
import { AwsError } from "../aws/errors";
import type { Operation } from "../core/operation";
import { isTemporary, issueCredentials, verifyMfa } from "./credentials";
import {
  federatedName,
  policyArns,
  serialNumber,
  sessionPolicy,
  sessionTags,
  tokenCode,
  tokenDuration,
} from "./fields";
import { assertDistinctTagKeys, packedPolicySize, resolveSessionPolicies } from "./session-policies";

/** AWS's defaults: 12 hours for IAM users; the root user's sessions are capped at one hour. */
const DEFAULT_SECONDS = 43200;
const ROOT_MAX_SECONDS = 3600;

const sessionTokenInput = z.object({
  DurationSeconds: tokenDuration.optional(),
  SerialNumber: serialNumber.optional(),
  TokenCode: tokenCode.optional(),
});

/** Needs no permission: AWS documents GetSessionToken as callable by any IAM user or root with long-term keys. */
export const getSessionToken: Operation<typeof sessionTokenInput> = {
  service: "sts",
  name: "GetSessionToken",
  input: sessionTokenInput,
  action: null,
  resource: () => "*",
  run: async (i, ctx) => {
    const p = ctx.principal;
    if (isTemporary(ctx) || (p.kind !== "user" && p.kind !== "root")) {
      throw new AwsError("AccessDenied", "Cannot call GetSessionToken with session credentials");
    }
    const mfa = await verifyMfa(ctx, i.SerialNumber, i.TokenCode);
    const seconds = Math.min(i.DurationSeconds ?? DEFAULT_SECONDS, p.kind === "root" ? ROOT_MAX_SECONDS : Infinity);
    const subject =
      p.kind === "root"
        ? ({ kind: "root", arn: p.arn } as const)
        : ({ kind: "user", arn: p.arn, userId: p.id, name: p.name } as const);
    return { Credentials: await issueCredentials(ctx, subject, seconds, mfa) };
  },
};

const federationInput = z.object({
  Name: federatedName,
  Policy: sessionPolicy.optional(),
  PolicyArns: policyArns.optional(),
  DurationSeconds: tokenDuration.optional(),
  Tags: sessionTags.optional(),
});

export const getFederationToken: Operation<typeof federationInput> = {
  service: "sts",
  name: "GetFederationToken",
  input: federationInput,
  action: "sts:GetFederationToken",
  resource: (i, ctx) => `arn:${ctx.partition}:sts::${ctx.accountId}:federated-user/${i.Name}`,
  alsoRequires: (i) => (i.Tags && i.Tags.length > 0 ? ["sts:TagSession"] : []),
  run: async (i, ctx) => {
    const p = ctx.principal;
    // AWS: the long-term keys of an IAM user, or (not recommended, but possible) of the root user, whose tokens
    // then last at most one hour.
    // https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html
    const byRoot = p.kind === "root" && p.assumedRoot === undefined;
    if ((p.kind !== "user" && !byRoot) || isTemporary(ctx)) {
      throw new AwsError(
        "AccessDenied",
        "GetFederationToken must be called with the long-term access keys of an IAM user or the root user.",
      );
    }
    const tags: Record<string, string> = Object.create(null) as Record<string, string>;
    assertDistinctTagKeys(i.Tags ?? []);
    for (const t of i.Tags ?? []) tags[t.Key] = t.Value;
    const arns = await resolveSessionPolicies(ctx, i);
    const packed = packedPolicySize(i, tags);
    const arn = `arn:${ctx.partition}:sts::${ctx.accountId}:federated-user/${i.Name}`;
    const userId = `${ctx.accountId}:${i.Name}`;
    const credentials = await issueCredentials(
      ctx,
      {
        kind: "federated-user",
        arn,
        userId,
        ...(p.kind === "user" ? { ownerUserId: p.id, ownerUserName: p.name } : {}),
        federatedName: i.Name,
        policy: i.Policy,
        policyArns: arns,
        tags,
      },
      Math.min(i.DurationSeconds ?? DEFAULT_SECONDS, byRoot ? ROOT_MAX_SECONDS : Infinity),
      false,
    );
    return { Credentials: credentials, FederatedUser: { FederatedUserId: userId, Arn: arn }, PackedPolicySize: packed };
  },
};
