// Managed policy versions: create (optionally as default), read, list, delete and choose the default version.
import { z } from "zod";
import { AwsError, concurrentModification } from "../aws/errors";
import type { XmlValue } from "../aws/xml";
import { iamOperation, policyRef } from "../core/operation";
import { bool } from "../api/validation";
import {
  deleteVersion,
  findVersion,
  insertVersion,
  listVersions,
  setDefaultVersion,
  versionNumber,
  type PolicyVersionRow,
} from "../store/policies";
import { findAwsManagedPolicy, isAwsManagedArn } from "./aws-managed-policies";
import { awsManagedVersionDocument, awsManagedVersions } from "./aws-managed-versions";
import { arn, paging, policyDocument, policyVersionId } from "./fields";
import { decodeMarker, DEFAULT_MAX_ITEMS, invalidMarker, toPage } from "./paging";
import { assertPolicyArn, assertValidManagedDocument, requireLocalPolicy, requireModifiablePolicy } from "./policies";

/** The PolicyVersion shape; the document (URL-encoded, as AWS sends it) only where AWS includes it. */
export function versionShape(
  v: { versionId: string; createdAt: number; document?: string },
  isDefault: boolean,
): XmlValue {
  return {
    Document: v.document === undefined ? undefined : encodeURIComponent(v.document),
    VersionId: v.versionId,
    IsDefaultVersion: isDefault,
    CreateDate: new Date(v.createdAt),
  };
}

const missingVersion = (policyArn: string, versionId: string) =>
  new AwsError("NoSuchEntity", `Policy ${policyArn} version ${versionId} does not exist or is not attachable.`);

/** AWS keeps the default version: it goes only with the policy. */
function refuseDefaultVersionDelete(versionId: string, defaultVersionId: string | undefined): void {
  if (versionId === defaultVersionId) {
    throw new AwsError("DeleteConflict", "Cannot delete the default version of a policy.");
  }
}

/** NoSuchEntity for the policy or the version a guarded version write found gone, as the handler's reads answer it. */
function refuseVersionWrite(
  policyArn: string,
  versionId: string,
  seen: { policy: unknown; versionExists: boolean },
): void {
  if (seen.policy === undefined) throw new AwsError("NoSuchEntity", `Policy ${policyArn} was not found.`);
  if (!seen.versionExists) throw missingVersion(policyArn, versionId);
}

export const createPolicyVersion = iamOperation(
  "CreatePolicyVersion",
  z.object({ PolicyArn: arn, PolicyDocument: policyDocument, SetAsDefault: bool().optional() }),
  (i) => policyRef(i.PolicyArn),
  async (i, ctx) => {
    const policy = await requireModifiablePolicy(ctx, "CreatePolicyVersion", i.PolicyArn);
    assertValidManagedDocument(i.PolicyDocument, ctx.partition);
    const setAsDefault = i.SetAsDefault ?? false;
    const row = await insertVersion(ctx.db, policy, i.PolicyDocument, setAsDefault, ctx.now.getTime());
    return { PolicyVersion: versionShape({ versionId: row.versionId, createdAt: row.createdAt }, setAsDefault) };
  },
);

export const getPolicyVersion = iamOperation(
  "GetPolicyVersion",
  z.object({ PolicyArn: arn, VersionId: policyVersionId }),
  (i) => policyRef(i.PolicyArn),
  async (i, ctx) => {
    assertPolicyArn(i.PolicyArn);
    if (isAwsManagedArn(i.PolicyArn)) {
      // Every published version is bundled (src/iam/aws-managed-versions.ts).
      const version = awsManagedVersions(i.PolicyArn)?.find((v) => v.versionId === i.VersionId);
      if (!version) {
        if (!findAwsManagedPolicy(i.PolicyArn))
          throw new AwsError("NoSuchEntity", `Policy ${i.PolicyArn} was not found.`);
        throw missingVersion(i.PolicyArn, i.VersionId);
      }
      const document = awsManagedVersionDocument(i.PolicyArn, version.versionId);
      const v = { versionId: version.versionId, createdAt: version.createDate.getTime(), document };
      return { PolicyVersion: versionShape(v, version.isDefault) };
    }
    const policy = await requireLocalPolicy(ctx, i.PolicyArn);
    const version = await findVersion(ctx.db, policy.id, i.VersionId);
    if (!version) throw missingVersion(i.PolicyArn, i.VersionId);
    return { PolicyVersion: versionShape(version, version.versionId === policy.defaultVersionId) };
  },
);

