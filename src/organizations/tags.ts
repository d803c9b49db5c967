// Tags on roots, OUs, accounts and policies: TagResource, UntagResource, ListTagsForResource.
import { z } from "zod";
import { OrganizationsError } from "../aws/organizations-errors";
import { assertDistinctKeys, findPolicy, putTags, removeTags, tagsPage } from "../store/organization-policies";
import { findAccount, findNode } from "../store/organizations";
import { decodeToken, DEFAULT_MAX_RESULTS, orgOperation, pageOf, type OrgContext } from "./context";
import { nextTokenField, tagKeysField, tagsField, taggableIdField } from "./fields";
import { policyArn, targetArn } from "./shapes";
import { SCP } from "./managed-policies";

/** A taggable resource of the organization must exist; AWS managed policies are not the organization's to tag. */
async function requireTaggable(oc: OrgContext, id: string): Promise<void> {
  const db = oc.ctx.db;
  const found = id.startsWith("p-")
    ? await findPolicy(db, oc.org.id, id)
    : /^\d{12}$/.test(id)
      ? await findAccount(db, oc.org.id, id)
      : await findNode(db, oc.org.id, id);
  if (!found) {
    throw new OrganizationsError(
      "TargetNotFoundException",
      "We can't find a root, OU, account, or policy with the TargetId that you specified.",
    );
  }
}

const resourceArn = (i: { ResourceId: string }, oc: OrgContext) =>
  i.ResourceId.startsWith("p-") ? policyArn(oc.org, SCP, i.ResourceId) : targetArn(oc.org, i.ResourceId);

const tagResource = orgOperation({
  name: "TagResource",
  input: z.object({ ResourceId: taggableIdField, Tags: tagsField }),
  resource: resourceArn,
  run: async (input, oc) => {
    assertDistinctKeys(input.Tags);
    await requireTaggable(oc, input.ResourceId);
    await putTags(oc.ctx.db, oc.org.id, input.ResourceId, input.Tags);
    return undefined;
  },
});

const untagResource = orgOperation({
  name: "UntagResource",
  input: z.object({ ResourceId: taggableIdField, TagKeys: tagKeysField }),
  resource: resourceArn,
  run: async (input, oc) => {
    await requireTaggable(oc, input.ResourceId);
    await removeTags(oc.ctx.db, input.ResourceId, input.TagKeys);
    return undefined;
  },
});

const listTagsForResource = orgOperation({
  name: "ListTagsForResource",
  input: z.object({ ResourceId: taggableIdField, NextToken: nextTokenField.optional() }),
  resource: resourceArn,
  run: async (input, oc) => {
    await requireTaggable(oc, input.ResourceId);
    const limit = DEFAULT_MAX_RESULTS;
    const rows = await tagsPage(oc.ctx.db, input.ResourceId, decodeToken(input.NextToken), limit);
    const { items, NextToken } = pageOf(rows, limit, (r) => r.key);
    return { Tags: items.map((t) => ({ Key: t.key, Value: t.value })), NextToken };
  },
});

export const tagOperations = [tagResource, untagResource, listTagsForResource];
