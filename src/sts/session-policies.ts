// Session policies and tags passed to AssumeRole and GetFederationToken: validated, resolved, and their packed size.
import { inArray } from "drizzle-orm";
import { AwsError } from "../aws/errors";
import { validatePolicyDocument } from "../engine/index";
import { findAwsManagedPolicy, isAwsManagedArn } from "../iam/aws-managed-policies";
import type { OperationContext } from "../core/operation";
import { policies } from "../store/schema";

export interface SessionPolicyInput {
  Policy?: string;
  PolicyArns?: { arn: string }[];
  Tags?: { Key: string; Value: string }[];
}

/**
 * The budget the packed session policies and tags share. AWS compresses them into a binary format whose size it
 * reports as a percentage (PackedPolicySize); this simulator counts their whitespace-free characters against this
 * budget, which gives the same order of magnitude for typical inputs.
 */
export const PACKED_BUDGET = 4096;

/** Checks the inline session policy and that every managed one exists; returns the ARNs in the order given. */
export async function resolveSessionPolicies(ctx: OperationContext, i: SessionPolicyInput): Promise<string[]> {
  if (i.Policy !== undefined) {
    const result = validatePolicyDocument(i.Policy, "session", { partition: ctx.partition });
    if (!result.ok) throw new AwsError("MalformedPolicyDocument", result.message);
  }
  const arns = (i.PolicyArns ?? []).map((p) => p.arn);
  const customer = arns.filter((a) => !isAwsManagedArn(a));
  const found =
    customer.length === 0
      ? []
      : await ctx.db.select({ arn: policies.arn }).from(policies).where(inArray(policies.arn, customer));
  const known = new Set(found.map((r) => r.arn));
  for (const arn of arns) {
    if (isAwsManagedArn(arn) ? !findAwsManagedPolicy(arn) : !known.has(arn)) {
      throw new AwsError("InvalidParameterValue", `The policy ${arn} passed in PolicyArns does not exist.`);
    }
  }
  return arns;
}

/** Rejects a request whose tags name one key twice (tag keys compare case-insensitively). */
export function assertDistinctTagKeys(tags: { Key: string }[]): void {
  const seen = new Set<string>();
  for (const t of tags) {
    const k = t.Key.toLowerCase();
    if (seen.has(k))
      throw new AwsError(
        "InvalidParameterValue",
        "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
      );
    seen.add(k);
  }
}

/** PackedPolicySize: the percentage of the budget the session policies and tags use; over 100 is refused. */
export function packedPolicySize(i: SessionPolicyInput, tags: Record<string, string>): number {
  let used = 0;
  if (i.Policy !== undefined) used += i.Policy.replace(/\s+/g, "").length;
  for (const p of i.PolicyArns ?? []) used += p.arn.length;
  for (const [k, v] of Object.entries(tags)) used += k.length + v.length;
  const percent = Math.ceil((100 * used) / PACKED_BUDGET);
  if (percent > 100) {
    throw new AwsError(
      "PackedPolicyTooLarge",
      `Packed size of the session policies and session tags is ${percent}% of the allowed size; reduce them.`,
    );
  }
  return percent;
}
