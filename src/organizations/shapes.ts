// AWS's ARNs for organization resources and the response shapes of the model (Organization, Root, Account...).
import type { XmlValue } from "../aws/xml";
import type { OrgPolicyRow } from "../store/organization-policies";
import {
  enabledPolicyTypes,
  type CreateAccountStatusRow,
  type OrgAccountRow,
  type OrgNodeRow,
  type OrgRow,
} from "../store/organizations";
import { typeSegment, type ManagedOrgPolicy } from "./managed-policies";

/** A structure of the model, as the codec encodes it. */
export type Shape = { [key: string]: XmlValue };

/**
 * An organization row as a request sees it: its ARNs are in the request's partition (the pipeline adds it; a row
 * without one is in `aws`).
 */
export type OrgInPartition = OrgRow & { partition?: string };

const partitionOfOrg = (org: OrgInPartition) => org.partition ?? "aws";
const base = (org: OrgInPartition) => `arn:${partitionOfOrg(org)}:organizations::${org.managementAccountId}`;

export const organizationArn = (org: OrgInPartition) => `${base(org)}:organization/${org.id}`;
export const rootArn = (org: OrgInPartition, id: string) => `${base(org)}:root/${org.id}/${id}`;
export const ouArn = (org: OrgInPartition, id: string) => `${base(org)}:ou/${org.id}/${id}`;
export const accountArn = (org: OrgInPartition, id: string) => `${base(org)}:account/${org.id}/${id}`;
export const policyArn = (org: OrgInPartition, type: string, id: string) =>
  id.startsWith("p-") && /[A-Z]/.test(id)
    ? `arn:${partitionOfOrg(org)}:organizations::aws:policy/${typeSegment(type)}/${id}`
    : `${base(org)}:policy/${org.id}/${typeSegment(type)}/${id}`;

/** The ARN of a root, OU or account named by id. */
export function targetArn(org: OrgInPartition, id: string): string {
  if (id.startsWith("r-")) return rootArn(org, id);
  if (id.startsWith("ou-")) return ouArn(org, id);
  return accountArn(org, id);
}

export function organizationShape(org: OrgInPartition): Shape {
  return {
    Id: org.id,
    Arn: organizationArn(org),
    FeatureSet: org.featureSet,
    MasterAccountArn: accountArn(org, org.managementAccountId),
    MasterAccountId: org.managementAccountId,
    MasterAccountEmail: org.managementEmail,
    // Deprecated in the model ("use the root's PolicyTypes"); AWS still answers it, with the enabled types.
    AvailablePolicyTypes: policyTypesShape(org),
  };
}

function policyTypesShape(org: OrgInPartition): Shape[] {
  return enabledPolicyTypes(org).map((t) => ({ Type: t, Status: "ENABLED" }));
}

export function rootShape(org: OrgInPartition, rootId: string): Shape {
  return { Id: rootId, Arn: rootArn(org, rootId), Name: "Root", PolicyTypes: policyTypesShape(org) };
}

export function ouShape(org: OrgInPartition, ou: OrgNodeRow): Shape {
  return { Id: ou.id, Arn: ouArn(org, ou.id), Name: ou.name };
}

export function accountShape(org: OrgInPartition, a: OrgAccountRow): Shape {
  return {
    Id: a.id,
    Arn: accountArn(org, a.id),
    Email: a.email,
    Name: a.name,
    Status: a.status,
    // The newer State member: a closed account is SUSPENDED in Status and CLOSED in State.
    State: a.status === "SUSPENDED" ? "CLOSED" : a.status,
    JoinedMethod: a.joinedMethod,
    JoinedTimestamp: new Date(a.joinedAt),
  };
}

export function createAccountStatusShape(s: CreateAccountStatusRow): Shape {
  return {
    Id: s.id,
    AccountName: s.accountName,
    State: s.state,
    RequestedTimestamp: new Date(s.requestedAt),
    CompletedTimestamp: s.completedAt === null ? undefined : new Date(s.completedAt),
    AccountId: s.accountId ?? undefined,
    FailureReason: s.failureReason ?? undefined,
  };
}

export function policySummary(org: OrgInPartition, p: OrgPolicyRow | ManagedOrgPolicy): Shape {
  const managed = !("orgId" in p);
  return {
    Id: p.id,
    Arn: policyArn(org, p.type, p.id),
    Name: p.name,
    Description: p.description,
    Type: p.type,
    AwsManaged: managed,
  };
}

export function policyShape(org: OrgInPartition, p: OrgPolicyRow | ManagedOrgPolicy): Shape {
  return { PolicySummary: policySummary(org, p), Content: p.content };
}
