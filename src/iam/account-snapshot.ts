// The snapshot an account import reads: the JSON `aws iam get-account-authorization-details` writes, as zod schemas.
import { z } from "zod";
import { AwsError } from "../aws/errors";
import {
  existingUserName,
  groupName,
  path,
  policyDescription,
  policyName,
  policyPath,
  policyVersionId,
  roleDescription,
  roleName,
  tagKey,
  tagValue,
} from "./fields";

/**
 * Dates as the CLI writes them (ISO 8601 text, e.g. `2021-03-04T10:11:12+00:00`) or as epoch seconds (awsJson),
 * turned into epoch milliseconds, the store's unit.
 */
const date = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const ms = typeof v === "number" ? v * 1000 : Date.parse(v);
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: "custom", message: `${String(v)} is not a date` });
    return z.NEVER;
  }
  return Math.round(ms);
});

/** The CLI decodes policy documents into objects; the SDK and the raw API leave them URL-encoded text. */
const document = z.union([z.string().min(1), z.record(z.string(), z.unknown())]);

/** Unique ids: the model's idType ([\w]+, 16 to 128 characters) with the prefix AWS gives each kind of entity. */
const id = (prefix: string) =>
  z
    .string()
    .regex(/^\w{16,128}$/, "must be 16 to 128 word characters")
    .refine((s) => s.startsWith(prefix), `must start with ${prefix}`);

/** Lists the CLI leaves out when empty default to empty, so a hand-written snapshot may omit them. */
const listOf = <T extends z.ZodType>(item: T) =>
  z
    .array(item)
    .nullish()
    .transform((v) => v ?? []);

const inline = z.object({ PolicyName: policyName, PolicyDocument: document });
const attached = z.object({ PolicyName: z.string().optional(), PolicyArn: z.string().min(20).max(2048) });
const boundary = z
  .object({ PermissionsBoundaryType: z.string().optional(), PermissionsBoundaryArn: z.string().min(20).max(2048) })
  .nullish();
const tag = z.object({ Key: tagKey, Value: tagValue });
const profile = z.object({
  Path: path,
  InstanceProfileName: z.string().regex(/^[\w+=,.@-]{1,128}$/, "must be a valid instance profile name"),
  InstanceProfileId: id("AIPA"),
  Arn: z.string(),
  CreateDate: date,
  Tags: listOf(tag),
});

export const userDetail = z.object({
  Path: path,
  UserName: existingUserName,
  UserId: id("AIDA"),
  Arn: z.string(),
  CreateDate: date,
  UserPolicyList: listOf(inline),
  GroupList: listOf(groupName),
  AttachedManagedPolicies: listOf(attached),
  PermissionsBoundary: boundary,
  Tags: listOf(tag),
});

export const groupDetail = z.object({
  Path: path,
  GroupName: groupName,
  GroupId: id("AGPA"),
  Arn: z.string(),
  CreateDate: date,
  GroupPolicyList: listOf(inline),
  AttachedManagedPolicies: listOf(attached),
});

export const roleDetail = z.object({
  Path: path,
  RoleName: roleName,
  RoleId: id("AROA"),
  Arn: z.string(),
  CreateDate: date,
  AssumeRolePolicyDocument: document,
  InstanceProfileList: listOf(profile),
  RolePolicyList: listOf(inline),
  AttachedManagedPolicies: listOf(attached),
  PermissionsBoundary: boundary,
  Tags: listOf(tag),
  RoleLastUsed: z.object({ LastUsedDate: date.optional(), Region: z.string().max(64).optional() }).nullish(),
  // Not members of RoleDetail: a snapshot enriched with GetRole's answers may carry them; AWS's defaults otherwise.
  Description: roleDescription.nullish(),
  MaxSessionDuration: z.number().int().min(3600).max(43200).nullish(),
});

const version = z.object({
  Document: document.optional(),
  VersionId: policyVersionId,
  IsDefaultVersion: z.boolean().optional(),
  CreateDate: date,
});

/** Customer managed policies and the AWS managed ones the account uses (those carry an `arn:aws:iam::aws:` ARN). */
export const policyDetail = z.object({
  PolicyName: policyName,
  PolicyId: z.string().regex(/^\w{16,128}$/, "must be 16 to 128 word characters"),
  Arn: z.string(),
  Path: policyPath,
  DefaultVersionId: policyVersionId.optional(),
  Description: policyDescription.nullish(),
  CreateDate: date,
  UpdateDate: date.optional(),
  PolicyVersionList: listOf(version),
  // Not a member of ManagedPolicyDetail; kept when a snapshot enriched with ListPolicyTags carries it.
  Tags: listOf(tag),
});

export const snapshotSchema = z.object({
  UserDetailList: listOf(userDetail),
  GroupDetailList: listOf(groupDetail),
  RoleDetailList: listOf(roleDetail),
  Policies: listOf(policyDetail),
  IsTruncated: z.boolean().optional(),
  Marker: z.string().nullish(),
});

export type Snapshot = z.infer<typeof snapshotSchema>;
export type UserDetail = z.infer<typeof userDetail>;
export type GroupDetail = z.infer<typeof groupDetail>;
export type RoleDetail = z.infer<typeof roleDetail>;
export type PolicyDetail = z.infer<typeof policyDetail>;
export type InlineDetail = z.infer<typeof inline>;
export type AttachedDetail = z.infer<typeof attached>;

/** The entity an issue's path points into, so the message names it rather than only an index. */
function entityAt(raw: unknown, p: PropertyKey[]): string | undefined {
  const [list, index] = p;
  if (typeof list !== "string" || typeof index !== "number" || typeof raw !== "object" || raw === null)
    return undefined;
  const item = (raw as Record<string, unknown>)[list];
  const entry = Array.isArray(item) ? (item[index] as Record<string, unknown> | undefined) : undefined;
  const name = entry?.UserName ?? entry?.GroupName ?? entry?.RoleName ?? entry?.PolicyName;
  return typeof name === "string" ? name : undefined;
}

/** Parses the snapshot's shape, or a ValidationError naming the member (and its entity) that is wrong. */
export function parseSnapshot(raw: unknown): Snapshot {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new AwsError(
      "ValidationError",
      "The snapshot must be the JSON object `aws iam get-account-authorization-details` writes.",
    );
  }
  const parsed = snapshotSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue?.path.map(String).join(".") || "snapshot";
    const entity = issue ? entityAt(raw, issue.path) : undefined;
    throw new AwsError(
      "ValidationError",
      `Invalid snapshot at ${at}${entity === undefined ? "" : ` (${entity})`}: ${issue?.message ?? "invalid"}`,
    );
  }
  if (parsed.data.IsTruncated === true) {
    throw new AwsError(
      "ValidationError",
      "The snapshot is one truncated page (IsTruncated is true); export every page, as the AWS CLI does by default.",
    );
  }
  return parsed.data;
}

/** A policy document as text: objects (the CLI) re-serialized, URL-encoded text (the SDK, the raw API) decoded. */
export function documentText(doc: string | Record<string, unknown>): string {
  if (typeof doc !== "string") return JSON.stringify(doc);
  if (doc.trimStart().startsWith("{")) return doc;
  try {
    return decodeURIComponent(doc);
  } catch {
    return doc;
  }
}
