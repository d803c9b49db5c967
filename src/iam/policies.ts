// Managed policy operations: create, read, list (customer and AWS managed), delete and tag managed policies.
import { z } from "zod";
import { AwsError, concurrentModification } from "../aws/errors";
import { parsePolicyArn } from "../aws/arn";
import { uniqueId } from "../aws/ids";
import type { XmlValue } from "../aws/xml";
import { validatePolicyDocument } from "../engine/index";
import { entityArn, guardedWrite, iamOperation, policyRef, type OperationContext } from "../core/operation";
import { bool } from "../api/validation";
import {
  awsManagedUsageStatements,
  deletePolicyBlockerQueries,
  deletePolicyOutcome,
  deletePolicyStatements,
  findPolicy,
  findPolicyWithUsage,
  insertPolicy,
  listPoliciesPage,
  policyExistsQuery,
  refuseDeletePolicy,
  usageByArn,
  type PolicyRow,
  type PolicyUsage,
} from "../store/policies";
import { assertDistinctKeys, listTags, tagResource, untagResource, type Tag } from "../store/tags";
import {
  awsManagedPolicies,
  awsManagedInPartition,
  findAwsManagedPolicy,
  isAwsManagedArn,
  type AwsManagedPolicy,
} from "./aws-managed-policies";
import { arn, paging, policyDescription, policyDocument, policyName, policyPath, tagKeyList, tagList } from "./fields";
import { nameKey } from "./names";
import { decodeMarker, DEFAULT_MAX_ITEMS, encodeMarker } from "./paging";
import { pageOfTags } from "./tagging";

export const MAX_MANAGED_POLICY_SIZE = 6144;

/** IAM measures policy sizes without whitespace. */
export function policySize(document: string): number {
  return document.replace(/\s/g, "").length;
}

/**
 * Rejects a document the policy language does not accept, with the engine's AWS-worded message. `managed`: a
 * customer managed policy, which (unlike an inline one) must be written in the 2012-10-17 language.
 */
export function assertValidIdentityPolicy(document: string, partition: string, managed = false): void {
  const result = validatePolicyDocument(document, "identity", { managed, partition });
  if (!result.ok) throw new AwsError("MalformedPolicyDocument", result.message);
}

/** A managed policy document: valid managed policy language within the 6,144-character quota. */
export function assertValidManagedDocument(document: string, partition: string): void {
  assertValidIdentityPolicy(document, partition, true);
  if (policySize(document) > MAX_MANAGED_POLICY_SIZE) {
    throw new AwsError("LimitExceeded", `Cannot exceed quota for PolicySize: ${MAX_MANAGED_POLICY_SIZE}`);
  }
}

/** ARNs that are not policy ARNs at all are invalid input rather than missing policies. */
export function assertPolicyArn(policyArn: string): void {
  if (!parsePolicyArn(policyArn)) throw new AwsError("InvalidInput", `ARN ${policyArn} is not valid.`);
}

/**
 * AWS managed policies belong to AWS: changing one is an action on a resource in another account, which no policy of
 * the caller's account can allow.
 */
function awsManagedDenied(ctx: OperationContext, action: string, policyArn: string): AwsError {
  return new AwsError(
    "AccessDenied",
    `User: ${ctx.principal.arn} is not authorized to perform: iam:${action} on resource: policy ${policyArn} because no resource-based policy allows the iam:${action} action`,
  );
}

/** The customer managed policy an operation is about to change; AWS managed ones are refused as AWS refuses them. */
export async function requireModifiablePolicy(
  ctx: OperationContext,
  action: string,
  policyArn: string,
): Promise<PolicyRow> {
  if (isAwsManagedArn(policyArn)) throw awsManagedDenied(ctx, action, policyArn);
  return requireLocalPolicy(ctx, policyArn);
}

