// Compiles a whole policy set: every policy validated for its kind, statements grouped by type and indexed by service.
import {
  compilePolicy,
  SharedTables,
  statementServices,
  type CompiledPolicy,
  type CompiledStatement,
  type PolicyMeta,
} from "./compile.ts";
import { PolicyValidationError } from "./errors.ts";
import { parsePolicyCached } from "./cache.ts";
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
  return { byService, wild, policyCount: policies.length, byAction: new Map() };
}

function compileSource(source: PolicySource, kind: PolicyKind, meta: PolicyMeta, shared: SharedTables): CompiledPolicy {
  const parsed = parsePolicyCached(source.document, kind);
  if (!parsed.ok) throw new PolicyValidationError(meta.label, parsed.errors, parsed.message);
  return compilePolicy(parsed.policy, source.id === undefined ? meta : { ...meta, id: source.id }, shared);
}

/** Parses, validates and compiles every policy once; throws PolicyValidationError naming the first bad policy. */
export function compilePolicySet(input: PolicySetInput): CompiledPolicySet {
  const all: CompiledPolicy[] = [];
  const shared = new SharedTables();
  const one = (source: PolicySource, kind: PolicyKind, meta: PolicyMeta): CompiledPolicy => {
    const p = compileSource(source, kind, meta, shared);
    all.push(p);
    return p;
  };
  const identity = buildGroup(
    (input.identity ?? []).map((s, i) =>
      one(s, "identity", { policyType: "identity", label: `identity[${i}]`, policyIndex: i }),
    ),
  );
  const set: CompiledPolicySet = {
    identity,
    scps: [],
    rcps: [],
    policies: all,
    conditionCount: 0,
    resourcePatternCount: 0,
  };
  if (input.boundary) {
    set.boundary = buildGroup([
      one(input.boundary, "boundary", { policyType: "boundary", label: "boundary", policyIndex: 0 }),
    ]);
  }
  if (input.session && input.session.length > 0) {
    set.session = buildGroup(
      input.session.map((s, i) => one(s, "session", { policyType: "session", label: `session[${i}]`, policyIndex: i })),
    );
  }
  for (const [field, kind] of [
    ["scps", "scp"],
    ["rcps", "rcp"],
  ] as const) {
    set[field] = (input[field] ?? []).map((level, l) =>
      buildGroup(
        level.map((s, i) =>
          one(s, kind, { policyType: kind, label: `${field}[${l}][${i}]`, policyIndex: i, level: l }),
        ),
      ),
    );
  }
  if (input.resource) {
    const kind: PolicyKind = input.resourceKind === "role-trust" ? "trust" : "resource";
    set.resource = buildGroup([
      one(input.resource, kind, { policyType: "resource", label: "resource", policyIndex: 0 }),
    ]);
  }
  if (input.resourceAccount !== undefined) set.resourceAccount = input.resourceAccount;
  if (input.resourceKind !== undefined) set.resourceKind = input.resourceKind;
  set.conditionCount = shared.conditions.size;
  set.resourcePatternCount = shared.resources.size;
  return set;
}
