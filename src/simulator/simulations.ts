// POST /v1/simulations: one principal's grid of actions x resources, before and after a proposed change (never written), trust cells deciding both sides of sts:AssumeRole*, and the answer's shape.
import { AwsError } from "../aws/errors";
import {
  compilePolicySet,
  evaluate,
  PolicyValidationError,
  type CompiledPolicySet,
  type ContextValue,
  type EvalRequest,
  type PolicySetInput,
  type PolicySource,
} from "../engine/index";
import type { Db } from "../store/db";
import { expandActions } from "./action-index";
import { unknownKeyWarnings } from "./policy-keys";
import { pinSet, resolvePin } from "./policy-pins";
import type { SimulationRequest, WhatIfChange } from "./simulation-request";
import { ASSUME_ROLE, resolveSubject, trustRoleArns, type Subject } from "./simulation-subject";
import {
  cellDecision,
  MAX_CELLS,
  resolve,
  type Cell,
  type CellDecision,
  type ShownPolicy,
  type WhatIfResult,
} from "./whatif";

export { MAX_CELLS };

/** What a saved simulation holds: the page's grid plus the fields only this endpoint has. */
export interface SimulationGrid extends WhatIfResult {
  subjectKind: Subject["kind"];
  /** Role ARNs whose stored trust policy decided sts:AssumeRole* cells. */
  trustRoles: string[];
}

const text = (d: string | Record<string, unknown>) => (typeof d === "string" ? d : JSON.stringify(d, null, 2));

/** The ids an inline policy of this subject carries (`<kind>/<owner id>/<name>`, or `inline/<name>` when pasted). */
function inlineId(s: Subject, name: string): string {
  return s.stored ? `${s.stored.kind}/${s.stored.id}/${name}` : `inline/${name}`;
}

/** The changed policy set (a copy), the documents it added, and warnings for changes that cannot apply. */
async function applyChange(db: Db, s: Subject, change: WhatIfChange) {
  const set: PolicySetInput = { ...s.set, identity: [...s.set.identity] };
  const added: ShownPolicy[] = [];
  const warnings: string[] = [];
  const drop = new Set([
    ...(change.detachPolicies ?? []),
    ...(change.deleteInlinePolicies ?? []).map((n) => inlineId(s, n)),
    ...(change.putInlinePolicies ?? []).map((p) => inlineId(s, p.name)),
  ]);
  for (const id of drop) {
    if (!set.identity.some((x) => x.id === id) && !change.putInlinePolicies?.some((p) => inlineId(s, p.name) === id))
      warnings.push(`whatIf: ${id} is not among the principal's policies; removing it changes nothing.`);
  }
  set.identity = set.identity.filter((x) => !drop.has(x.id ?? ""));
  let n = 0;
  for (const ref of change.attachPolicies ?? []) {
    const doc = await resolve(db, s.accountId, ref, ++n);
    if (set.identity.some((x) => x.id === doc.id)) continue; // attaching twice changes nothing
    set.identity.push(doc);
    added.push({ ...doc, name: doc.id, type: typeof ref === "string" ? "managed (proposed)" : "pasted (proposed)" });
  }
  for (const p of change.putInlinePolicies ?? []) {
    const doc = { id: inlineId(s, p.name), document: text(p.document) };
    set.identity.push(doc);
    added.push({ ...doc, name: p.name, type: "inline (proposed)" });
  }
  if (change.permissionsBoundary === null) delete set.boundary;
  else if (change.permissionsBoundary !== undefined) {
    if (s.kind === "group") warnings.push("whatIf: a group has no permissions boundary; the boundary is ignored.");
    else {
      set.boundary = await resolve(db, s.accountId, change.permissionsBoundary, ++n);
      added.push({ ...set.boundary, name: set.boundary.id ?? "", type: "boundary (proposed)" } as ShownPolicy);
    }
  }
  if (change.sessionPolicies) {
    set.session = change.sessionPolicies.map((d, i) => ({ id: `proposed/session/${i}`, document: text(d) }));
    for (const x of set.session)
      added.push({ id: x.id ?? "", name: x.id ?? "", type: "session (proposed)", document: x.document as string });
  }
  if (change.scps) {
    if (change.scps.length === 0) delete set.scps;
    else
      set.scps = change.scps.map((level, l) =>
        level.map((d, i) => {
          const doc = { id: `proposed/scp/${l}/${i}`, document: text(d) };
          added.push({ ...doc, name: doc.id, type: "scp (proposed)" });
          return doc;
        }),
      );
  }
  // Pins last, so a policy attached by this change can be pinned too.
  if (change.policyVersions) {
    const pins = [];
    for (const p of change.policyVersions) pins.push(await resolvePin(db, p.policyArn, p.versionId));
    const pinned = pinSet(set, pins, "after");
    Object.assign(set, pinned.set);
    added.push(...pinned.shown);
    warnings.push(...pinned.warnings);
  }
  if (change.resourcePolicy === null) delete set.resource;
  else if (change.resourcePolicy !== undefined) {
    set.resource = { id: "proposed/resource", document: text(change.resourcePolicy) };
    added.push({
      id: "proposed/resource",
      name: "resource policy",
      type: "resource (proposed)",
      document: text(change.resourcePolicy),
    });
  }
  return { set, added, warnings };
}