/** The customer managed policy or NoSuchEntity in AWS's words. */
export async function requireLocalPolicy(ctx: OperationContext, policyArn: string): Promise<PolicyRow> {
  assertPolicyArn(policyArn);
  const row = await findPolicy(ctx.db, ctx.accountId, policyArn);
  if (!row) throw new AwsError("NoSuchEntity", `Policy ${policyArn} was not found.`);
  return row;
}

/** What the Policy and ManagedPolicyDetail shapes need, from a row or from the AWS catalogue. */
export interface ManagedPolicyView {
  name: string;
  id: string;
  arn: string;
  path: string;
  defaultVersionId: string;
  description?: string | null;
  createDate: Date;
  updateDate: Date;
}

export function viewOfRow(p: PolicyRow): ManagedPolicyView {
  return {
    name: p.name,
    id: p.id,
    arn: p.arn,
    path: p.path,
    defaultVersionId: p.defaultVersionId,
    description: p.description,
    createDate: new Date(p.createdAt),
    updateDate: new Date(p.updatedAt),
  };
}

export function viewOfAws(p: AwsManagedPolicy): ManagedPolicyView {
  return {
    name: p.name,
    id: p.id,
    arn: p.arn,
    path: p.path,
    defaultVersionId: p.defaultVersionId,
    description: p.description,
    createDate: p.createDate,
    updateDate: p.updateDate,
  };
}

const NO_USAGE: PolicyUsage = { attachments: 0, boundaries: 0 };

/** The Policy shape in the model's member order; ListPolicies leaves out Description and Tags. */
export function policyShape(
  p: ManagedPolicyView,
  usage: PolicyUsage = NO_USAGE,
  opts: { description?: boolean; tags?: Tag[] } = {},
): XmlValue {
  return {
    PolicyName: p.name,
    PolicyId: p.id,
    Arn: p.arn,
    Path: p.path,
    DefaultVersionId: p.defaultVersionId,
    AttachmentCount: usage.attachments,
    PermissionsBoundaryUsageCount: usage.boundaries,
    IsAttachable: true,
    Description: opts.description && p.description ? p.description : undefined,
    CreateDate: p.createDate,
    UpdateDate: p.updateDate,
    Tags: opts.tags && opts.tags.length > 0 ? (opts.tags as unknown as XmlValue) : undefined,
  };
}

const policyResource = (ctx: OperationContext, name: string, path = "/") => entityArn(ctx, "policy", name, path);

export const createPolicy = iamOperation(
  "CreatePolicy",
  z.object({
    PolicyName: policyName,
    Path: policyPath.optional(),
    PolicyDocument: policyDocument,
    Description: policyDescription.optional(),
    Tags: tagList.optional(),
  }),
  (i, ctx) => policyResource(ctx, i.PolicyName, i.Path),
  async (i, ctx) => {
    const tags = i.Tags ?? [];
    assertDistinctKeys(tags.map((t) => t.Key));
    assertValidManagedDocument(i.PolicyDocument, ctx.partition);
    const path = i.Path ?? "/";
    const now = ctx.now.getTime();
    const row: PolicyRow = {
      id: uniqueId("ANPA"),
      accountId: ctx.accountId,
      name: i.PolicyName,
      nameKey: nameKey(i.PolicyName),
      path,
      arn: policyResource(ctx, i.PolicyName, path),
      description: i.Description ?? null,
      defaultVersionId: "v1",
      nextVersion: 2,
      createdAt: now,
      updatedAt: now,
    };
    await insertPolicy(ctx.db, row, i.PolicyDocument, tags);
    // AWS's CreatePolicy answer leaves Description out even when one was given; GetPolicy returns it.
    return { Policy: policyShape(viewOfRow(row), NO_USAGE, { tags }) };
  },
);

const byArn = z.object({ PolicyArn: arn });

