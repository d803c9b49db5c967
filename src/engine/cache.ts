// Reuse of compiled documents and policy sets across requests, bounded by an estimate of the memory they hold.
import { clearActionCache } from "./actions.ts";
import { compileDocument, type CompiledDocument } from "./compile.ts";
import { CostLru } from "./lru.ts";
import { parsePolicy } from "./parse.ts";
import type { CompiledPolicySet } from "./policyset.ts";
import type { PolicyKind, PolicySource, ValidationIssue } from "./types.ts";

/** Caps of the two caches, in estimated bytes: together they hold at most ~32 MB of a 128 MB isolate. */
export const DOCUMENT_CACHE_BYTES = 16 * 1024 * 1024;
export const SET_CACHE_BYTES = 16 * 1024 * 1024;
export type DocumentEntry =
  | {
      ok: true;
      /** Unique for the life of the isolate (-1 when not cached): sets are cached by their documents' serials. */
      serial: number;
      doc: CompiledDocument;
      cost: number;
    }
  | { ok: false; errors: ValidationIssue[]; message: string; cost: number };

/**
 * Compiled documents by kind and hash, and by text. Two maps, so no text can pose as a hash key; a text is the key
 * itself (a flat string hashes once and compares natively, where a prefixed copy would be rebuilt every lookup).
 */
const byHash = new CostLru<DocumentEntry>(DOCUMENT_CACHE_BYTES / 2);
const byText = new CostLru<Partial<Record<string, DocumentEntry>>>(DOCUMENT_CACHE_BYTES / 2);
let serials = 0;

function compileEntry(document: string | object, kind: PolicyKind, cached: boolean): DocumentEntry {
  const parsed = parsePolicy(document, kind);
  if (!parsed.ok) return { ok: false, errors: parsed.errors, message: parsed.message, cost: 1024 };
  const doc = compileDocument(parsed.policy);
  return { ok: true, serial: cached ? ++serials : -1, doc, cost: doc.bytes };
}

/** JSON text of an object, or undefined when it has none (cycles, BigInt, a top-level toJSON returning nothing). */
function stringify(document: object): string | undefined {
  try {
    const text: unknown = JSON.stringify(document);
    return typeof text === "string" ? text : undefined;
  } catch {
    return undefined;
  }
}

/** Issues of a document given as an object, without the positions of the JSON text it was compiled from. */
function withoutPositions(entry: DocumentEntry): DocumentEntry {
  if (entry.ok) return entry;
  const errors = entry.errors.map((e) => {
    const { line: _line, column: _column, ...rest } = e;
    return rest;
  });
  return { ...entry, errors };
}

/**
 * The compiled document for a source, from the cache when the same document (same kind, and the same `hash`, or
 * else the same text) was compiled before. INVARIANT: documents are immutable once given, and a compiled document
 * is never mutated, so sharing it between sets and requests is safe.
 */
export function compiledDocument(source: PolicySource, kind: PolicyKind): DocumentEntry {
  const { document, hash } = source;
  if (hash !== undefined) {
    const key = `${kind}\u0000${hash}`;
    const hit = byHash.get(key);
    if (hit !== undefined) return hit;
    const entry = compileEntry(document, kind, true);
    byHash.set(key, entry, entry.cost + key.length * 2);
    return entry;
  }
  let text: string;
  let slot: string = kind;
  if (typeof document === "string") text = document;
  else {
    // An object is compiled from its JSON text, so equal texts compile alike by construction (whatever getters or
    // toJSON the object has), and is keyed by it: not held in a WeakMap, since /v1/simulate brings fresh objects
    // every call and young WeakMap keys make V8's scavenger keep everything compiled from them. Its entry is
    // apart from the same text given as text: its issues carry no line and column (they would be the text's).
    const json = stringify(document);
    if (json === undefined) return compileEntry(document, kind, false);
    text = json;
    slot = `object ${kind}`;
  }
  const kinds = byText.get(text);
  const hit = kinds?.[slot];
  if (hit !== undefined) return hit;
  const entry = slot === kind ? compileEntry(text, kind, true) : withoutPositions(compileEntry(text, kind, true));
  const next = { ...kinds, [slot]: entry };
  let cost = text.length * 2;
  for (const k in next) cost += next[k]?.cost ?? 0;
  byText.set(text, next, cost);
  return entry;
}

/** Compiled policy sets by the serials, labels and options of their documents (see policyset.ts). */
export const policySets = new CostLru<CompiledPolicySet>(SET_CACHE_BYTES);

/** What the caches hold, for tests and the benchmark. */
export function policyCacheStats(): { documents: CacheStats; sets: CacheStats } {
  const stats = <V>(c: CostLru<V>): CacheStats => ({ cost: c.cost, count: c.count, capacity: c.capacity });
  const documents = {
    cost: byHash.cost + byText.cost,
    count: byHash.count + byText.count,
    capacity: byHash.capacity + byText.capacity,
  };
  return { documents, sets: stats(policySets) };
}

export interface CacheStats {
  /** Estimated bytes held. */
  cost: number;
  count: number;
  capacity: number;
}

/** Empties the caches of documents, sets and Action lists (tests, benchmarks). */
export function clearPolicyCaches(): void {
  clearActionCache();
  byHash.clear();
  byText.clear();
  policySets.clear();
}
