// A stored user, group or role named by ARN, and its policies loaded as the authorizer loads them (one D1 batch), each labelled with AWS's SourcePolicyId and SourcePolicyType.
import { isAwsManagedPolicyArn } from "../aws/arn";
import { orgLevels as coreOrgLevels } from "../core/authorize";
import type { BatchItem } from "drizzle-orm/batch";
import { AwsError } from "../aws/errors";
import { parseIamArn } from "../aws/arn";
import type { PolicySetInput, PolicySource } from "../engine/index";
import { findAwsManagedPolicy } from "../iam/aws-managed-policies";
import type { Db } from "../store/db";
import { findGroup } from "../store/groups";
import type { LevelRow } from "../store/organization-policies";
import { loadPrincipalPolicies } from "../store/principal-policies";
import { findRole } from "../store/roles";
import { findUser } from "../store/users";
import type { SourceLabel, SourcePolicyType } from "./iam-simulate-shared";

export interface StoredPrincipal {
  kind: "user" | "group" | "role";
  id: string;
  name: string;
  arn: string;
  accountId: string;
}

/** The stored entity an ARN names, path included; NoSuchEntity when there is none. */
export async function findPrincipalByArn(db: Db, arn: string): Promise<StoredPrincipal> {
  const parts = parseIamArn(arn);
  if (!parts || (parts.type !== "user" && parts.type !== "group" && parts.type !== "role")) {
    throw new AwsError("InvalidInput", `Invalid ARN ${arn}: only a user, group or role can be simulated.`);
  }
  const find = { user: findUser, group: findGroup, role: findRole }[parts.type];
  const row = await find(db, parts.account, parts.name);
  // The ARN must name the entity exactly as stored: another path is another entity.
  if (!row || row.arn !== arn) {
    throw new AwsError("NoSuchEntity", `The ${parts.type} with name ${parts.name} cannot be found.`);
  }
  return { kind: parts.type, id: row.id, name: row.name, arn: row.arn, accountId: parts.account };
}

/** The stored policies of a principal, as a policy set plus the label each policy id is reported with. */
export interface LoadedSource {
  set: PolicySetInput;
  labels: Map<string, SourceLabel>;
  /** The stored documents by policy id (for pages that show statements in their text). */
  documents: Map<string, string>;
  boundaryArn: string | null;
  attachedArns: string[];
  /** Results of the caller's extra queries that rode in the same batch, in order. */
  preloaded: unknown[];
}

const EMPTY_POLICY = JSON.stringify({ Version: "2012-10-17", Statement: [] });

const managedType = (arn: string): SourcePolicyType => (isAwsManagedPolicyArn(arn) ? "aws-managed" : "user-managed");

const policyName = (arn: string) => arn.slice(arn.lastIndexOf("/") + 1);

/** SCP levels root first, as the authorizer reads them, each policy labelled for AWS's simulate results. */
export function orgLevels(rows: LevelRow[], labels: Map<string, SourceLabel>): PolicySource[][] | undefined {
  return coreOrgLevels(rows, (r) => {
    const id = `scp:${r.target}:${r.policyId}`;
    labels.set(id, { id: r.policyId, type: "none" });
    return id;
  });
}

/**
 * One batch through the authorizer's loader. A group has no boundary and no tags of its own that matter, but its
 * inline and attached policies are keyed by its id exactly as a role's are, so it is loaded as a policy owner of
 * that shape and only its identity policies are read.
 */
export async function loadStoredSource(
  db: Db,
  p: StoredPrincipal,
  extra: BatchItem<"sqlite">[] = [],
): Promise<LoadedSource> {
  const owner = { kind: p.kind === "user" ? ("user" as const) : ("role" as const), id: p.id };
  const loaded = await loadPrincipalPolicies(db, owner, undefined, [], { scpAccount: p.accountId }, extra);
  const labels = new Map<string, SourceLabel>();
  const documents = new Map<string, string>();
  const identity: PolicySource[] = [];
  for (const x of loaded.identity) {
    // Inline ids are `<kind>/<ownerId>/<name>`; managed ones are ARNs.
    const inline = /^(user|group|role)\/[^/]+\/(.+)$/.exec(x.id);
    labels.set(
      x.id,
      inline
        ? { id: inline[2] as string, type: inline[1] as SourcePolicyType }
        : { id: policyName(x.id), type: managedType(x.id) },
    );
    documents.set(x.id, x.document);
    identity.push({ id: x.id, document: x.document });
  }
  for (const arn of loaded.awsManagedArns) {
    const managed = findAwsManagedPolicy(arn);
    if (!managed) continue;
    labels.set(arn, { id: managed.name, type: "aws-managed" });
    documents.set(arn, managed.document);
    identity.push({ id: arn, document: managed.document });
  }
  const set: PolicySetInput = { identity };
  const boundaryArn = p.kind === "group" ? null : loaded.boundaryArn;
  if (boundaryArn !== null) {
    const doc = loaded.boundary?.document ?? findAwsManagedPolicy(boundaryArn)?.document ?? EMPTY_POLICY;
    labels.set(boundaryArn, { id: policyName(boundaryArn), type: managedType(boundaryArn) });
    documents.set(boundaryArn, doc);
    set.boundary = { id: boundaryArn, document: doc };
  }
  const scps = orgLevels(loaded.scpLevels, labels);
  if (scps) set.scps = scps;
  const attachedArns = [
    ...loaded.identity.filter((x) => x.id.startsWith("arn:")).map((x) => x.id),
    ...loaded.awsManagedArns,
  ];
  return { set, labels, documents, boundaryArn, attachedArns, preloaded: loaded.preloaded };
}
