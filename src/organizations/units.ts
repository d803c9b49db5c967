// Organizational units and the tree: create, describe, rename, delete, list OUs, children and parents.
import { z } from "zod";
import { OrganizationsError } from "../aws/organizations-errors";
import { tagStatements, assertDistinctKeys } from "../store/organization-policies";
import {
  accountsPage,
  deleteOu,
  enabledPolicyTypes,
  findAccount,
  findNode,
  insertOu,
  ousPage,
  renameOu,
  type OrgNodeRow,
} from "../store/organizations";
import { orgAttachments } from "../store/schema";
import { requireParent } from "./accounts";
import { decodeToken, DEFAULT_MAX_RESULTS, orgOperation, pageOf, type OrgContext } from "./context";
import { childIdField, ouIdField, ouNameField, paging, parentIdField, tagsField } from "./fields";
import { ouId } from "./ids";
import { defaultPolicyFor } from "./managed-policies";
import { ouArn, ouShape, targetArn } from "./shapes";

/** AWS's quota: OUs nest at most five levels below the root. */
const MAX_OU_DEPTH = 5;

async function requireOu(oc: OrgContext, id: string): Promise<OrgNodeRow> {
  const node = await findNode(oc.ctx.db, oc.org.id, id);
  if (!node || node.kind !== "ORGANIZATIONAL_UNIT") {
    throw new OrganizationsError(
      "OrganizationalUnitNotFoundException",
      "We can't find an OU with the OrganizationalUnitId that you specified.",
    );
  }
  return node;
}

/** How many OUs lie between the root and `id` (0 for the root itself). */
async function depthOf(oc: OrgContext, id: string): Promise<number> {
  let depth = 0;
  let node = await findNode(oc.ctx.db, oc.org.id, id);
  while (node?.parentId) {
    depth++;
    node = await findNode(oc.ctx.db, oc.org.id, node.parentId);
  }
  return depth;
}

const createOu = orgOperation({
  name: "CreateOrganizationalUnit",
  input: z.object({ ParentId: parentIdField, Name: ouNameField, Tags: tagsField.optional() }),
  resource: (i, oc) => targetArn(oc.org, i.ParentId),
  run: async (input, oc) => {
    const tags = input.Tags ?? [];
    assertDistinctKeys(tags);
    await requireParent(oc, input.ParentId);
    if ((await depthOf(oc, input.ParentId)) >= MAX_OU_DEPTH) {
      throw new OrganizationsError(
        "ConstraintViolationException",
        "You attempted to create an OU tree that is too many levels deep.",
        "OU_DEPTH_LIMIT_EXCEEDED",
      );
    }
    const now = oc.ctx.now.getTime();
    const ou: OrgNodeRow = {
      id: ouId(oc.rootId),
      orgId: oc.org.id,
      kind: "ORGANIZATIONAL_UNIT",
      parentId: input.ParentId,
      name: input.Name,
      createdAt: now,
    };
    const db = oc.ctx.db;
    // A new OU gets the full-access policy of every enabled type, as AWS attaches it.
    const defaults = enabledPolicyTypes(oc.org).map((type) =>
      db.insert(orgAttachments).values({
        orgId: oc.org.id,
        policyId: defaultPolicyFor(type).id,
        targetId: ou.id,
        policyType: type,
        createdAt: now,
      }),
    );
    await insertOu(db, ou, [...defaults, ...tagStatements(db, oc.org.id, ou.id, tags)]);
    return { OrganizationalUnit: ouShape(oc.org, ou) };
  },
});

const describeOu = orgOperation({
  name: "DescribeOrganizationalUnit",
  input: z.object({ OrganizationalUnitId: ouIdField }),
  resource: (i, oc) => ouArn(oc.org, i.OrganizationalUnitId),
  run: async (input, oc) => ({ OrganizationalUnit: ouShape(oc.org, await requireOu(oc, input.OrganizationalUnitId)) }),
});

const updateOu = orgOperation({
  name: "UpdateOrganizationalUnit",
  input: z.object({ OrganizationalUnitId: ouIdField, Name: ouNameField.optional() }),
  resource: (i, oc) => ouArn(oc.org, i.OrganizationalUnitId),
  run: async (input, oc) => {
    const ou = await requireOu(oc, input.OrganizationalUnitId);
    if (input.Name !== undefined && input.Name !== ou.name) await renameOu(oc.ctx.db, ou.id, input.Name);
    return { OrganizationalUnit: ouShape(oc.org, { ...ou, name: input.Name ?? ou.name }) };
  },
});

const deleteOuOp = orgOperation({
  name: "DeleteOrganizationalUnit",
  input: z.object({ OrganizationalUnitId: ouIdField }),
  resource: (i, oc) => ouArn(oc.org, i.OrganizationalUnitId),
  run: async (input, oc) => {
    const ou = await requireOu(oc, input.OrganizationalUnitId);
    await deleteOu(oc.ctx.db, ou.id);
    return undefined;
  },
});

const listOusForParent = orgOperation({
  name: "ListOrganizationalUnitsForParent",
  input: z.object({ ParentId: parentIdField, ...paging }),
  run: async (input, oc) => {
    await requireParent(oc, input.ParentId);
    const limit = input.MaxResults ?? DEFAULT_MAX_RESULTS;
    const rows = await ousPage(oc.ctx.db, oc.org.id, input.ParentId, decodeToken(input.NextToken), limit);
    const { items, NextToken } = pageOf(rows, limit, (r) => r.id);
    return { OrganizationalUnits: items.map((o) => ouShape(oc.org, o)), NextToken };
  },
});

const listChildren = orgOperation({
  name: "ListChildren",
  input: z.object({ ParentId: parentIdField, ChildType: z.enum(["ACCOUNT", "ORGANIZATIONAL_UNIT"]), ...paging }),
  run: async (input, oc) => {
    await requireParent(oc, input.ParentId);
    const limit = input.MaxResults ?? DEFAULT_MAX_RESULTS;
    const after = decodeToken(input.NextToken);
    const db = oc.ctx.db;
    const rows =
      input.ChildType === "ACCOUNT"
        ? await accountsPage(db, oc.org.id, input.ParentId, after, limit)
        : await ousPage(db, oc.org.id, input.ParentId, after, limit);
    const { items, NextToken } = pageOf<{ id: string }>(rows, limit, (r) => r.id);
    return { Children: items.map((c) => ({ Id: c.id, Type: input.ChildType })), NextToken };
  },
});

const listParents = orgOperation({
  name: "ListParents",
  input: z.object({ ChildId: childIdField, ...paging }),
  run: async (input, oc) => {
    const db = oc.ctx.db;
    const child = input.ChildId.startsWith("ou-")
      ? await findNode(db, oc.org.id, input.ChildId)
      : await findAccount(db, oc.org.id, input.ChildId);
    if (!child?.parentId) {
      throw new OrganizationsError(
        "ChildNotFoundException",
        "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.",
      );
    }
    const parentId = child.parentId;
    // A child has exactly one parent: the token can only point past it.
    const rows = decodeToken(input.NextToken) === undefined ? [parentId] : [];
    const { items, NextToken } = pageOf(rows, input.MaxResults ?? DEFAULT_MAX_RESULTS, (r) => r);
    return {
      Parents: items.map((id) => ({ Id: id, Type: id.startsWith("r-") ? "ROOT" : "ORGANIZATIONAL_UNIT" })),
      NextToken,
    };
  },
});

export const unitOperations = [createOu, describeOu, updateOu, deleteOuOp, listOusForParent, listChildren, listParents];