export const getPolicy = iamOperation(
  "GetPolicy",
  byArn,
  (i) => policyRef(i.PolicyArn),
  async (i, ctx) => {
    assertPolicyArn(i.PolicyArn);
    if (isAwsManagedArn(i.PolicyArn)) {
      const aws = findAwsManagedPolicy(i.PolicyArn);
      if (!aws) throw new AwsError("NoSuchEntity", `Policy ${i.PolicyArn} was not found.`);
      const [a, b, c] = awsManagedUsageStatements(ctx.db, ctx.accountId);
      const usage = usageByArn(...(await ctx.db.batch([a, b, c])));
      return { Policy: policyShape(viewOfAws(aws), usage.get(aws.arn), { description: true }) };
    }
    const found = await findPolicyWithUsage(ctx.db, ctx.accountId, i.PolicyArn);
    if (!found) throw new AwsError("NoSuchEntity", `Policy ${i.PolicyArn} was not found.`);
    const tags = await listTags(ctx.db, found.policy.id);
    return { Policy: policyShape(viewOfRow(found.policy), found, { description: true, tags }) };
  },
);

/** ListPolicies markers name the section (L: customer managed, A: AWS managed) and the last name key returned. */
function parseListMarker(marker: string | undefined): { section: "L" | "A"; key: string } | undefined {
  const raw = decodeMarker(marker);
  if (raw === undefined) return undefined;
  const section = raw.charAt(0);
  if ((section !== "L" && section !== "A") || raw.charAt(1) !== "|") {
    throw new AwsError("ValidationError", "Invalid Marker: the marker does not come from a previous response.");
  }
  return { section, key: raw.slice(2) };
}

export const listPolicies = iamOperation(
  "ListPolicies",
  z.object({
    Scope: z.enum(["All", "AWS", "Local"]).optional(),
    OnlyAttached: bool().optional(),
    PathPrefix: policyPath.optional(),
    PolicyUsageFilter: z.enum(["PermissionsPolicy", "PermissionsBoundary"]).optional(),
    ...paging,
  }),
  (_i, ctx) => policyResource(ctx, ""),
  async (i, ctx) => {
    const scope = i.Scope ?? "All";
    const max = i.MaxItems ?? DEFAULT_MAX_ITEMS;
    const marker = parseListMarker(i.Marker);
    const wantLocal = scope !== "AWS" && marker?.section !== "A";
    const wantAws = scope !== "Local";
    const filter = { pathPrefix: i.PathPrefix, onlyAttached: i.OnlyAttached, usage: i.PolicyUsageFilter };

    // One round trip: the page of customer managed policies (with their counts) and the AWS managed usage counts.
    const localQuery = listPoliciesPage(ctx.db, ctx.accountId, filter, marker?.key, wantLocal ? max + 1 : 0);
    const [a, b, c] = awsManagedUsageStatements(ctx.db, ctx.accountId);
    const [localRows, attached, userBoundaries, roleBoundaries] = await ctx.db.batch([localQuery, a, b, c]);

    const out: XmlValue[] = [];
    for (const r of localRows.slice(0, max)) out.push(policyShape(viewOfRow(r.policy), r));
    if (localRows.length > max) {
      const last = localRows[max - 1];
      return { Policies: out, IsTruncated: true, Marker: encodeMarker(`L|${last?.policy.nameKey ?? ""}`) };
    }
    if (!wantAws) return { Policies: out, IsTruncated: false };

    const usage = usageByArn(attached, userBoundaries, roleBoundaries);
    const after = marker?.section === "A" ? marker.key : undefined;
    const prefix = i.PathPrefix;
    const room = max - out.length;
    let taken = 0;
    let lastKey = "";
    for (const bundled of awsManagedPolicies()) {
      const p = awsManagedInPartition(bundled, ctx.partition);
      const key = p.name.toLowerCase();
      if (after !== undefined && key <= after) continue;
      if (prefix !== undefined && !p.path.startsWith(prefix)) continue;
      const u = usage.get(p.arn) ?? NO_USAGE;
      if ((filter.onlyAttached || filter.usage === "PermissionsPolicy") && u.attachments === 0) continue;
      if (filter.usage === "PermissionsBoundary" && u.boundaries === 0) continue;
      if (taken === room) return { Policies: out, IsTruncated: true, Marker: encodeMarker(`A|${lastKey}`) };
      out.push(policyShape(viewOfAws(p), u));
      taken++;
      lastKey = key;
    }
    return { Policies: out, IsTruncated: false };
  },
);

