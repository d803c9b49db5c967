// Reuse of parsed policies across policy sets: the same documents (managed policies) come back request after request.
import { parsePolicy, type ParseResult } from "./parse.ts";
import type { PolicyKind } from "./types.ts";

/** Parsed results by document text; dropped whole when full, so memory stays bounded. */
const byText = new Map<string, ParseResult>();
const TEXT_LIMIT = 512;
/** Parsed results by document object, for as long as the caller keeps the object. */
const byObject = new WeakMap<object, Partial<Record<PolicyKind, ParseResult>>>();

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
  let perKind = byObject.get(document);
  if (perKind === undefined) {
    perKind = {};
    byObject.set(document, perKind);
  }
  return (perKind[kind] ??= parsePolicy(document, kind));
}
