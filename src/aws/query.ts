// The AWS query protocol decoder: form/URL parameters into a flat map, and `.member.N` / `.entry.N` into nested values.
import { AwsError } from "./errors.ts";

/**
 * The largest request body accepted. IAM's biggest inputs are policy documents (6,144 characters managed, 10,240 role
 * inline) and the simulate APIs' policy lists; form encoding can triple their size. 1 MiB leaves room for all of
 * those while bounding what one request can make the Worker buffer and parse.
 */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Query-string authentication parameters: they authenticate the request and are never operation input. */
export const PRESIGN_PARAMS: ReadonlySet<string> = new Set([
  "X-Amz-Algorithm",
  "X-Amz-Credential",
  "X-Amz-Date",
  "X-Amz-Expires",
  "X-Amz-SignedHeaders",
  "X-Amz-Signature",
  "X-Amz-Security-Token",
]);

/** Throws RequestEntityTooLarge when a body (by its byte length, from Content-Length or the bytes read) is too big. */
export function checkBodySize(byteLength: number): void {
  if (byteLength > MAX_BODY_BYTES) {
    throw new AwsError(
      "RequestEntityTooLarge",
      `Request body of ${byteLength} bytes exceeds the maximum of ${MAX_BODY_BYTES} bytes.`,
    );
  }
}

/** Form decoding of one key or value: `+` is a space, then percent-decoding as UTF-8; bad escapes are the caller's. */
export function formDecode(text: string): string {
  const spaced = text.replaceAll("+", " ");
  if (!spaced.includes("%")) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    throw new AwsError(
      "MalformedQueryString",
      `The query string contains a syntax error: invalid percent-encoding in '${text}'.`,
    );
  }
}

/** Splits `a=1&b=2` into decoded pairs in order; `a` alone is `a=""`, empty pieces (`&&`) are skipped. */
export function parseForm(text: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const piece of text.split("&")) {
    if (piece === "") continue;
    const eq = piece.indexOf("=");
    const key = formDecode(eq < 0 ? piece : piece.slice(0, eq));
    const value = eq < 0 ? "" : formDecode(piece.slice(eq + 1));
    pairs.push([key, value]);
  }
  return pairs;
}

function isFormContentType(contentType: string | null | undefined): boolean {
  const mediaType = (contentType ?? "").split(";")[0]?.trim().toLowerCase();
  return mediaType === "application/x-www-form-urlencoded";
}

/**
 * The operation parameters of a query-protocol request: the URL query, plus for POST a form-encoded body. The
 * X-Amz-* presigning parameters are dropped. When a name repeats, the first occurrence wins, so a body cannot
 * override a parameter already present in the URL.
 */
export function parseQueryParams(
  method: string,
  url: URL,
  contentType: string | null | undefined,
  bodyText: string,
): Map<string, string> {
  const params = new Map<string, string>();
  const add = (pairs: Array<[string, string]>) => {
    for (const [key, value] of pairs) {
      if (PRESIGN_PARAMS.has(key) || params.has(key)) continue;
      params.set(key, value);
    }
  };
  add(parseForm(url.search.startsWith("?") ? url.search.slice(1) : url.search));
  if (method.toUpperCase() === "POST" && bodyText !== "" && isFormContentType(contentType)) {
    // A string's UTF-8 size is at most 3 bytes per UTF-16 unit, so the exact count is only needed near the limit.
    if (bodyText.length * 3 > MAX_BODY_BYTES) checkBodySize(new TextEncoder().encode(bodyText).byteLength);
    add(parseForm(bodyText));
  }
  return params;
}

// ---- Unflattening `.member.N` lists and `.entry.N.key/value` maps ----

/** A decoded query value: scalars stay strings, `.member.N` becomes an array, `.entry.N` and `A.B` become objects. */
export type QueryValue = string | QueryValue[] | { [key: string]: QueryValue };

/** The tree under construction: lists and maps keep their 1-based indexes until the end, where they are ordered. */
type Node =
  | { kind: "leaf"; value: string }
  | { kind: "struct"; fields: Map<string, Node> }
  | { kind: "list"; items: Map<number, Node> }
  | { kind: "map"; entries: Map<number, Node> };

function invalid(key: string, why: string): AwsError {
  return new AwsError("InvalidQueryParameter", `The parameter '${key}' is not valid: ${why}.`);
}

function parseIndex(segment: string | undefined, key: string): number {
  if (segment === undefined || !/^[1-9][0-9]{0,8}$/.test(segment))
    throw invalid(key, "list and map indexes start at 1");
  return Number(segment);
}

/** Returns the child container of `kind`, creating it; an empty-string leaf (how SDKs send an empty list) gives way. */
function container<K extends Node["kind"]>(slot: Node | undefined, kind: K, key: string): Extract<Node, { kind: K }> {
  if (slot === undefined || (slot.kind === "leaf" && slot.value === "")) {
    const created =
      kind === "struct"
        ? { kind, fields: new Map() }
        : kind === "list"
          ? { kind, items: new Map() }
          : { kind, entries: new Map() };
    return created as Extract<Node, { kind: K }>;
  }
  if (slot.kind !== kind) throw invalid(key, "it mixes a value with nested parameters");
  return slot as Extract<Node, { kind: K }>;
}