/** For sts:AssumeRole* on a role: the role's trust policy as the resource policy, owned by the role's account. */
function trustSet(base: PolicySetInput, roleArn: string, trust: string, id: string): PolicySetInput {
  return {
    ...base,
    resource: { id, document: trust },
    resourceKind: "role-trust",
    resourceAccount: roleArn.split(":")[4] as string,
  };
}

/** The policy an engine label ("identity[2]", "scps[0][1]", "boundary") names in a set, by its id. */
function policyIdOf(set: PolicySetInput, label: string): string | undefined {
  const m = /^([a-z]+)(?:\[(\d+)\])?(?:\[(\d+)\])?$/.exec(label);
  if (!m) return undefined;
  const [, kind, a, b] = m;
  const field = (set as unknown as Record<string, unknown>)[kind === "trust" ? "resource" : (kind as string)];
  let x: unknown = field;
  for (const i of [a, b]) if (i !== undefined && Array.isArray(x)) x = x[Number(i)];
  return (x as PolicySource | undefined)?.id;
}

/** Compiles a set; a malformed document is a 400 naming the policy (its id), the statement and the problem. */
function compile(set: PolicySetInput, principal: string): CompiledPolicySet {
  try {
    return compilePolicySet(set);
  } catch (e) {
    if (!(e instanceof PolicyValidationError)) throw e;
    const id = policyIdOf(set, e.policy);
    throw new AwsError(
      "MalformedPolicyDocument",
      `${principal}: ${id !== undefined ? `policy ${id}, ` : ""}${e.message}`,
    );
  }
}

/** Compiles lazily, once per (side, trust role). */
function compiler(label: string) {
  const cache = new Map<string, CompiledPolicySet>();
  return (key: string, make: () => PolicySetInput) => {
    let c = cache.get(key);
    if (!c) cache.set(key, (c = compile(make(), label)));
    return c;
  };
}

/** Checks the grid's size before anything is read, so an oversized grid costs no D1 round trip and stores nothing. */
export function gridShape(req: SimulationRequest) {
  const expansion = expandActions(req.actions, MAX_CELLS + 1);
  const resources = req.resources ?? ["*"];
  const cells = expansion.actions.length * resources.length;
  if (cells > MAX_CELLS) {
    throw new AwsError(
      "ValidationError",
      `The grid has ${cells > MAX_CELLS + 1 ? "more than " : ""}${cells} cells (actions x resources); the limit is ${MAX_CELLS} cells a call.`,
    );
  }
  return { expansion, resources };
}