export const listPolicyVersions = iamOperation(
  "ListPolicyVersions",
  z.object({ PolicyArn: arn, ...paging }),
  (i) => policyRef(i.PolicyArn),
  async (i, ctx) => {
    assertPolicyArn(i.PolicyArn);
    let versions: PolicyVersionRow[];
    let defaultId: string;
    if (isAwsManagedArn(i.PolicyArn)) {
      const aws = findAwsManagedPolicy(i.PolicyArn);
      if (!aws) throw new AwsError("NoSuchEntity", `Policy ${i.PolicyArn} was not found.`);
      defaultId = aws.defaultVersionId;
      versions = (awsManagedVersions(i.PolicyArn) ?? []).map((v) => ({
        policyId: aws.id,
        versionId: v.versionId,
        document: "",
        createdAt: v.createDate.getTime(),
      }));
    } else {
      const policy = await requireLocalPolicy(ctx, i.PolicyArn);
      defaultId = policy.defaultVersionId;
      versions = await listVersions(ctx.db, policy.id);
    }
    // At most five versions (an AWS managed policy keeps every version): paged in memory, newest first, the marker being the last version id returned. The next
    // page holds the older versions, so a version deleted between two pages cannot send the client back to the start.
    const after = decodeMarker(i.Marker);
    const below = after === undefined ? undefined : versionNumber(after);
    if (below !== undefined && !Number.isInteger(below)) {
      throw invalidMarker();
    }
    const rest = below === undefined ? versions : versions.filter((v) => versionNumber(v.versionId) < below);
    const page = toPage(rest, i.MaxItems ?? DEFAULT_MAX_ITEMS, (v) => v.versionId);
    return {
      Versions: page.items.map((v) =>
        versionShape({ versionId: v.versionId, createdAt: v.createdAt }, v.versionId === defaultId),
      ),
      IsTruncated: page.IsTruncated,
      Marker: page.Marker,
    };
  },
);

export const deletePolicyVersion = iamOperation(
  "DeletePolicyVersion",
  z.object({ PolicyArn: arn, VersionId: policyVersionId }),
  (i) => policyRef(i.PolicyArn),
  async (i, ctx) => {
    const policy = await requireModifiablePolicy(ctx, "DeletePolicyVersion", i.PolicyArn);
    const version = await findVersion(ctx.db, policy.id, i.VersionId);
    if (!version) throw missingVersion(i.PolicyArn, i.VersionId);
    refuseDefaultVersionDelete(version.versionId, policy.defaultVersionId);
    const outcome = await deleteVersion(ctx.db, policy.id, version.versionId);
    if (outcome.written) return undefined;
    // The guard refused what the reads allowed: a concurrent request deleted the policy or the version, or made the
    // version the default. Its own reads say which, in the same words.
    refuseVersionWrite(i.PolicyArn, i.VersionId, outcome);
    refuseDefaultVersionDelete(version.versionId, outcome.policy?.defaultVersionId);
    throw concurrentModification();
  },
);

export const setDefaultPolicyVersion = iamOperation(
  "SetDefaultPolicyVersion",
  z.object({ PolicyArn: arn, VersionId: policyVersionId }),
  (i) => policyRef(i.PolicyArn),
  async (i, ctx) => {
    const policy = await requireModifiablePolicy(ctx, "SetDefaultPolicyVersion", i.PolicyArn);
    const version = await findVersion(ctx.db, policy.id, i.VersionId);
    if (!version) throw missingVersion(i.PolicyArn, i.VersionId);
    const outcome = await setDefaultVersion(ctx.db, policy.id, version.versionId);
    if (outcome.written) return undefined;
    // A concurrent DeletePolicy or DeletePolicyVersion removed what the reads found.
    refuseVersionWrite(i.PolicyArn, i.VersionId, outcome);
    throw concurrentModification();
  },
);

export const policyVersionOperations = [
  createPolicyVersion,
  getPolicyVersion,
  listPolicyVersions,
  deletePolicyVersion,
  setDefaultPolicyVersion,
];
