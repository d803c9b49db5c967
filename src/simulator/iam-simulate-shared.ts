// What the four AWS simulate APIs share: their input members, context entries, evaluation over a labelled policy set, and AWS's result shapes with paging.
import { z } from "zod";
import { AwsError } from "../aws/errors";
import { xmlMap, type XmlValue } from "../aws/xml";
import { list, str } from "../api/validation";
import {
  compilePolicySet,
  evaluate,
  PolicyValidationError,
  type ContextValue,
  type Decision,
  type EvalDecision,
  type MatchedStatement,
  type PolicySetInput,
} from "../engine/index";
import { marker, maxItems, policyDocument } from "../iam/fields";
import { decodeMarker, DEFAULT_MAX_ITEMS, encodeMarker } from "../iam/paging";
import { expandActions } from "./action-index";

/** AWS's PolicySourceType values. */
export type SourcePolicyType = "user" | "group" | "role" | "aws-managed" | "user-managed" | "resource" | "none";

/** How a policy of the set is reported in MatchedStatements. */
export interface SourceLabel {
  id: string;
  type: SourcePolicyType;
}

const CONTEXT_TYPES = [
  "string",
  "stringList",
  "numeric",
  "numericList",
  "boolean",
  "booleanList",
  "ip",
  "ipList",
  "binary",
  "binaryList",
  "date",
  "dateList",
] as const;

export const contextEntry = z.object({
  ContextKeyName: str({ min: 5, max: 256 }).optional(),
  ContextKeyValues: list(z.string()).optional(),
  ContextKeyType: z.enum(CONTEXT_TYPES).optional(),
});

/** The members SimulatePrincipalPolicy and SimulateCustomPolicy share, with the model's constraints. */
export const simulateMembers = {
  PolicyInputList: list(policyDocument).optional(),
  PermissionsBoundaryPolicyInputList: list(policyDocument).optional(),
  ActionNames: list(str({ min: 3, max: 128 })),
  ResourceArns: list(str({ min: 1, max: 2048 })).optional(),
  ResourcePolicy: policyDocument.optional(),
  ResourceOwner: str({ min: 1, max: 2048 }).optional(),
  CallerArn: str({ min: 1, max: 2048 }).optional(),
  ContextEntries: list(contextEntry).optional(),
  ResourceHandlingOption: str({ min: 1, max: 64 }).optional(),
  MaxItems: maxItems.optional(),
  Marker: marker.optional(),
};

/** The engine's context from AWS's typed entries: lists stay lists, numbers and booleans become typed scalars. */
export function contextFromEntries(entries: z.infer<typeof contextEntry>[] | undefined): Record<string, ContextValue> {
  const out: Record<string, ContextValue> = Object.create(null) as Record<string, ContextValue>;
  for (const e of entries ?? []) {
    if (e.ContextKeyName === undefined) throw new AwsError("InvalidInput", "Context key name must not be empty.");
    const type = e.ContextKeyType ?? "string";
    const values = (e.ContextKeyValues ?? []).map((v): string | number | boolean => {
      if (type.startsWith("numeric")) {
        const n = Number(v);
        if (v.trim() === "" || !Number.isFinite(n)) {
          throw new AwsError("InvalidInput", `Invalid value ${v} for context key ${e.ContextKeyName} of type ${type}.`);
        }
        return n;
      }
      if (type.startsWith("boolean")) {
        const b = v.toLowerCase();
        if (b !== "true" && b !== "false") {
          throw new AwsError("InvalidInput", `Invalid value ${v} for context key ${e.ContextKeyName} of type ${type}.`);
        }
        return b === "true";
      }
      return v;
    });
    out[e.ContextKeyName] = type.endsWith("List") ? values : (values[0] ?? "");
  }
  return out;
}

/** The account that owns the resources: ResourceOwner as an account id or account ARN. */
export function ownerAccount(resourceOwner: string | undefined, fallback: string): string {
  if (resourceOwner === undefined) return fallback;
  const m = /^(?:arn:aws(?:-[a-z]+(?:-[a-z])?)?:iam::)?(\d{12})(?::root)?$/.exec(resourceOwner);
  if (!m?.[1]) throw new AwsError("InvalidInput", `Invalid ResourceOwner: ${resourceOwner}`);
  return m[1];
}

/** Documents passed in the request, labelled as AWS labels them (`PolicyInputList.1`, `ResourcePolicy`...). */
export function inputLabels(prefix: string, docs: string[] | undefined): { id: string; document: string }[] {
  return (docs ?? []).map((document, i) => ({ id: `${prefix}.${i + 1}`, document }));
}

export interface SimulationPlan {
  set: PolicySetInput;
  labels: Map<string, SourceLabel>;
  principalArn: string;
  actions: string[];
  resources: string[];
  context: Record<string, ContextValue>;
  resourceAccount?: string;
  maxItems?: number;
  marker?: string;
}

const DECISION: Record<EvalDecision, "allowed" | "explicitDeny" | "implicitDeny"> = {
  Allowed: "allowed",
  ExplicitDeny: "explicitDeny",
  ImplicitDeny: "implicitDeny",
};

