// Policy variables: `${key}`, `${key, 'default'}` and the escapes `${*}` `${?}` `${$}`, resolved from the request context.
import { pushTokens, QMARK, STAR, tokenize, type GlobToken } from "./glob.ts";

export type TemplatePart =
  /** Policy text: `*` and `?` in it are wildcards where the operator supports them. */
  | { kind: "text"; text: string }
  /** Text that is always literal (escapes, defaults). */
  | { kind: "literal"; text: string }
  | { kind: "var"; key: string; keyLower: string; fallback?: string };

export interface Template {
  raw: string;
  parts: TemplatePart[];
  hasVars: boolean;
  /** The parts as glob tokens, variables left in place: resolving is then a substitution, not a re-tokenization. */
  items: (GlobToken | TemplateVar)[];
}

type TemplateVar = Extract<TemplatePart, { kind: "var" }>;

function itemsOf(parts: readonly TemplatePart[]): (GlobToken | TemplateVar)[] {
  const out: (GlobToken | TemplateVar)[] = [];
  for (const p of parts) {
    if (p.kind === "text") out.push(...tokenize(p.text));
    else if (p.kind === "literal") out.push(p.text);
    else out.push(p);
  }
  return out;
}

/** Where variables get their values: a single-valued context key (lower-cased), and a sink for absent keys. */
export interface VarSource {
  /** Undefined when the key is absent or multivalued (multivalued keys cannot be variables). */
  single(keyLower: string): string | undefined;
  missing?(key: string): void;
}

// Hot-path aliases, read once: some loaders (tsx, vite-node) compile imported bindings to getter calls.
const STAR_ = STAR;
const QMARK_ = QMARK;

const ESCAPES: Record<string, string> = { "*": "*", "?": "?", $: "$" };

/**
 * Parses a string into a template. With `variables` false (policy Version 2008-10-17 or none),
 * `${...}` is ordinary text, as AWS documents.
 */
export function parseTemplate(raw: string, variables: boolean): Template {
  if (!variables || !raw.includes("${")) {
    const parts: TemplatePart[] = [{ kind: "text", text: raw }];
    return { raw, parts, hasVars: false, items: itemsOf(parts) };
  }
  const parts: TemplatePart[] = [];
  let hasVars = false;
  let i = 0;
  let text = "";
  while (i < raw.length) {
    const open = raw.indexOf("${", i);
    const close = open < 0 ? -1 : raw.indexOf("}", open + 2);
    if (open < 0 || close < 0) {
      text += raw.slice(i);
      break;
    }
    text += raw.slice(i, open);
    const inner = raw.slice(open + 2, close);
    const escaped = ESCAPES[inner];
    if (text) parts.push({ kind: "text", text });
    text = "";
    if (escaped !== undefined) {
      parts.push({ kind: "literal", text: escaped });
    } else {
      const m = /^\s*([^,]+?)\s*(?:,\s*'([^']*)'\s*)?$/.exec(inner);
      const key = m?.[1] ?? inner.trim();
      const fallback = m?.[2];
      parts.push(
        fallback === undefined
          ? { kind: "var", key, keyLower: key.toLowerCase() }
          : { kind: "var", key, keyLower: key.toLowerCase(), fallback },
      );
      hasVars = true;
    }
    i = close + 1;
  }
  if (text) parts.push({ kind: "text", text });
  return { raw, parts, hasVars, items: itemsOf(parts) };
}

/** The keys a template reads from the request context. */
export function templateKeys(t: Template): string[] {
  const keys: string[] = [];
  for (const p of t.parts) if (p.kind === "var") keys.push(p.key);
  return keys;
}

/**
 * Resolves a template to glob tokens (policy text keeps its wildcards, substituted values are literal).
 * Returns null when a variable has no value and no default: AWS then treats the value as not matching.
 */
export function resolveTokens(t: Template, vars: VarSource): GlobToken[] | null {
  const out: GlobToken[] = [];
  let ok = true;
  for (const item of t.items) {
    if (typeof item !== "object") out.push(item);
    else {
      const v = vars.single(item.keyLower) ?? item.fallback;
      if (v === undefined) {
        ok = false;
        vars.missing?.(item.key);
      } else if (v) out.push(v);
    }
  }
  return ok ? out : null;
}

/** Resolves a template to plain text (for operators without wildcards); null when a variable has no value. */
export function resolveString(t: Template, vars: VarSource): string | null {
  let out = "";
  let ok = true;
  for (const p of t.parts) {
    if (p.kind !== "var") out += p.text;
    else {
      const v = vars.single(p.keyLower) ?? p.fallback;
      if (v === undefined) {
        ok = false;
        vars.missing?.(p.key);
      } else out += v;
    }
  }
  return ok ? out : null;
}

/** Template text as glob tokens when it has no variables (escapes still literal). */
export function staticTokens(t: Template): GlobToken[] {
  const out: GlobToken[] = [];
  for (const p of t.parts) {
    if (p.kind === "text") pushTokens(out, tokenize(p.text));
    else if (p.kind === "literal") pushTokens(out, [p.text]);
  }
  return out;
}

function valueOf(item: TemplateVar, vars: VarSource): string | undefined {
  return vars.single(item.keyLower) ?? item.fallback;
}

/**
 * Matches a template against a subject without building tokens: variables are looked up in place and their
 * values are literal. Returns null (after reporting the keys) when a variable has no value.
 * Same greedy algorithm with backtracking to the last star as glob.matchTokens.
 */
export function matchTemplate(t: Template, s: string, vars: VarSource): boolean | null {
  const items = t.items;
  let ok = true;
  for (const item of items) {
    if (typeof item === "object" && valueOf(item, vars) === undefined) {
      ok = false;
      vars.missing?.(item.key);
    }
  }
  if (!ok) return null;
  let ti = 0;
  let si = 0;
  let starTi = -1;
  let starSi = 0;
  const n = items.length;
  while (si < s.length || ti < n) {
    if (ti < n) {
      const item = items[ti] as GlobToken | TemplateVar;
      if (item === STAR_) {
        starTi = ti++;
        starSi = si;
        continue;
      }
      if (item === QMARK_) {
        if (si < s.length) {
          ti++;
          si++;
          continue;
        }
      } else {
        const lit = typeof item === "object" ? (valueOf(item, vars) as string) : item;
        if (s.startsWith(lit, si)) {
          ti++;
          si += lit.length;
          continue;
        }
      }
    }
    if (starTi < 0 || starSi >= s.length) return false;
    ti = starTi + 1;
    si = ++starSi;
  }
  return true;
}
