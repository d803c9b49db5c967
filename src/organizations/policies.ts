// Organization policies (SCPs, RCPs): create, update, delete, describe, list, attach, detach and their targets.
import { z } from "zod";
import { OrganizationsError, constraintViolation, invalidInput } from "../aws/organizations-errors";
import { validatePolicyDocument } from "../engine/index";
import {
  assertDistinctKeys,
  attach,
  deletePolicy,
  detach,
  findPolicy,
  insertPolicy,
  policiesForTargetPage,
  policiesPage,
  targetsForPolicyPage,
  updatePolicy,
  type OrgPolicyRow,
} from "../store/organization-policies";
import { enabledPolicyTypes, findAccount, findNode } from "../store/organizations";
import { decodeToken, DEFAULT_MAX_RESULTS, orgOperation, pageOf, type OrgContext } from "./context";
import {
  paging,
  policyContentField,
  policyDescriptionField,
  policyIdField,
  policyNameField,
  policyTypeField,
  tagsField,
  targetIdField,
} from "./fields";
import { policyId as newPolicyId } from "./ids";
import {
  defaultPolicyFor,
  managedOrgPolicy,
  RCP,
  RCP_FULL_AWS_ACCESS,
  SCP,
  SUPPORTED_TYPES,
  type ManagedOrgPolicy,
} from "./managed-policies";
import { policyArn, policyShape, policySummary, targetArn } from "./shapes";

/** AWS's size quota for SCPs and RCPs, in characters. */
const MAX_CONTENT = 5120;

type AnyPolicy = OrgPolicyRow | ManagedOrgPolicy;

const policyNotFound = () =>
  new OrganizationsError("PolicyNotFoundException", "We can't find a policy with the PolicyId that you specified.");

async function requirePolicy(oc: OrgContext, id: string): Promise<AnyPolicy> {
  const policy = managedOrgPolicy(id) ?? (await findPolicy(oc.ctx.db, oc.org.id, id));
  if (!policy) throw policyNotFound();
  return policy;
}

function requireSupportedType(type: string): void {
  if (!(SUPPORTED_TYPES as readonly string[]).includes(type)) {
    throw new OrganizationsError(
      "PolicyTypeNotAvailableForOrganizationException",
      "You can't use the specified policy type with the feature set currently enabled for this organization.",
    );
  }
}

/** An SCP or RCP must be valid in its own grammar (SCPs: no Principal; RCPs: Principal "*") and within 5,120 characters. */
function assertValidContent(type: string, content: string, partition: string): void {
  if (content.length > MAX_CONTENT) {
    throw constraintViolation(
      "POLICY_CONTENT_LIMIT_EXCEEDED",
      "You attempted to create a policy larger than the maximum size.",
    );
  }
  const result = validatePolicyDocument(content, type === RCP ? "rcp" : "scp", { partition });
  if (!result.ok) throw new OrganizationsError("MalformedPolicyDocumentException", result.message);
}

const immutable = () =>
  invalidInput("IMMUTABLE_POLICY", "You specified a policy that is managed by AWS and can't be modified.");

/** The kind of a root, OU or account id, and whether it exists in the organization. */
async function requireTarget(oc: OrgContext, id: string): Promise<void> {
  const db = oc.ctx.db;
  const found = /^\d{12}$/.test(id) ? await findAccount(db, oc.org.id, id) : await findNode(db, oc.org.id, id);
  if (!found) {
    throw new OrganizationsError(
      "TargetNotFoundException",
      "We can't find a root, OU, account, or policy with the TargetId that you specified.",
    );
  }
}

const createPolicy = orgOperation({
  name: "CreatePolicy",
  input: z.object({
    Content: policyContentField,
    Description: policyDescriptionField,
    Name: policyNameField,
    Type: policyTypeField,
    Tags: tagsField.optional(),
  }),
  run: async (input, oc) => {
    requireSupportedType(input.Type);
    assertValidContent(input.Type, input.Content, oc.ctx.partition);
    const tags = input.Tags ?? [];
    assertDistinctKeys(tags);
    const row: OrgPolicyRow = {
      id: newPolicyId(),
      orgId: oc.org.id,
      type: input.Type,
      name: input.Name,
      description: input.Description,
      content: input.Content,
      createdAt: oc.ctx.now.getTime(),
    };
    const tagRows = tags.map((t) => ({ orgId: oc.org.id, resourceId: row.id, key: t.Key, value: t.Value }));
    await insertPolicy(oc.ctx.db, row, tagRows);
    return { Policy: policyShape(oc.org, row) };
  },
});

const policyResource = (i: { PolicyId: string }, oc: OrgContext) =>
  // The type is not known before the row is read; SCP ids are by far the common case.
  policyArn(oc.org, managedOrgPolicy(i.PolicyId)?.type ?? SCP, i.PolicyId);

const updatePolicyOp = orgOperation({
  name: "UpdatePolicy",
  input: z.object({
    PolicyId: policyIdField,
    Name: policyNameField.optional(),
    Description: policyDescriptionField.optional(),
    Content: policyContentField.optional(),
  }),
  resource: policyResource,
  run: async (input, oc) => {
    const policy = await requirePolicy(oc, input.PolicyId);
    if (!("orgId" in policy)) throw immutable();
    if (input.Content !== undefined) assertValidContent(policy.type, input.Content, oc.ctx.partition);
    const changes: Partial<OrgPolicyRow> = {};
    if (input.Name !== undefined) changes.name = input.Name;
    if (input.Description !== undefined) changes.description = input.Description;
    if (input.Content !== undefined) changes.content = input.Content;
    await updatePolicy(oc.ctx.db, policy.id, changes);
    return { Policy: policyShape(oc.org, { ...policy, ...changes }) };
  },
});

