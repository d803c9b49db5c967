// Batch what-if over stored state: principals x actions x resources decided before and after a proposed change (never written), each cell explained, with the cells that changed.
import { z } from "zod";
import { AwsError } from "../aws/errors";
import {
  compilePolicySet,
  evaluate,
  PolicyValidationError,
  type CompiledPolicySet,
  type ContextValue,
  type Decision,
  type EvalDecision,
  type PolicySetInput,
} from "../engine/index";
import { findAwsManagedPolicy } from "../iam/aws-managed-policies";
import type { Db } from "../store/db";
import { findPolicy, findVersion } from "../store/policies";
import { expandActions } from "./action-index";
import { unknownKeyWarnings } from "./policy-keys";
import { resolvePin } from "./policy-pins";
import { findPrincipalByArn, loadStoredSource, type LoadedSource, type StoredPrincipal } from "./principal-source";

export const MAX_CELLS = 10_000;

const document = z.union([z.string().min(1), z.record(z.string(), z.unknown())]);
const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** A policy named by ARN (stored or AWS managed) or pasted. */
const policyRef = z.union([
  z.string().startsWith("arn:"),
  z.object({ id: z.string().min(1).max(128).optional(), document }).strict(),
]);

export const whatIfRequest = z
  .object({
    principals: z.array(z.string().min(1)).min(1).max(100),
    actions: z.array(z.string().min(1)).min(1),
    resources: z.array(z.string().min(1)).min(1).optional(),
    context: z.record(z.string(), z.union([scalar, z.array(scalar)])).optional(),
    change: z
      .object({
        /** Which principals the change applies to; all of them when absent. */
        principals: z.array(z.string()).optional(),
        attachPolicies: z.array(policyRef).optional(),
        detachPolicies: z.array(z.string().startsWith("arn:")).optional(),
        /** A new boundary (ARN or pasted document), or null to remove it. */
        permissionsBoundary: z.union([policyRef, z.null()]).optional(),
        /**
         * A managed policy's document replaced wherever it applies: a proposed new version (`document`) or one of its
         * existing versions (`versionId`; every version of an AWS managed policy is bundled).
         */
        replacePolicyVersions: z
          .array(
            z.union([
              z.object({ policyArn: z.string().startsWith("arn:"), document }).strict(),
              z.object({ policyArn: z.string().startsWith("arn:"), versionId: z.string().min(1).max(20) }).strict(),
            ]),
          )
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type WhatIfRequest = z.infer<typeof whatIfRequest>;

/** A matched statement as results carry it: compact, with the policy's id and the statement's lines. */
export interface CellStatement {
  policyId: string;
  policyType: string;
  sid?: string;
  effect: "Allow" | "Deny";
  startLine?: number;
  endLine?: number;
}

export interface CellDecision {
  decision: EvalDecision;
  decidedBy: string | null;
  matched: CellStatement[];
  missing: string[];
}

export interface Cell {
  principal: string;
  action: string;
  resource: string;
  before: CellDecision;
  after?: CellDecision;
  changed: boolean;
}

export interface ShownPolicy {
  /** The id cells' matched statements refer to. */
  id: string;
  /** How people know it: the inline policy's or managed policy's name. */
  name: string;
  type: string;
  document: string;
}

export interface WhatIfResult {
  principals: string[];
  actions: string[];
  resources: string[];
  warnings: string[];
  cells: Cell[];
  diff: { principal: string; action: string; resource: string; before: EvalDecision; after: EvalDecision }[];
  /** The documents of every policy a cell may refer to, by principal, so a page can show statements in place. */
  policies: Record<string, ShownPolicy[]>;
}

const nameOf = (id: string) => id.slice(id.lastIndexOf("/") + 1);

const text = (d: string | Record<string, unknown>) => (typeof d === "string" ? d : JSON.stringify(d, null, 2));

/** The document a reference names: pasted, AWS managed, or the stored default version. */
export async function resolve(db: Db, account: string, ref: z.infer<typeof policyRef>, n: number) {
  if (typeof ref !== "string") return { id: ref.id ?? `proposed-${n}`, document: text(ref.document) };
  const managed = findAwsManagedPolicy(ref);
  if (managed) return { id: ref, document: managed.document };
  const row = await findPolicy(db, account, ref);
  const version = row ? await findVersion(db, row.id, row.defaultVersionId) : undefined;
  if (!version) throw new AwsError("NoSuchEntity", `Policy ${ref} does not exist or is not attachable.`);
  return { id: ref, document: version.document };
}

/** The changed policy set (a copy: the stored set stays as loaded) and the documents it added. */
async function applyChange(
  db: Db,
  p: StoredPrincipal,
  source: LoadedSource,
  change: NonNullable<WhatIfRequest["change"]>,
) {
  const set: PolicySetInput = { ...source.set, identity: [...source.set.identity] };
  const added: ShownPolicy[] = [];
  const detach = new Set(change.detachPolicies ?? []);
  set.identity = set.identity.filter((x) => !detach.has(x.id ?? ""));
  let n = 0;
  for (const ref of change.attachPolicies ?? []) {
    const doc = await resolve(db, p.accountId, ref, ++n);
    if (set.identity.some((x) => x.id === doc.id)) continue; // attaching twice changes nothing
    set.identity.push(doc);
    added.push({
      ...doc,
      name: nameOf(doc.id),
      type: typeof ref === "string" ? "managed (proposed)" : "pasted (proposed)",
    });
  }
  if (change.permissionsBoundary === null) delete set.boundary;
  else if (change.permissionsBoundary !== undefined && p.kind !== "group") {
    const doc = await resolve(db, p.accountId, change.permissionsBoundary, ++n);
    set.boundary = doc;
    added.push({ ...doc, name: nameOf(doc.id), type: "boundary (proposed)" });
  }
  for (const r of change.replacePolicyVersions ?? []) {
    const pinned =
      "versionId" in r ? await resolvePin(db, r.policyArn, r.versionId, "change.replacePolicyVersions") : undefined;
    const document = pinned ? pinned.document : text((r as { document: string | Record<string, unknown> }).document);
    const id = pinned ? pinned.id : `${r.policyArn} (proposed version)`;
    let used = false;
    set.identity = set.identity.map((x) => (x.id === r.policyArn ? ((used = true), { id, document }) : x));
    if (set.boundary?.id === r.policyArn) {
      set.boundary = { id, document };
      used = true;
    }
    if (used)
      added.push({
        id,
        name: `${nameOf(r.policyArn)} ${pinned ? pinned.versionId : "(proposed version)"}`,
        type: pinned ? `managed, version ${pinned.versionId} (proposed)` : "managed (proposed version)",
        document,
      });
  }
  return { set, added };
}

export function compile(set: PolicySetInput, principal: string): CompiledPolicySet {
  try {
    return compilePolicySet(set);
  } catch (e) {
    if (e instanceof PolicyValidationError) {
      throw new AwsError("MalformedPolicyDocument", `${principal}: ${e.message}`);
    }
    throw e;
  }
}

export function cellDecision(d: Decision): CellDecision {
  return {
    decision: d.decision,
    decidedBy: d.decidedBy,
    matched: d.matchedStatements.map((m) => ({
      policyId: m.policyId ?? m.policy,
      policyType: m.policyType,
      ...(m.sid !== undefined ? { sid: m.sid } : {}),
      effect: m.effect,
      ...(m.start ? { startLine: m.start.line } : {}),
      ...(m.end ? { endLine: m.end.line } : {}),
    })),
    missing: d.missingContextKeys,
  };
}

/** The keys a stored principal brings to its own requests (what policy variables such as ${aws:username} read). */
export function principalContext(p: StoredPrincipal): Record<string, ContextValue> {
  const ctx: Record<string, ContextValue> = {
    "aws:PrincipalArn": p.arn,
    "aws:PrincipalAccount": p.accountId,
    "aws:PrincipalType": p.kind === "user" ? "User" : "AssumedRole",
  };
  if (p.kind === "user") ctx["aws:username"] = p.name;
  return ctx;
}

/** The stored policies of a loaded principal as a page shows them: display name and type by id. */
export function shownPolicies(source: LoadedSource): ShownPolicy[] {
  return [...source.documents].map(([id, document]) => {
    const label = source.labels.get(id);
    const inline = label?.type === "user" || label?.type === "group" || label?.type === "role";
    const boundary = id === source.boundaryArn ? ", permissions boundary" : "";
    return {
      id,
      name: label?.id ?? nameOf(id),
      type: `${inline ? `${label?.type} inline` : (label?.type ?? "managed")}${boundary}`,
      document,
    };
  });
}

/** Runs the grid; throws AwsError for unknown principals, malformed documents and grids over the limit. */
export async function runWhatIf(db: Db, req: WhatIfRequest): Promise<WhatIfResult> {
  const expansion = expandActions(req.actions, MAX_CELLS + 1);
  const resources = req.resources ?? ["*"];
  const cellsWanted = req.principals.length * expansion.actions.length * resources.length;
  if (cellsWanted > MAX_CELLS) {
    throw new AwsError(
      "ValidationError",
      `The grid has more than ${MAX_CELLS} cells (principals x actions x resources); narrow the actions or resources.`,
    );
  }
  const warnings = [...expansion.warnings];
  const result: WhatIfResult = {
    principals: req.principals,
    actions: expansion.actions,
    resources,
    warnings,
    cells: [],
    diff: [],
    policies: {},
  };
  for (const arn of req.principals) {
    const p = await findPrincipalByArn(db, arn);
    const source = await loadStoredSource(db, p);
    const changeApplies = req.change && (req.change.principals === undefined || req.change.principals.includes(arn));
    const changed = changeApplies && req.change ? await applyChange(db, p, source, req.change) : undefined;
    const shown = shownPolicies(source);
    shown.push(...(changed?.added ?? []));
    result.policies[arn] = shown;
    warnings.push(...unknownKeyWarnings(shown.map((s) => s.document)).map((w) => `${arn}: ${w}`));
    const before = compile(source.set, arn);
    const after = changed ? compile(changed.set, arn) : undefined;
    const context = { ...principalContext(p), ...(req.context ?? {}) };
    for (const action of expansion.actions) {
      for (const resource of resources) {
        const request = { principal: p.arn, action, resource, context };
        const b = cellDecision(evaluate(before, request));
        const a = after ? cellDecision(evaluate(after, request)) : undefined;
        const isChanged = a !== undefined && a.decision !== b.decision;
        result.cells.push({
          principal: arn,
          action,
          resource,
          before: b,
          ...(a ? { after: a } : {}),
          changed: isChanged,
        });
        if (isChanged && a)
          result.diff.push({ principal: arn, action, resource, before: b.decision, after: a.decision });
      }
    }
  }
  return result;
}
