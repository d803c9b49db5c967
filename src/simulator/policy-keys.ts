// The context keys a policy document refers to: condition keys and ${...} policy variables (GetContextKeysFor*, and warnings for keys the catalogue does not know).
import { AwsError } from "../aws/errors";
import { isKnownConditionKey } from "./action-index";

/** `${aws:username}` or `${aws:PrincipalTag/team, 'none'}`; the `${*}`, `${?}`, `${$}` escapes are not keys. */
const VARIABLE = /\$\{([^}*?$][^},]*)(?:,[^}]*)?\}/g;

function variablesIn(value: unknown, add: (k: string) => void): void {
  if (typeof value === "string") {
    for (const m of value.matchAll(VARIABLE)) if (m[1]?.includes(":")) add(m[1].trim());
  } else if (Array.isArray(value)) {
    for (const v of value) variablesIn(v, add);
  }
}

function statementsOf(doc: unknown): Record<string, unknown>[] {
  if (typeof doc !== "object" || doc === null) return [];
  const s = (doc as Record<string, unknown>).Statement;
  const list = Array.isArray(s) ? s : [s];
  return list.filter((x): x is Record<string, unknown> => typeof x === "object" && x !== null);
}

/**
 * Every key the documents use, in first-seen order and deduplicated case-insensitively (AWS compares keys without
 * case). A document that is not JSON is InvalidInput, as AWS answers.
 */
export function contextKeysOf(documents: string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (k: string) => {
    if (seen.has(k.toLowerCase())) return;
    seen.add(k.toLowerCase());
    out.push(k);
  };
  for (const text of documents) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      throw new AwsError("InvalidInput", "The policy document is not valid JSON.");
    }
    for (const st of statementsOf(doc)) {
      variablesIn(st.Resource, add);
      variablesIn(st.NotResource, add);
      const cond = st.Condition;
      if (typeof cond !== "object" || cond === null) continue;
      for (const block of Object.values(cond as Record<string, unknown>)) {
        if (typeof block !== "object" || block === null) continue;
        for (const [key, value] of Object.entries(block as Record<string, unknown>)) {
          add(key);
          variablesIn(value, add);
        }
      }
    }
  }
  return out;
}

/** Warnings (never errors) for keys that AWS does not document globally or for their service. */
export function unknownKeyWarnings(documents: string[]): string[] {
  let keys: string[];
  try {
    keys = contextKeysOf(documents);
  } catch {
    return [];
  }
  return keys
    .filter((k) => !isKnownConditionKey(k))
    .map((k) => `Unknown condition key ${k}: the action catalogue does not list it.`);
}
