// Compiles a whole policy set: every policy validated for its kind, statements grouped by type and indexed by service.
import { compiledDocument, policySets, type DocumentEntry } from "./cache.ts";
import {
  SetBinder,
  statementServices,
  type CompiledPolicy,
  type CompiledStatement,
  type PolicyMeta,
} from "./compile.ts";
import { PolicyValidationError } from "./errors.ts";
import type { PolicyKind, PolicySetInput, PolicySource, ResourceKind } from "./types.ts";

/** The statements of one policy type (or one SCP/RCP level), ready for lookup by service prefix. */
export interface StatementGroup {
  /** Per service: the statements that may apply to it, in policy order (wildcard statements included). */
  byService: Map<string, CompiledStatement[]>;
  /** Statements that may apply to any service; used for services no statement names. */
  wild: CompiledStatement[];
  policyCount: number;
  /** Per lower-cased action: the statements whose Action/NotAction admits it; filled by evaluation on first use. */
  byAction: Map<string, readonly CompiledStatement[]>;
  /** Statement references held by `byAction`, all lists together. */
  byActionRefs: number;
}

export interface CompiledPolicySet {
  identity: StatementGroup;
  boundary?: StatementGroup;
  session?: StatementGroup;
  /** One group per organization level; empty when no SCPs apply. */
  scps: StatementGroup[];
  rcps: StatementGroup[];
  resource?: StatementGroup;
  resourceAccount?: string;
  /** As given; absent means decided per request from the action and resource. */
  resourceKind?: ResourceKind;
  policies: CompiledPolicy[];
  /** Number of distinct conditions and Resource patterns in the set: the sizes of the per-request caches. */
  conditionCount: number;
  resourcePatternCount: number;
}

export function buildGroup(policies: readonly CompiledPolicy[]): StatementGroup {
  const statements = policies.flatMap((p) => p.statements);
  const services = new Set<string>();
  for (const s of statements) for (const svc of statementServices(s) ?? []) services.add(svc);
  const byService = new Map<string, CompiledStatement[]>();
  for (const svc of services) byService.set(svc, []);
  const wild: CompiledStatement[] = [];
  for (const s of statements) {
    const own = statementServices(s);
    if (own === null) {
      wild.push(s);
      for (const list of byService.values()) list.push(s);
    } else for (const svc of own) byService.get(svc)?.push(s);
  }
  return { byService, wild, policyCount: policies.length, byAction: new Map(), byActionRefs: 0 };
}

/** One document of the set as the caller placed it. */
interface Placed {
  source: PolicySource;
  kind: PolicyKind;
  meta: PolicyMeta;
}

/** Every document of the input with its kind and label, in the order errors are reported. */
function place(input: PolicySetInput): Placed[] {
  const out: Placed[] = [];
  const add = (source: PolicySource, kind: PolicyKind, meta: PolicyMeta): void => {
    out.push({ source, kind, meta: source.id === undefined ? meta : { ...meta, id: source.id } });
  };
  (input.identity ?? []).forEach((s, i) =>
    add(s, "identity", { policyType: "identity", label: `identity[${i}]`, policyIndex: i }),
  );
  if (input.boundary) add(input.boundary, "boundary", { policyType: "boundary", label: "boundary", policyIndex: 0 });
  (input.session ?? []).forEach((s, i) =>
    add(s, "session", { policyType: "session", label: `session[${i}]`, policyIndex: i }),
  );
  for (const [field, kind] of [
    ["scps", "scp"],
    ["rcps", "rcp"],
  ] as const) {
    (input[field] ?? []).forEach((level, l) =>
      level.forEach((s, i) =>
        add(s, kind, { policyType: kind, label: `${field}[${l}][${i}]`, policyIndex: i, level: l }),
      ),
    );
  }
  if (input.resource) {
    const kind: PolicyKind = input.resourceKind === "role-trust" ? "trust" : "resource";
    add(input.resource, kind, { policyType: "resource", label: "resource", policyIndex: 0 });
  }
  return out;
}

/** Bytes a bound statement adds to its document's (labels, report, slotted arrays). */
const BOUND_STATEMENT_BYTES = 400;

/**
 * Parses, validates and compiles every policy once; throws PolicyValidationError naming the first bad policy.
 * Documents seen before (same kind and hash, or same text) are not compiled again, and a set whose documents,
 * labels and options were all seen together before is returned as it was: an API call whose policies haven't
 * changed compiles nothing. INVARIANT: the returned set is shared; evaluation only fills its per-action lists.
 */
export function compilePolicySet(input: PolicySetInput): CompiledPolicySet {
  const placed = place(input);
  const entries: DocumentEntry[] = [];
  let key = `${input.resourceKind ?? ""}|${input.resourceAccount ?? ""}|${input.session?.length ?? -1}|${(input.scps ?? []).map((l) => l.length).join(",")}|${(input.rcps ?? []).map((l) => l.length).join(",")}|${input.boundary ? 1 : 0}${input.resource ? 1 : 0}`;
  let cacheable = true;
  let cost = 0;
  for (const p of placed) {
    const entry = compiledDocument(p.source, p.kind);
    if (!entry.ok) throw new PolicyValidationError(p.meta.label, entry.errors, entry.message);
    entries.push(entry);
    if (entry.serial < 0) cacheable = false;
    cost += entry.cost + entry.doc.statements.length * BOUND_STATEMENT_BYTES;
    const id = p.meta.id;
    key += id === undefined ? `|${entry.serial}` : `|${entry.serial}:${id.length}:${id}`;
  }
  if (cacheable) {
    const hit = policySets.get(key);
    if (hit !== undefined) return hit;
  }
  const set = buildSet(input, placed, entries);
  if (cacheable) policySets.set(key, set, cost);
  return set;
}

function buildSet(
  input: PolicySetInput,
  placed: readonly Placed[],
  entries: readonly DocumentEntry[],
): CompiledPolicySet {
  const binder = new SetBinder();
  const all: CompiledPolicy[] = [];
  const byLabel = new Map<string, CompiledPolicy[]>();
  placed.forEach((p, i) => {
    const entry = entries[i] as DocumentEntry & { ok: true };
    // Statement positions are reported only for documents given as text: an object's would be its JSON text's.
    const compiled = binder.bind(entry.doc, p.meta, typeof p.source.document === "string");
    all.push(compiled);
    // Group key: the policy type, and the level for SCPs and RCPs.
    const group = `${p.meta.policyType}${p.meta.level ?? ""}`;
    const list = byLabel.get(group);
    if (list) list.push(compiled);
    else byLabel.set(group, [compiled]);
  });
  const group = (key: string): StatementGroup => buildGroup(byLabel.get(key) ?? []);
  const set: CompiledPolicySet = {
    identity: group("identity"),
    scps: (input.scps ?? []).map((_, l) => group(`scp${l}`)),
    rcps: (input.rcps ?? []).map((_, l) => group(`rcp${l}`)),
    policies: all,
    conditionCount: binder.conditions.size,
    resourcePatternCount: binder.resources.size,
  };
  if (input.boundary) set.boundary = group("boundary");
  if (input.session && input.session.length > 0) set.session = group("session");
  if (input.resource) set.resource = group("resource");
  if (input.resourceAccount !== undefined) set.resourceAccount = input.resourceAccount;
  if (input.resourceKind !== undefined) set.resourceKind = input.resourceKind;
  return set;
}
