// SimulateCustomPolicy and GetContextKeysForCustomPolicy: only the policies passed in, through the engine, in AWS's shapes.
import { z } from "zod";
import { list } from "../api/validation";
import type { Operation } from "../core/operation";
import type { PolicySetInput, PolicySource } from "../engine/index";
import { policyDocument } from "../iam/fields";
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

const customInput = z.object({
  ...simulateMembers,
  PolicyInputList: list(policyDocument),
  OrderedOrganizationPolicyInputList: list(
    z.object({ ServiceControlPolicyInputList: list(policyDocument).optional() }),
    { max: 7 },
  ).optional(),
});

export const simulateCustomPolicy: Operation<typeof customInput> = {
  service: "iam",
  name: "SimulateCustomPolicy",
  input: customInput,
  action: "iam:SimulateCustomPolicy",
  resource: () => "*",
  async run(i, ctx) {
    requireCallerForResourcePolicy(i.ResourcePolicy, i.CallerArn);
    const labels = new Map<string, SourceLabel>();
    const labelled = (prefix: string, docs: string[] | undefined): PolicySource[] =>
      inputLabels(prefix, docs).map((p) => {
        labels.set(p.id, { id: p.id, type: "none" });
        return p;
      });
    const set: PolicySetInput = { identity: labelled("PolicyInputList", i.PolicyInputList) };
    const boundary = labelled("PermissionsBoundaryPolicyInputList", i.PermissionsBoundaryPolicyInputList)[0];
    if (boundary) set.boundary = boundary;
    if (i.OrderedOrganizationPolicyInputList && i.OrderedOrganizationPolicyInputList.length > 0) {
      // Levels are given root first, as the engine takes them; every level must allow.
      set.scps = i.OrderedOrganizationPolicyInputList.map((level, n) =>
        labelled(
          `OrderedOrganizationPolicyInputList.${n + 1}.ServiceControlPolicyInputList`,
          level.ServiceControlPolicyInputList,
        ),
      );
    }
    if (i.ResourcePolicy !== undefined) {
      labels.set("ResourcePolicy", { id: "ResourcePolicy", type: "resource" });
      set.resource = { id: "ResourcePolicy", document: i.ResourcePolicy };
    }
    // Without a caller the policies are evaluated as a user of the caller's own account would be.
    const principalArn = i.CallerArn ?? `arn:${ctx.partition}:iam::${ctx.accountId}:user/SimulatedUser`;
    return runSimulationPlan({
      set,
      labels,
      principalArn,
      actions: i.ActionNames,
      resources: i.ResourceArns ?? [],
      context: contextFromEntries(i.ContextEntries),
      resourceAccount:
        i.ResourcePolicy !== undefined || i.ResourceOwner !== undefined
          ? ownerAccount(i.ResourceOwner, ctx.accountId)
          : undefined,
      maxItems: i.MaxItems,
      marker: i.Marker,
    });
  },
};

const contextKeysInput = z.object({ PolicyInputList: list(policyDocument) });

export const getContextKeysForCustomPolicy: Operation<typeof contextKeysInput> = {
  service: "iam",
  name: "GetContextKeysForCustomPolicy",
  input: contextKeysInput,
  action: "iam:GetContextKeysForCustomPolicy",
  resource: () => "*",
  async run(i) {
    return { ContextKeyNames: contextKeysOf(i.PolicyInputList) };
  },
};

export const simulateCustomOperations = [simulateCustomPolicy, getContextKeysForCustomPolicy];
