// What-if version pins: a managed policy evaluated at another of its versions (AWS managed from the bundle, customer managed from D1) in place of its default, to compare two versions for one principal.
import { AwsError } from "../aws/errors";
import type { PolicySetInput, PolicySource } from "../engine/index";
import { awsManagedVersionDocument, awsManagedVersions } from "../iam/aws-managed-versions";
import { findAwsManagedPolicy, isAwsManagedArn } from "../iam/aws-managed-policies";
import type { Db } from "../store/db";
import { findPolicy, findVersion } from "../store/policies";
import type { ShownPolicy } from "./whatif";

/** One pin as the request gives it: `versionId` applies after the change; `beforeVersionId` replaces the baseline. */
export interface PolicyVersionPin {
  policyArn: string;
  versionId: string;
  beforeVersionId?: string;
}

/** A pinned version, resolved: the id its statements are reported under and its document. */
export interface ResolvedPin {
  policyArn: string;
  versionId: string;
  id: string;
  document: string;
}

const unknownVersion = (field: string, arn: string, versionId: string, known?: readonly { versionId: string }[]) => {
  const range =
    known && known.length > 0
      ? ` (it has ${known.length}: ${known[known.length - 1]?.versionId}..${known[0]?.versionId})`
      : "";
  return new AwsError("ValidationError", `${field}: policy ${arn} has no version ${versionId}${range}.`);
};

/** The document of one version of a managed policy; a 400 naming the policy or the version when there is none. */
export async function resolvePin(
  db: Db,
  policyArn: string,
  versionId: string,
  field = "whatIf.policyVersions",
): Promise<ResolvedPin> {
  const id = `${policyArn} (${versionId})`;
  if (isAwsManagedArn(policyArn)) {
    if (!findAwsManagedPolicy(policyArn))
      throw new AwsError("ValidationError", `${field}: ${policyArn} is not an AWS managed policy.`);
    const document = awsManagedVersionDocument(policyArn, versionId);
    if (document === undefined) throw unknownVersion(field, policyArn, versionId, awsManagedVersions(policyArn));
    return { policyArn, versionId, id, document };
  }
  const account = policyArn.split(":")[4] ?? "";
  const row = await findPolicy(db, account, policyArn);
  if (!row) throw new AwsError("ValidationError", `${field}: ${policyArn} is not a stored policy.`);
  const version = await findVersion(db, row.id, versionId);
  if (!version) throw unknownVersion(field, policyArn, versionId);
  return { policyArn, versionId, id, document: version.document };
}

/**
 * A copy of the set with each pinned policy's document replaced wherever it applies (identity or boundary), plus
 * warnings for pins naming a policy the set does not hold.
 */
export function pinSet(
  set: PolicySetInput,
  pins: ResolvedPin[],
  side: "before" | "after",
): { set: PolicySetInput; shown: ShownPolicy[]; warnings: string[] } {
  const out: PolicySetInput = { ...set, identity: [...set.identity] };
  const shown: ShownPolicy[] = [];
  const warnings: string[] = [];
  for (const pin of pins) {
    let used = false;
    const swap = (x: PolicySource): PolicySource =>
      x.id === pin.policyArn ? ((used = true), { id: pin.id, document: pin.document }) : x;
    out.identity = out.identity.map(swap);
    if (out.boundary) out.boundary = swap(out.boundary);
    if (used)
      shown.push({
        id: pin.id,
        name: `${pin.policyArn.slice(pin.policyArn.lastIndexOf("/") + 1)} ${pin.versionId}`,
        type: `managed, version ${pin.versionId} (${side === "before" ? "baseline" : "proposed"})`,
        document: pin.document,
      });
    else
      warnings.push(
        `whatIf.policyVersions: ${pin.policyArn} is not among the principal's policies ${side === "before" ? "before" : "after"} the change; pinning ${pin.versionId} changes nothing.`,
      );
  }
  return { set: out, shown, warnings };
}
