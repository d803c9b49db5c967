// Compiles a parsed policy once: action matchers indexed by service prefix, ARN patterns, principals and conditions.
import { ArnPatternInterner, type ArnPattern } from "./arn.ts";
import { ConditionInterner, type CompiledCondition } from "./conditions/index.ts";
import { actionBytes, actionServices, compileActionsCached, type ActionIndex } from "./actions.ts";
import type { ParsedPolicy } from "./parse.ts";
import { compilePrincipal, type CompiledPrincipal } from "./principal.ts";
import type { MatchedStatement, PolicyType, Position } from "./types.ts";

export type { ActionIndex } from "./actions.ts";
export { compileActions, matchAction } from "./actions.ts";

export interface CompiledStatement {
  index: number;
  effect: "Allow" | "Deny";
  actions: ActionIndex;
  notAction: boolean;
  /** Null when the statement has neither Resource nor NotResource (resource and trust policies). */
  resources: ArnPattern[] | null;
  notResource: boolean;
  principal?: CompiledPrincipal;
  notPrincipal?: CompiledPrincipal;
  conditions: CompiledCondition[];
  /** What a match reports; frozen, and shared by the decisions that match the statement. */
  report: MatchedStatement;
}

export interface PolicyMeta {
  policyType: PolicyType;
  label: string;
  policyIndex: number;
  level?: number;
  id?: string;
}

export interface CompiledPolicy {
  meta: PolicyMeta;
  statements: CompiledStatement[];
}

const NO_ACTIONS: readonly string[] = [];

/** The services a statement is indexed under, or null when it may apply to any service. */
export function statementServices(s: CompiledStatement): string[] | null {
  return s.notAction ? null : actionServices(s.actions);
}

/** A statement compiled once per document: everything but where it sits in a policy set. */
export interface DocStatement {
  index: number;
  sid?: string;
  effect: "Allow" | "Deny";
  start?: Position;
  end?: Position;
  actions: ActionIndex;
  notAction: boolean;
  resources: ArnPattern[] | null;
  notResource: boolean;
  principal?: CompiledPrincipal;
  notPrincipal?: CompiledPrincipal;
  /** Interned within the document: equal tests are one object with an `internKey`. */
  conditions: CompiledCondition[];
}

/** One document's compiled statements, shared by every policy set that holds the document. Never mutated. */
export interface CompiledDocument {
  statements: DocStatement[];
  /** Estimated heap bytes the compiled document holds (see estimateBytes). */
  bytes: number;
}

/**
 * Heap bytes per compiled part, measured with V8 on documents of three shapes (thousands of small statements, a
 * 20-statement role policy with conditions, one ReadOnlyAccess-like statement); the estimate errs high.
 */
const BYTES = { statement: 3000, resource: 600, condition: 600 };

function estimateBytes(statements: readonly DocStatement[]): number {
  let bytes = 1024;
  for (const s of statements) {
    bytes += BYTES.statement + BYTES.resource * (s.resources?.length ?? 0) + BYTES.condition * s.conditions.length;
    bytes += actionBytes(s.actions);
  }
  return bytes;
}

/** Compiles a parsed document once; equal conditions and Resource patterns within it are one object each. */
export function compileDocument(parsed: ParsedPolicy): CompiledDocument {
  // INVARIANT: policy variables exist only in the 2012-10-17 language; otherwise `${...}` is literal text.
  const variables = parsed.version === "2012-10-17";
  const conditions = new ConditionInterner();
  const resources = new ArnPatternInterner();
  const statements = parsed.statements.map((s): DocStatement => {
    const resourceList = s.resource ?? s.notResource;
    const out: DocStatement = {
      index: s.index,
      effect: s.effect,
      actions: compileActionsCached(s.action ?? s.notAction ?? NO_ACTIONS),
      notAction: s.notAction !== undefined,
      resources: resourceList ? resourceList.map((r) => resources.intern(r, variables)) : null,
      notResource: s.notResource !== undefined,
      conditions: s.conditions.map((c) => conditions.intern(c.operator, c.key, c.values, variables)),
    };
    if (s.sid !== undefined) out.sid = s.sid;
    if (s.start) out.start = Object.freeze({ ...s.start });
    if (s.end) out.end = Object.freeze({ ...s.end });
    if (s.principal) out.principal = compilePrincipal(s.principal);
    if (s.notPrincipal) out.notPrincipal = compilePrincipal(s.notPrincipal);
    return out;
  });
  return { statements, bytes: estimateBytes(statements) };
}

/**
 * Places documents in one policy set: gives every distinct condition and Resource pattern of the set one slot
 * of the per-request memo (so a test shared by many policies runs once a request) and labels each statement.
 * The document's objects are shared, not copied: a slotted condition is a shallow copy carrying the set's id.
 */
export class SetBinder {
  readonly conditions = new Map<string, CompiledCondition>();
  readonly resources = new Map<string, ArnPattern>();

  private condition(c: CompiledCondition): CompiledCondition {
    const key = c.internKey;
    if (key === undefined) return c;
    let slotted = this.conditions.get(key);
    if (slotted === undefined) {
      slotted = { ...c, id: this.conditions.size };
      this.conditions.set(key, slotted);
    }
    return slotted;
  }

  private resource(p: ArnPattern): ArnPattern {
    const key = p.internKey;
    if (key === undefined || p.matchAll) return p;
    let slotted = this.resources.get(key);
    if (slotted === undefined) {
      slotted = { ...p, id: this.resources.size };
      this.resources.set(key, slotted);
    }
    return slotted;
  }

  /** `positions`: whether reports carry statement positions (only for documents given as text). */
  bind(doc: CompiledDocument, meta: PolicyMeta, positions: boolean): CompiledPolicy {
    const statements = doc.statements.map((d): CompiledStatement => {
      const report: MatchedStatement = {
        policyType: meta.policyType,
        policy: meta.label,
        policyIndex: meta.policyIndex,
        statementIndex: d.index,
        effect: d.effect,
      };
      if (meta.id !== undefined) report.policyId = meta.id;
      if (meta.level !== undefined) report.level = meta.level;
      if (d.sid !== undefined) report.sid = d.sid;
      if (positions && d.start) report.start = d.start;
      if (positions && d.end) report.end = d.end;
      const out: CompiledStatement = {
        index: d.index,
        effect: d.effect,
        actions: d.actions,
        notAction: d.notAction,
        resources: d.resources ? d.resources.map((p) => this.resource(p)) : null,
        notResource: d.notResource,
        conditions: d.conditions.map((c) => this.condition(c)),
        report: Object.freeze(report),
      };
      if (d.principal) out.principal = d.principal;
      if (d.notPrincipal) out.notPrincipal = d.notPrincipal;
      return out;
    });
    return { meta, statements };
  }
}

/** Compiles one parsed policy on its own (a set of one document). */
export function compilePolicy(parsed: ParsedPolicy, meta: PolicyMeta): CompiledPolicy {
  return new SetBinder().bind(compileDocument(parsed), meta, true);
}
