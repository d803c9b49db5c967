// The AWS managed policies (arn:aws:iam::aws:policy/...): read-only data bundled with the Worker, indexed on first use.
import { isAwsManagedPolicyArn, partitionOfArn } from "../aws/arn";
import catalogue from "../generated/aws-managed-policies.json";

/** One AWS managed policy at its default version, as GetPolicy, attachment and authorization see it. */
export interface AwsManagedPolicy {
  arn: string;
  name: string;
  path: string;
  id: string;
  defaultVersionId: string;
  /** The default version's document, minified JSON text. */
  document: string;
  createDate: Date;
  updateDate: Date;
  description?: string;
  /** Service-linked role policies may only be attached by AWS itself to its service-linked roles. */
  attachable: boolean;
  /** True for policies under /aws-service-role/, reserved for service-linked roles. */
  serviceLinked: boolean;
}

interface AssetEntry {
  name: string;
  path: string;
  id: string;
  defaultVersionId: string;
  createDate: string;
  updateDate: string;
  description?: string;
  document: string;
}

export const AWS_MANAGED_ARN_PREFIX = "arn:aws:iam::aws:policy/";

let sorted: AwsManagedPolicy[] | undefined;
let byArn: Map<string, AwsManagedPolicy> | undefined;

function toPolicy(e: AssetEntry): AwsManagedPolicy {
  const serviceLinked = e.path.startsWith("/aws-service-role/");
  return {
    arn: `${AWS_MANAGED_ARN_PREFIX}${e.path.slice(1)}${e.name}`,
    name: e.name,
    path: e.path,
    id: e.id,
    defaultVersionId: e.defaultVersionId,
    document: e.document,
    createDate: new Date(e.createDate),
    updateDate: new Date(e.updateDate),
    description: e.description,
    attachable: true,
    serviceLinked,
  };
}

/** Every AWS managed policy, ordered by name case-insensitively (the asset is sorted at build time). */
export function awsManagedPolicies(): readonly AwsManagedPolicy[] {
  if (!sorted) sorted = (catalogue as AssetEntry[]).map(toPolicy);
  return sorted;
}

/** The policy as a partition names it: the bundled ARNs are the commercial (`aws`) ones. */
export function awsManagedInPartition(p: AwsManagedPolicy, partition: string): AwsManagedPolicy {
  return partition === "aws" ? p : { ...p, arn: `arn:${partition}:${p.arn.slice("arn:aws:".length)}` };
}

/**
 * The AWS managed policy with this ARN, in the ARN's partition, or undefined. ARNs compare exactly, as IAM compares
 * them (case included).
 */
export function findAwsManagedPolicy(arn: string): AwsManagedPolicy | undefined {
  if (!isAwsManagedPolicyArn(arn)) return undefined;
  if (!byArn) byArn = new Map(awsManagedPolicies().map((p) => [p.arn, p]));
  const name = arn.slice(arn.indexOf(":policy/") + ":policy/".length);
  const found = byArn.get(`${AWS_MANAGED_ARN_PREFIX}${name}`);
  return found === undefined ? undefined : awsManagedInPartition(found, partitionOfArn(arn));
}

/** One rule for every partition's AWS managed policy ARNs (src/aws/arn.ts), under the name the operations use. */
export { isAwsManagedPolicyArn as isAwsManagedArn };
