// SimulatePrincipalPolicy and GetContextKeysForPrincipalPolicy: a stored user's, group's or role's policies (plus those passed in) through the engine, in AWS's shapes.
import { z } from "zod";
import { list, str } from "../api/validation";
import type { Operation } from "../core/operation";
import type { PolicySource } from "../engine/index";
import { arn as arnType, policyDocument } from "../iam/fields";
import {
  contextFromEntries,
  inputLabels,
  ownerAccount,
  requireCallerForResourcePolicy,
  runSimulationPlan,
  simulateMembers,
  type SourceLabel,
} from "./iam-simulate-shared";
import { contextKeysOf } from "./policy-keys";
import { findPrincipalByArn, loadStoredSource, type LoadedSource } from "./principal-source";

const NAME = "[\\w+=,.@-]+";

const policyIdentifier = z.object({
  PolicyType: z.enum(["inline", "aws-managed", "user-managed", "permission-boundary", "scp", "rcp"]).optional(),
  PolicyArn: arnType.optional(),
  InlinePolicyIdentifier: z
    .object({
      PolicyName: str({ min: 1, max: 128, pattern: NAME }),
      AttachmentType: z.enum(["user", "group", "role"]),
      AttachmentName: str({ min: 1, max: 128, pattern: NAME }),
    })
    .optional(),
});

const simulatePrincipalInput = z.object({
  PolicySourceArn: arnType,
  PolicyExclusionList: list(policyIdentifier, { max: 256 }).optional(),
  ...simulateMembers,
});

/** Drops the stored policies the request excludes (by ARN, inline name, or the whole boundary / SCP type). */
function exclude(source: LoadedSource, exclusions: z.infer<typeof policyIdentifier>[]): void {
  const set = source.set;
  const dropped = (p: PolicySource) =>
    exclusions.some((x) => {
      if (x.PolicyArn !== undefined && p.id === x.PolicyArn) return true;
      const inline = x.InlinePolicyIdentifier;
      const label = source.labels.get(p.id ?? "");
      return inline !== undefined && label?.type === inline.AttachmentType && label.id === inline.PolicyName;
    });
  set.identity = set.identity.filter((p) => !dropped(p));
  if (exclusions.some((x) => x.PolicyType === "permission-boundary") || (set.boundary && dropped(set.boundary))) {
    delete set.boundary;
  }
  if (exclusions.some((x) => x.PolicyType === "scp")) delete set.scps;
}

export const simulatePrincipalPolicy: Operation<typeof simulatePrincipalInput> = {
  service: "iam",
  name: "SimulatePrincipalPolicy",
  input: simulatePrincipalInput,
  action: "iam:SimulatePrincipalPolicy",
  resource: (i) => i.PolicySourceArn,
  async run(i, ctx) {
    const principal = await findPrincipalByArn(ctx.db, i.PolicySourceArn);
    if (principal.kind !== "user") requireCallerForResourcePolicy(i.ResourcePolicy, i.CallerArn);
    const source = await loadStoredSource(ctx.db, principal);
    exclude(source, i.PolicyExclusionList ?? []);
    const labels = new Map<string, SourceLabel>(source.labels);
    const set = source.set;
    for (const p of inputLabels("PolicyInputList", i.PolicyInputList)) {
      labels.set(p.id, { id: p.id, type: "none" });
      set.identity.push(p);
    }
    // One boundary is in effect at a time: a passed one replaces the stored one.
    const boundary = inputLabels("PermissionsBoundaryPolicyInputList", i.PermissionsBoundaryPolicyInputList)[0];
    if (boundary) {
      labels.set(boundary.id, { id: boundary.id, type: "none" });
      set.boundary = boundary;
    }
    const resourceAccount = ownerAccount(i.ResourceOwner, principal.accountId);
    if (i.ResourcePolicy !== undefined) {
      labels.set("ResourcePolicy", { id: "ResourcePolicy", type: "resource" });
      set.resource = { id: "ResourcePolicy", document: i.ResourcePolicy };
    }
    return runSimulationPlan({
      set,
      labels,
      principalArn: i.CallerArn ?? principal.arn,
      actions: i.ActionNames,
      resources: i.ResourceArns ?? [],
      context: contextFromEntries(i.ContextEntries),
      resourceAccount: i.ResourcePolicy !== undefined || i.ResourceOwner !== undefined ? resourceAccount : undefined,
      maxItems: i.MaxItems,
      marker: i.Marker,
    });
  },
};

const contextKeysInput = z.object({
  PolicySourceArn: arnType,
  PolicyInputList: list(policyDocument).optional(),
});

export const getContextKeysForPrincipalPolicy: Operation<typeof contextKeysInput> = {
  service: "iam",
  name: "GetContextKeysForPrincipalPolicy",
  input: contextKeysInput,
  action: "iam:GetContextKeysForPrincipalPolicy",
  resource: (i) => i.PolicySourceArn,
  async run(i, ctx) {
    const principal = await findPrincipalByArn(ctx.db, i.PolicySourceArn);
    const source = await loadStoredSource(ctx.db, principal);
    // The entity's own policies (its groups' for a user) and its boundary, then the ones passed in.
    const docs = [...source.documents.values(), ...(i.PolicyInputList ?? [])];
    return { ContextKeyNames: contextKeysOf(docs) };
  },
};

export const simulatePrincipalOperations = [simulatePrincipalPolicy, getContextKeysForPrincipalPolicy];