export async function runSimulationGrid(
  db: Db,
  req: SimulationRequest,
  callerAccount: string,
): Promise<SimulationGrid> {
  const { expansion, resources } = gridShape(req);
  const trustArns = trustRoleArns(expansion.actions, resources);
  const s = await resolveSubject(db, req, callerAccount, trustArns);
  const warnings = [...expansion.warnings];
  const changed = req.whatIf ? await applyChange(db, s, req.whatIf) : undefined;
  warnings.push(...(changed?.warnings ?? []));
  // A pin's beforeVersionId replaces the baseline's document: the diff then compares two versions.
  const beforePins = [];
  for (const p of req.whatIf?.policyVersions ?? [])
    if (p.beforeVersionId !== undefined) beforePins.push(await resolvePin(db, p.policyArn, p.beforeVersionId));
  const baseline = beforePins.length > 0 ? pinSet(s.set, beforePins, "before") : undefined;
  warnings.push(...(baseline?.warnings ?? []));
  const beforeSet = baseline?.set ?? s.set;
  const shown = [...s.shown, ...(baseline?.shown ?? []), ...(changed?.added ?? [])];
  for (const arn of trustArns) {
    const trust = s.trust.get(arn);
    if (trust === undefined) warnings.push(`${arn} is not a stored role: its trust policy was not evaluated.`);
    else
      shown.push({
        id: `trust:${arn}`,
        name: `${arn.slice(arn.lastIndexOf("/") + 1)} trust policy`,
        type: "role trust policy",
        document: trust,
      });
  }
  warnings.push(...unknownKeyWarnings(shown.map((x) => x.document)));
  const beforeContext: Record<string, ContextValue> = { ...s.context, ...(req.context ?? {}) };
  const afterContext = { ...beforeContext, ...(req.whatIf?.context ?? {}) };
  const get = compiler(s.label);
  const proposedTrust = req.whatIf?.resourcePolicy ? text(req.whatIf.resourcePolicy) : undefined;
  const setFor = (after: boolean, action: string, resource: string) => {
    const base = after && changed ? changed.set : beforeSet;
    const trust = ASSUME_ROLE.test(action) ? s.trust.get(resource) : undefined;
    if (trust === undefined) return get(after ? "after" : "before", () => base);
    // A proposed resource policy stands in for the trust policy of the roles the grid assumes.
    const doc = after && proposedTrust !== undefined ? proposedTrust : trust;
    const id = after && proposedTrust !== undefined ? "proposed/resource" : `trust:${resource}`;
    return get(`${after ? "after" : "before"}|${resource}`, () => trustSet(base, resource, doc, id));
  };
  // Large grids may ask for decisions only: the explanation lists are most of a 10,000-cell answer's size.
  const brief = req.explain === "decision";
  const decide = (set: CompiledPolicySet, request: EvalRequest): CellDecision => {
    const d = evaluate(set, request);
    return brief ? { decision: d.decision, decidedBy: d.decidedBy, matched: [], missing: [] } : cellDecision(d);
  };
  const cells: Cell[] = [];
  const diff: WhatIfResult["diff"] = [];
  for (const action of expansion.actions) {
    for (const resource of resources) {
      const principal = s.evalPrincipal;
      const b = decide(setFor(false, action, resource), { principal, action, resource, context: beforeContext });
      const a = changed
        ? decide(setFor(true, action, resource), { principal, action, resource, context: afterContext })
        : undefined;
      const isChanged = a !== undefined && a.decision !== b.decision;
      cells.push({ principal: s.label, action, resource, before: b, ...(a ? { after: a } : {}), changed: isChanged });
      if (isChanged && a) diff.push({ principal: s.label, action, resource, before: b.decision, after: a.decision });
    }
  }
  return {
    principals: [s.label],
    actions: expansion.actions,
    resources,
    warnings,
    cells,
    diff,
    policies: { [s.label]: shown },
    subjectKind: s.kind,
    trustRoles: trustArns.filter((a) => s.trust.has(a)),
  };
}

/** The answer of POST /v1/simulations and GET /v1/simulations/{id}: each result decided with the change applied. */
export function simulationResponse(
  grid: SimulationGrid,
  saved: { id: string; link: string; expiresAt: string; createdAt: string; createdBy: string },
) {
  const trust = new Set(grid.trustRoles);
  return {
    ...saved,
    principal: grid.principals[0] ?? "",
    principalKind: grid.subjectKind,
    actions: grid.actions,
    resources: grid.resources,
    warnings: grid.warnings,
    results: grid.cells.map((c) => ({
      action: c.action,
      resource: c.resource,
      ...(c.after ?? c.before),
      ...(ASSUME_ROLE.test(c.action) && trust.has(c.resource) ? { trust: true } : {}),
      ...(c.after ? { before: c.before } : {}),
    })),
    diff: grid.diff.map((d) => ({ action: d.action, resource: d.resource, before: d.before, after: d.after })),
    policies: grid.policies[grid.principals[0] ?? ""] ?? [],
  };
}
