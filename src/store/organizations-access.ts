// The organization as Organizations access reports read it: its tree, its accounts and its SCP attachments, in one round trip.
import { and, eq } from "drizzle-orm";
import type { Db } from "./db";
import { orgAccounts, orgAttachments, orgNodes, orgPolicies } from "./schema";

const SCP = "SERVICE_CONTROL_POLICY";

export interface OrgTreeNode {
  id: string;
  kind: "ROOT" | "ORGANIZATIONAL_UNIT";
  parentId: string | null;
}

export interface OrgTreeAccount {
  id: string;
  parentId: string;
}

/** One SCP attached to a root, OU or account; `content` is null for an AWS managed policy (FullAWSAccess). */
export interface OrgScpAttachment {
  targetId: string;
  policyId: string;
  content: string | null;
}

export interface OrgTree {
  nodes: OrgTreeNode[];
  accounts: OrgTreeAccount[];
  scps: OrgScpAttachment[];
  /** The customer managed policy `policyId` names, when one was asked for and the organization has it. */
  policy?: { id: string; type: string; content: string };
}

/**
 * Every root and OU, every account and every SCP attachment of the organization, and the policy a report names:
 * one batch. Organizations are small (AWS's default quota is a few thousand accounts and OUs), so the report
 * walks the tree in memory rather than with one recursive query per question.
 */
export async function readOrgTree(db: Db, orgId: string, policyId: string | undefined): Promise<OrgTree> {
  const [nodes, accounts, scps, policies] = await db.batch([
    db
      .select({ id: orgNodes.id, kind: orgNodes.kind, parentId: orgNodes.parentId })
      .from(orgNodes)
      .where(eq(orgNodes.orgId, orgId)),
    db
      .select({ id: orgAccounts.id, parentId: orgAccounts.parentId })
      .from(orgAccounts)
      .where(eq(orgAccounts.orgId, orgId)),
    db
      .select({ targetId: orgAttachments.targetId, policyId: orgAttachments.policyId, content: orgPolicies.content })
      .from(orgAttachments)
      .leftJoin(orgPolicies, eq(orgPolicies.id, orgAttachments.policyId))
      .where(and(eq(orgAttachments.orgId, orgId), eq(orgAttachments.policyType, SCP))),
    db
      .select({ id: orgPolicies.id, type: orgPolicies.type, content: orgPolicies.content })
      .from(orgPolicies)
      .where(and(eq(orgPolicies.orgId, orgId), eq(orgPolicies.id, policyId ?? "")))
      .limit(1),
  ]);
  return { nodes, accounts, scps, policy: policies[0] };
}