function insert(root: Map<string, Node>, key: string, value: string): void {
  const segments = key.split(".");
  if (segments.some((s) => s === "")) throw invalid(key, "it has an empty name segment");
  // slotGet/slotSet address where the next node lives: a top-level name, a struct field, a list item or a map entry.
  let slotGet: () => Node | undefined = () => root.get(segments[0] as string);
  let slotSet: (n: Node) => void = (n) => root.set(segments[0] as string, n);
  let i = 1;
  while (i < segments.length) {
    const seg = segments[i] as string;
    if (seg === "member") {
      const list = container(slotGet(), "list", key);
      slotSet(list);
      const index = parseIndex(segments[i + 1], key);
      slotGet = () => list.items.get(index);
      slotSet = (n) => list.items.set(index, n);
      i += 2;
    } else if (seg === "entry") {
      const map = container(slotGet(), "map", key);
      slotSet(map);
      const index = parseIndex(segments[i + 1], key);
      const entry = container(map.entries.get(index), "struct", key);
      map.entries.set(index, entry);
      const part = segments[i + 2];
      if (part !== "key" && part !== "value") throw invalid(key, "map entries have only 'key' and 'value'");
      slotGet = () => entry.fields.get(part);
      slotSet = (n) => entry.fields.set(part, n);
      i += 3;
    } else {
      const struct = container(slotGet(), "struct", key);
      slotSet(struct);
      slotGet = () => struct.fields.get(seg);
      slotSet = (n) => struct.fields.set(seg, n);
      i += 1;
    }
  }
  const existing = slotGet();
  // Names are unique, so something already here is nested parameters: they win over an empty-list marker (`A=`),
  // while a real value alongside them is ambiguous.
  if (existing !== undefined) {
    if (value === "") return;
    throw invalid(key, "it mixes a value with nested parameters");
  }
  slotSet({ kind: "leaf", value });
}

/** Defines a property without going through setters, so a parameter named `__proto__` is only ever data. */
function put(obj: { [key: string]: QueryValue }, key: string, value: QueryValue): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function byIndex<T>(m: Map<number, T>): T[] {
  return [...m.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

function build(node: Node, key: string): QueryValue {
  switch (node.kind) {
    case "leaf":
      return node.value;
    case "list":
      return byIndex(node.items).map((n) => build(n, key));
    case "struct": {
      const out: { [key: string]: QueryValue } = {};
      for (const [name, child] of node.fields) put(out, name, build(child, `${key}.${name}`));
      return out;
    }
    case "map": {
      const out: { [key: string]: QueryValue } = {};
      for (const entry of byIndex(node.entries)) {
        const k = entry.kind === "struct" ? entry.fields.get("key") : undefined;
        if (k === undefined || k.kind !== "leaf") throw invalid(`${key}.entry`, "a map entry has no key");
        const v = entry.kind === "struct" ? entry.fields.get("value") : undefined;
        put(out, k.value, v === undefined ? "" : build(v, `${key}.entry`));
      }
      return out;
    }
  }
}

/**
 * Turns flat query parameters into a nested object: `A.member.1.Key=x` → `{A: [{Key: "x"}]}` (ordered by N, gaps
 * closed), `M.entry.1.key=k&M.entry.1.value=v` → `{M: {k: "v"}}`, `A.B=x` → `{A: {B: "x"}}`. Leaves stay strings;
 * the operation's schema converts them. An empty list arrives from SDKs as `A=` and stays `""` (see readList).
 */
export function unflattenQuery(params: ReadonlyMap<string, string>): Record<string, QueryValue> {
  const root = new Map<string, Node>();
  for (const [key, value] of params) insert(root, key, value);
  const out: { [key: string]: QueryValue } = {};
  for (const [name, node] of root) put(out, name, build(node, name));
  return out;
}

/** The parameters under `prefix.` with the prefix removed, for decoding one member on its own. */
function subtree(params: ReadonlyMap<string, string>, name: string): QueryValue | undefined {
  const inner = new Map<string, string>();
  for (const [key, value] of params) {
    if (key === name || key.startsWith(`${name}.`)) inner.set(key, value);
  }
  return unflattenQuery(inner)[name];
}

/**
 * Reads a list parameter such as `Tags.member.N` (with nested `Tags.member.N.Key`): the items in N order, `[]` when
 * absent or sent as the empty-list marker `Tags=`.
 */
export function readList(params: ReadonlyMap<string, string>, name: string): QueryValue[] {
  const value = subtree(params, name);
  if (value === undefined || value === "") return [];
  if (!Array.isArray(value)) throw invalid(name, "a list is expected (Name.member.N)");
  return value;
}

/** Reads a map parameter `Name.entry.N.key/value` into a plain object; `{}` when absent or sent empty. */
export function readMap(params: ReadonlyMap<string, string>, name: string): Record<string, QueryValue> {
  const value = subtree(params, name);
  if (value === undefined || value === "") return {};
  if (typeof value !== "object" || Array.isArray(value)) throw invalid(name, "a map is expected (Name.entry.N)");
  return value;
}