function statements(d: Decision, labels: Map<string, SourceLabel>): XmlValue[] {
  // AWS lists the statements that decided: for a deny, the Deny statements; else the Allow statements.
  const wanted = d.decision === "ExplicitDeny" ? "Deny" : "Allow";
  return d.matchedStatements
    .filter((m: MatchedStatement) => m.effect === wanted)
    .map((m) => {
      const label = labels.get(m.policyId ?? "") ?? { id: m.policyId ?? m.policy, type: "none" as const };
      return {
        SourcePolicyId: label.id,
        SourcePolicyType: label.type,
        StartPosition: m.start ? { Line: m.start.line, Column: m.start.column } : undefined,
        EndPosition: m.end ? { Line: m.end.line, Column: m.end.column } : undefined,
      };
    });
}

/** One EvaluationResult (and its single ResourceSpecificResult) in the model's shape. */
function evaluationResult(plan: SimulationPlan, action: string, resource: string, d: Decision): XmlValue {
  const matched = statements(d, plan.labels);
  const boundary =
    plan.set.boundary !== undefined
      ? { AllowedByPermissionsBoundary: d.policyTypes.boundary === "Allowed" }
      : undefined;
  const crossAccount =
    plan.set.resource !== undefined &&
    plan.resourceAccount !== undefined &&
    plan.principalArn.split(":")[4] !== plan.resourceAccount;
  const details = crossAccount
    ? xmlMap({
        "IAM Policy": DECISION[d.policyTypes.identity ?? "ImplicitDeny"],
        "Resource Policy": DECISION[d.policyTypes.resource ?? "ImplicitDeny"],
      })
    : undefined;
  return {
    EvalActionName: action,
    EvalResourceName: resource,
    EvalDecision: DECISION[d.decision],
    MatchedStatements: matched,
    MissingContextValues: d.missingContextKeys,
    OrganizationsDecisionDetail: plan.set.scps
      ? { AllowedByOrganizations: d.policyTypes.scp !== "ExplicitDeny" && d.policyTypes.scp !== "ImplicitDeny" }
      : undefined,
    PermissionsBoundaryDecisionDetail: boundary,
    EvalDecisionDetails: details,
    ResourceSpecificResults: [
      {
        EvalResourceName: resource,
        EvalResourceDecision: DECISION[d.decision],
        MatchedStatements: matched,
        MissingContextValues: d.missingContextKeys,
        EvalDecisionDetails: details,
        PermissionsBoundaryDecisionDetail: boundary,
      },
    ],
  };
}

/** Compiles the set (malformed documents are InvalidInput, naming the policy) and evaluates one page of cells. */
export function runSimulationPlan(plan: SimulationPlan): XmlValue {
  let compiled;
  try {
    compiled = compilePolicySet(plan.set);
  } catch (e) {
    if (e instanceof PolicyValidationError) {
      const label = plan.labels.get(policyIdOf(plan.set, e.policy) ?? "")?.id ?? e.policy;
      throw new AwsError("InvalidInput", `${label}: ${e.awsMessage}`);
    }
    throw e;
  }
  const actions = expandActions(plan.actions).actions;
  const resources = plan.resources.length > 0 ? plan.resources : ["*"];
  const total = actions.length * resources.length;
  const start = pageStart(plan.marker, total);
  const max = plan.maxItems ?? DEFAULT_MAX_ITEMS;
  const end = Math.min(total, start + max);
  const results: XmlValue[] = [];
  for (let i = start; i < end; i++) {
    const action = actions[Math.floor(i / resources.length)] as string;
    const resource = resources[i % resources.length] as string;
    const d = evaluate(compiled, {
      principal: plan.principalArn,
      action,
      resource,
      context: plan.context,
      ...(plan.resourceAccount ? { resourceAccount: plan.resourceAccount } : {}),
    });
    results.push(evaluationResult(plan, action, resource, d));
  }
  const truncated = end < total;
  return {
    EvaluationResults: results,
    IsTruncated: truncated,
    Marker: truncated ? encodeMarker(`sim:${end}`) : undefined,
  };
}

function pageStart(raw: string | undefined, total: number): number {
  const text = decodeMarker(raw);
  if (text === undefined) return 0;
  const m = /^sim:(\d+)$/.exec(text);
  const n = m?.[1] === undefined ? Number.NaN : Number(m[1]);
  if (!Number.isSafeInteger(n) || n > total) {
    throw new AwsError("ValidationError", "Invalid Marker: the marker does not come from a previous response.");
  }
  return n;
}

/** The id of the policy the engine labels `identity[2]`, `boundary`, `resource`, `scps[0][1]`... */
function policyIdOf(set: PolicySetInput, label: string): string | undefined {
  const m = /^(\w+)(?:\[(\d+)\])?(?:\[(\d+)\])?$/.exec(label);
  if (!m) return undefined;
  const [, kind, a, b] = m;
  if (kind === "boundary") return set.boundary?.id;
  if (kind === "resource") return set.resource?.id;
  if (kind === "identity") return set.identity[Number(a)]?.id;
  if (kind === "session") return set.session?.[Number(a)]?.id;
  if (kind === "scps") return set.scps?.[Number(a)]?.[Number(b)]?.id;
  if (kind === "rcps") return set.rcps?.[Number(a)]?.[Number(b)]?.id;
  return undefined;
}

/** AWS refuses a ResourcePolicy simulated for a non-user without naming who calls. */
export function requireCallerForResourcePolicy(resourcePolicy: string | undefined, caller: string | undefined): void {
  if (resourcePolicy !== undefined && caller === undefined) {
    throw new AwsError(
      "InvalidInput",
      "CallerArn must be specified when a ResourcePolicy is given for a non-user source.",
    );
  }
}
