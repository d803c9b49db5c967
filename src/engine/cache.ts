// Reuse of parsed policies across policy sets: the same documents (managed policies) come back request after request.
import { MAX_JSON_DEPTH } from "./json.ts";
import { parsePolicy, type ParseResult } from "./parse.ts";
import type { PolicyKind } from "./types.ts";

/** Parsed results by document text; dropped whole when full, so memory stays bounded. */
const byText = new Map<string, ParseResult>();
const TEXT_LIMIT = 512;

/**
 * Whether a value is exactly what JSON can hold (plain objects and arrays, strings, finite numbers, booleans,
 * null), so that JSON.stringify describes it completely: two such documents with the same text parse alike.
 */
function isPureJson(v: unknown, depth = 0): boolean {
  if (v === null) return true;
  switch (typeof v) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(v);
    case "object": {
      // Too deep to walk safely: the uncached path rejects it as a syntax error.
      if (depth >= MAX_JSON_DEPTH) return false;
      if (Object.prototype.hasOwnProperty.call(v, "toJSON")) return false;
      const keys = Object.keys(v);
      if (Array.isArray(v)) {
        // Holes and extra properties are ignored by one side and not the other.
        if (Object.getPrototypeOf(v) !== Array.prototype || keys.length !== v.length) return false;
        for (const item of v as unknown[]) if (!isPureJson(item, depth + 1)) return false;
        return true;
      }
      const proto: unknown = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) return false;
      for (const k of keys) if (!isPureJson((v as Record<string, unknown>)[k], depth + 1)) return false;
      return true;
    }
    default:
      return false;
  }
}

/**
 * parsePolicy with reuse. INVARIANT: documents are treated as immutable once given; a parsed policy is never
 * mutated by compilation, so sharing it between sets is safe.
 */
export function parsePolicyCached(document: string | object, kind: PolicyKind): ParseResult {
  if (typeof document === "string") {
    const key = `${kind}\u0000${document}`;
    let r = byText.get(key);
    if (r === undefined) {
      if (byText.size >= TEXT_LIMIT) byText.clear();
      r = parsePolicy(document, kind);
      byText.set(key, r);
    }
    return r;
  }
  // Objects are keyed by their JSON text, not held in a WeakMap: /v1/simulate brings fresh objects every call, and
  // young WeakMap keys make V8's scavenger keep (and promote) every parse and compile result made from them.
  if (!isPureJson(document)) return parsePolicy(document, kind);
  const key = `${kind}\u0001${JSON.stringify(document)}`;
  let r = byText.get(key);
  if (r === undefined) {
    if (byText.size >= TEXT_LIMIT) byText.clear();
    r = parsePolicy(document, kind);
    byText.set(key, r);
  }
  return r;
}