/** Whether DeletePolicy could go on as far as the ARN alone tells: a customer managed policy's ARN. */
const deletableByArn = (policyArn: string) => !isAwsManagedArn(policyArn) && parsePolicyArn(policyArn) !== null;

export const deletePolicyOp = {
  ...iamOperation(
    "DeletePolicy",
    byArn,
    (i) => policyRef(i.PolicyArn),
    async (i, ctx) => {
      if (isAwsManagedArn(i.PolicyArn)) throw awsManagedDenied(ctx, "DeletePolicy", i.PolicyArn);
      assertPolicyArn(i.PolicyArn);
      const [policyRows, ...blockers] = ctx.preloaded ?? [];
      refuseDeletePolicy(i.PolicyArn, policyRows, blockers);
      const outcome = deletePolicyOutcome(await guardedWrite(ctx));
      if (outcome.deleted) return undefined;
      // The guard refused what the preload allowed: a concurrent request deleted the policy, attached it, made it a
      // boundary or added a version. The guard's own reads say which, in the same words.
      refuseDeletePolicy(i.PolicyArn, outcome.policyRows, outcome.blockers);
      throw concurrentModification();
    },
  ),
  // The policy and what blocks its deletion ride in the authorization batch, then the guarded deletes: two round
  // trips in all, or one for a caller with no authorization batch, whose deletes ride along.
  preload: (i: z.infer<typeof byArn>, ctx: OperationContext) =>
    deletableByArn(i.PolicyArn)
      ? [
          policyExistsQuery(ctx.db, ctx.accountId, i.PolicyArn),
          ...deletePolicyBlockerQueries(ctx.db, ctx.accountId, i.PolicyArn),
        ]
      : [],
  write: (i: z.infer<typeof byArn>, ctx: OperationContext) =>
    deletableByArn(i.PolicyArn) ? deletePolicyStatements(ctx.db, ctx.accountId, i.PolicyArn) : [],
};

export const tagPolicy = iamOperation(
  "TagPolicy",
  z.object({ PolicyArn: arn, Tags: tagList }),
  (i) => policyRef(i.PolicyArn),
  async (i, ctx) => {
    const policy = await requireModifiablePolicy(ctx, "TagPolicy", i.PolicyArn);
    await tagResource(ctx.db, ctx.accountId, "policy", policy.id, i.Tags);
    return undefined;
  },
);

export const untagPolicy = iamOperation(
  "UntagPolicy",
  z.object({ PolicyArn: arn, TagKeys: tagKeyList }),
  (i) => policyRef(i.PolicyArn),
  async (i, ctx) => {
    const policy = await requireModifiablePolicy(ctx, "UntagPolicy", i.PolicyArn);
    await untagResource(ctx.db, policy.id, i.TagKeys);
    return undefined;
  },
);

export const listPolicyTags = iamOperation(
  "ListPolicyTags",
  z.object({ PolicyArn: arn, ...paging }),
  (i) => policyRef(i.PolicyArn),
  async (i, ctx) => {
    if (isAwsManagedArn(i.PolicyArn)) {
      // AWS managed policies carry no tags visible to an account.
      if (!findAwsManagedPolicy(i.PolicyArn))
        throw new AwsError("NoSuchEntity", `Policy ${i.PolicyArn} was not found.`);
      return pageOfTags([], i.Marker, i.MaxItems);
    }
    const policy = await requireLocalPolicy(ctx, i.PolicyArn);
    return pageOfTags(await listTags(ctx.db, policy.id), i.Marker, i.MaxItems);
  },
);

export const policyOperations = [
  createPolicy,
  getPolicy,
  listPolicies,
  deletePolicyOp,
  tagPolicy,
  untagPolicy,
  listPolicyTags,
];
