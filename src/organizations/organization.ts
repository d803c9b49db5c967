// The organization itself: CreateOrganization, DescribeOrganization, DeleteOrganization, ListRoots, Enable/DisablePolicyType.
import { z } from "zod";
import { OrganizationsError } from "../aws/organizations-errors";
import type { Operation } from "../core/operation";
import { detachAllOfType, attachEverywhere } from "../store/organization-policies";
import { kvOrgSettings } from "../store/org-features";
import {
  alreadyInOrganization,
  deleteOrganization,
  enabledPolicyTypes,
  findMembership,
  insertOrganization,
  setPolicyTypes,
} from "../store/organizations";
import { orgOperation, pageOf, decodeToken, DEFAULT_MAX_RESULTS, type OrgContext } from "./context";
import { paging, policyTypeField, rootIdField } from "./fields";
import { organizationId, rootId } from "./ids";
import { defaultPolicyFor, SUPPORTED_TYPES } from "./managed-policies";
import { organizationArn, organizationShape, rootArn, rootShape } from "./shapes";

const createOrganizationInput = z.object({ FeatureSet: z.enum(["ALL", "CONSOLIDATED_BILLING"]).optional() });

/** The one operation for an account in no organization: the pipeline authorizes it, as it has no ARN to wait for. */
const createOrganization: Operation<typeof createOrganizationInput> = {
  service: "organizations",
  name: "CreateOrganization",
  input: createOrganizationInput,
  action: "organizations:CreateOrganization",
  resource: () => "*",
  run: async (input, ctx) => {
    if (input.FeatureSet === "CONSOLIDATED_BILLING") {
      // SCPs and RCPs exist only with all features, which is what this service simulates.
      throw new OrganizationsError(
        "ConstraintViolationException",
        "This simulator supports organizations with all features only (FeatureSet ALL).",
        "ORGANIZATION_NOT_IN_ALL_FEATURES_MODE",
      );
    }
    if (await findMembership(ctx.db, ctx.accountId)) throw alreadyInOrganization();
    const now = ctx.now.getTime();
    const org = {
      id: organizationId(),
      managementAccountId: ctx.accountId,
      managementEmail: `management+${ctx.accountId}@example.com`,
      featureSet: "ALL",
      policyTypes: "[]",
      createdAt: now,
    };
    const root = { id: rootId(), orgId: org.id, kind: "ROOT" as const, parentId: null, name: "Root", createdAt: now };
    await insertOrganization(ctx.db, org, root, {
      id: ctx.accountId,
      orgId: org.id,
      parentId: root.id,
      name: "Management account",
      email: org.managementEmail,
      status: "ACTIVE",
      joinedMethod: "CREATED",
      joinedAt: now,
    });
    return { Organization: organizationShape({ ...org, partition: ctx.partition }) };
  },
};

const describeOrganization = orgOperation({
  name: "DescribeOrganization",
  input: z.object({}),
  membersMayCall: true,
  resource: (_i, oc) => organizationArn(oc.org),
  run: async (_i, { org }) => ({ Organization: organizationShape(org) }),
});

const deleteOrganizationOp = orgOperation({
  name: "DeleteOrganization",
  input: z.object({}),
  resource: (_i, oc) => organizationArn(oc.org),
  run: async (_i, { ctx, org }) => {
    await deleteOrganization(ctx.db, org);
    // Trusted access, delegated administrators and IAM's root access features end with the organization.
    await kvOrgSettings(ctx.env.KV).deleteOrganization(org.id);
    return undefined;
  },
});

const listRoots = orgOperation({
  name: "ListRoots",
  input: z.object(paging),
  run: async (input, { org, rootId: id }) => {
    // One root per organization: the token can only point past it.
    const after = decodeToken(input.NextToken);
    const { items, NextToken } = pageOf(
      after === undefined ? [id] : [],
      input.MaxResults ?? DEFAULT_MAX_RESULTS,
      (r) => r,
    );
    return { Roots: items.map((r) => rootShape(org, r)), NextToken };
  },
});

const policyTypeInput = z.object({ RootId: rootIdField, PolicyType: policyTypeField });

function requireRoot(oc: OrgContext, id: string): void {
  if (id !== oc.rootId)
    throw new OrganizationsError("RootNotFoundException", "We can't find a root with the RootId that you specified.");
}

function requireSupportedType(type: string): void {
  if (!(SUPPORTED_TYPES as readonly string[]).includes(type)) {
    throw new OrganizationsError(
      "PolicyTypeNotAvailableForOrganizationException",
      "You can't use the specified policy type with the feature set currently enabled for this organization.",
    );
  }
}

const enablePolicyType = orgOperation({
  name: "EnablePolicyType",
  input: policyTypeInput,
  resource: (i, oc) => rootArn(oc.org, i.RootId),
  run: async (input, oc) => {
    requireRoot(oc, input.RootId);
    requireSupportedType(input.PolicyType);
    const types = enabledPolicyTypes(oc.org);
    if (types.includes(input.PolicyType)) {
      throw new OrganizationsError(
        "PolicyTypeAlreadyEnabledException",
        "The specified policy type is already enabled.",
      );
    }
    const next = [...types, input.PolicyType];
    const db = oc.ctx.db;
    // Enabling attaches the type's full-access policy to the root, every OU and every account, as AWS does.
    await db.batch([
      attachEverywhere(db, oc.org.id, defaultPolicyFor(input.PolicyType).id, input.PolicyType, oc.ctx.now.getTime()),
      setPolicyTypes(db, oc.org.id, next),
    ]);
    return { Root: rootShape({ ...oc.org, policyTypes: JSON.stringify(next) }, oc.rootId) };
  },
});

const disablePolicyType = orgOperation({
  name: "DisablePolicyType",
  input: policyTypeInput,
  resource: (i, oc) => rootArn(oc.org, i.RootId),
  run: async (input, oc) => {
    requireRoot(oc, input.RootId);
    const types = enabledPolicyTypes(oc.org);
    if (!types.includes(input.PolicyType)) {
      throw new OrganizationsError(
        "PolicyTypeNotEnabledException",
        "This operation can be performed only for enabled policy types.",
      );
    }
    const next = types.filter((t) => t !== input.PolicyType);
    // Disabling detaches every policy of the type; the policies themselves stay.
    const db = oc.ctx.db;
    await db.batch([detachAllOfType(db, oc.org.id, input.PolicyType), setPolicyTypes(db, oc.org.id, next)]);
    return { Root: rootShape({ ...oc.org, policyTypes: JSON.stringify(next) }, oc.rootId) };
  },
});

export const organizationOperations = [
  createOrganization,
  describeOrganization,
  deleteOrganizationOp,
  listRoots,
  enablePolicyType,
  disablePolicyType,
];