const deletePolicyOp = orgOperation({
  name: "DeletePolicy",
  input: z.object({ PolicyId: policyIdField }),
  resource: policyResource,
  run: async (input, oc) => {
    const policy = await requirePolicy(oc, input.PolicyId);
    if (!("orgId" in policy)) throw immutable();
    await deletePolicy(oc.ctx.db, policy.id);
    return undefined;
  },
});

const describePolicy = orgOperation({
  name: "DescribePolicy",
  input: z.object({ PolicyId: policyIdField }),
  resource: policyResource,
  run: async (input, oc) => ({ Policy: policyShape(oc.org, await requirePolicy(oc, input.PolicyId)) }),
});

/** A page of the managed policy of `type` (always first) and the organization's own policies after it. */
async function policiesOfType(oc: OrgContext, type: string, token: string | undefined, limit: number) {
  const after = decodeToken(token);
  // The token "" means "past the managed policy"; customer policies follow in id order.
  const own = await policiesPage(oc.ctx.db, oc.org.id, type, after === "" ? undefined : after, limit);
  const rows: AnyPolicy[] = after === undefined ? [defaultPolicyFor(type), ...own] : own;
  return pageOf(rows, limit, (p) => ("orgId" in p ? p.id : ""));
}

const listPolicies = orgOperation({
  name: "ListPolicies",
  input: z.object({ Filter: policyTypeField, ...paging }),
  run: async (input, oc) => {
    requireSupportedType(input.Filter);
    const { items, NextToken } = await policiesOfType(
      oc,
      input.Filter,
      input.NextToken,
      input.MaxResults ?? DEFAULT_MAX_RESULTS,
    );
    return { Policies: items.map((p) => policySummary(oc.org, p)), NextToken };
  },
});

const attachInput = z.object({ PolicyId: policyIdField, TargetId: targetIdField });

const attachPolicy = orgOperation({
  name: "AttachPolicy",
  input: attachInput,
  resource: policyResource,
  run: async (input, oc) => {
    const policy = await requirePolicy(oc, input.PolicyId);
    await requireTarget(oc, input.TargetId);
    if (!enabledPolicyTypes(oc.org).includes(policy.type)) {
      throw new OrganizationsError(
        "PolicyTypeNotEnabledException",
        "This operation can be performed only for enabled policy types.",
      );
    }
    await attach(oc.ctx.db, {
      orgId: oc.org.id,
      policyId: policy.id,
      targetId: input.TargetId,
      policyType: policy.type,
      createdAt: oc.ctx.now.getTime(),
    });
    return undefined;
  },
});

const detachPolicy = orgOperation({
  name: "DetachPolicy",
  input: attachInput,
  resource: policyResource,
  run: async (input, oc) => {
    const policy = await requirePolicy(oc, input.PolicyId);
    await requireTarget(oc, input.TargetId);
    if (policy.id === RCP_FULL_AWS_ACCESS.id) {
      throw invalidInput("NON_DETACHABLE_POLICY", "You can't detach this AWS Managed Policy.");
    }
    // Every root, OU and account keeps at least one SCP, so a detach may not remove the last one.
    await detach(oc.ctx.db, policy.id, input.TargetId, policy.type, policy.type === SCP);
    return undefined;
  },
});

const listPoliciesForTarget = orgOperation({
  name: "ListPoliciesForTarget",
  input: z.object({ TargetId: targetIdField, Filter: policyTypeField, ...paging }),
  run: async (input, oc) => {
    requireSupportedType(input.Filter);
    await requireTarget(oc, input.TargetId);
    const limit = input.MaxResults ?? DEFAULT_MAX_RESULTS;
    const rows = await policiesForTargetPage(
      oc.ctx.db,
      input.TargetId,
      input.Filter,
      decodeToken(input.NextToken),
      limit,
    );
    const { items, NextToken } = pageOf(rows, limit, (r) => r.policyId);
    const policies = items.flatMap((r) => {
      const p = r.policy ?? managedOrgPolicy(r.policyId);
      return p ? [policySummary(oc.org, p)] : [];
    });
    return { Policies: policies, NextToken };
  },
});

const listTargetsForPolicy = orgOperation({
  name: "ListTargetsForPolicy",
  input: z.object({ PolicyId: policyIdField, ...paging }),
  resource: policyResource,
  run: async (input, oc) => {
    await requirePolicy(oc, input.PolicyId);
    const limit = input.MaxResults ?? DEFAULT_MAX_RESULTS;
    const rows = await targetsForPolicyPage(oc.ctx.db, oc.org.id, input.PolicyId, decodeToken(input.NextToken), limit);
    const { items, NextToken } = pageOf(rows, limit, (r) => r.targetId);
    return {
      Targets: items.map((t) => ({
        TargetId: t.targetId,
        Arn: targetArn(oc.org, t.targetId),
        Name: t.nodeName ?? t.accountName ?? "",
        Type: t.nodeKind ?? "ACCOUNT",
      })),
      NextToken,
    };
  },
});

export const policyOperations = [
  createPolicy,
  updatePolicyOp,
  deletePolicyOp,
  describePolicy,
  listPolicies,
  attachPolicy,
  detachPolicy,
  listPoliciesForTarget,
  listTargetsForPolicy,
];
