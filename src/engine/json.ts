// A small JSON parser that keeps where every value is, so statements can be located and duplicate keys caught.
import type { Position } from "./types.ts";

export type JsonNode = JsonObject | JsonArray | JsonScalar;

/**
 * Where a value of a text starts and ends: the offsets of its first and last characters. Offsets cost nothing to
 * keep; `positionAt` turns one into a line and column when a problem or a statement is reported.
 */
interface Located {
  at?: number;
  endAt?: number;
}

export interface JsonObject extends Located {
  type: "object";
  entries: JsonEntry[];
}

export interface JsonEntry {
  key: string;
  /** Offset of the key's opening quote. */
  keyAt?: number;
  value: JsonNode;
}

export interface JsonArray extends Located {
  type: "array";
  items: JsonNode[];
  /**
   * Set when every item is a string and the array came from a parsed value (toJsonNode): the items' values, so a
   * long Action list is read without a node per name. `items` is then built only if something asks for it.
   */
  strings?: readonly string[];
}

export interface JsonScalar extends Located {
  type: "string" | "number" | "boolean" | "null";
  value: string | number | boolean | null;
}

/**
 * The deepest nesting of arrays and objects accepted. A policy needs about six levels; the cap keeps a hostile
 * document from exhausting the stack of the recursive walks below (a 128 KB document can nest 65,000 deep).
 */
export const MAX_JSON_DEPTH = 64;

const TOO_DEEP = `Nesting deeper than ${MAX_JSON_DEPTH} levels`;

/** A run of string characters that need no attention: from U+0020 up, except the quote and the backslash. */
const PLAIN_RUN = /[ !#-[\]-\uffff]*/y;

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: Position,
  ) {
    super(message);
    this.name = "JsonSyntaxError";
  }
}

export interface DuplicateKey {
  key: string;
  /** Offset of the repeated key. */
  at: number;
}

/** Parses JSON text into position-annotated nodes; duplicate object keys are reported, not fatal. */
export function parseJson(text: string): {
  node: JsonNode;
  duplicates: DuplicateKey[];
  positionAt: (offset: number) => Position;
} {
  const p = new Parser(text);
  p.skipWs();
  const node = p.value();
  p.skipWs();
  if (p.i < text.length) p.fail("Unexpected content after the JSON value");
  return { node, duplicates: p.duplicates, positionAt: p.positionAt };
}

/** Offset to line and column (1-based), from the offsets where lines start (found natively, on first use). */
export function lineIndex(text: string): (offset: number) => Position {
  let starts: number[] | undefined;
  return (offset) => {
    if (starts === undefined) {
      starts = [0];
      for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
    }
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (starts[lo] as number) + 1 };
  };
}

/** Converts an already-parsed JavaScript value into nodes without positions; rejects what JSON cannot hold. */
export function toJsonNode(value: unknown, path = "$"): JsonNode {
  // Paths only name the offending value in an error, so they are built (by a second walk) only when there is one.
  const node = convert(value);
  return node ?? toJsonNodeWithPaths(value, path);
}

/** The conversion without paths: undefined as soon as some value is not JSON (or nests too deep). */
function convert(value: unknown, depth = 0): JsonNode | undefined {
  if (value === null) return { type: "null", value: null };
  switch (typeof value) {
    case "string":
      return { type: "string", value };
    case "number":
      return Number.isFinite(value) ? { type: "number", value } : undefined;
    case "boolean":
      return { type: "boolean", value };
    case "object": {
      if (depth >= MAX_JSON_DEPTH) return undefined;
      if (Array.isArray(value)) {
        if (allStrings(value)) return stringArray(value.slice() as string[]);
        const items: JsonNode[] = [];
        for (const v of value as unknown[]) {
          const item = convert(v, depth + 1);
          if (item === undefined) return undefined;
          items.push(item);
        }
        return { type: "array", items };
      }
      const entries: JsonEntry[] = [];
      // Object.keys: the same own enumerable keys, in the same order, as Object.entries, without a pair per key.
      for (const key of Object.keys(value)) {
        const node = convert((value as Record<string, unknown>)[key], depth + 1);
        if (node === undefined) return undefined;
        entries.push({ key, value: node });
      }
      return { type: "object", entries };
    }
    default:
      return undefined;
  }
}

/** Every index holds a string (a hole in a sparse array does not, unlike with `every`). */
function allStrings(values: readonly unknown[]): boolean {
  for (let i = 0; i < values.length; i++) if (typeof values[i] !== "string") return false;
  return true;
}

/** An array of strings whose item nodes are made on first use (most readers take `strings`). */
function stringArray(strings: readonly string[]): JsonArray {
  let items: JsonNode[] | undefined;
  return {
    type: "array",
    strings,
    get items(): JsonNode[] {
      return (items ??= strings.map((value): JsonNode => ({ type: "string", value })));
    },
  };
}

function toJsonNodeWithPaths(value: unknown, path: string, depth = 0): JsonNode {
  if (value === null) return { type: "null", value: null };
  switch (typeof value) {
    case "string":
      return { type: "string", value };
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`${path} is not a finite number`);
      return { type: "number", value };
    case "boolean":
      return { type: "boolean", value };
    case "object":
      if (depth >= MAX_JSON_DEPTH) throw new TypeError(`${path}: ${TOO_DEEP}`);
      if (Array.isArray(value)) {
        // Array.from visits a sparse array's holes (map would skip them, leaving holes among the nodes).
        const items = Array.from(value as unknown[], (v, i) => toJsonNodeWithPaths(v, `${path}[${i}]`, depth + 1));
        return { type: "array", items };
      }
      return {
        type: "object",
        entries: Object.entries(value as Record<string, unknown>).map(([key, v]) => ({
          key,
          value: toJsonNodeWithPaths(v, `${path}.${key}`, depth + 1),
        })),
      };
    default:
      throw new TypeError(`${path} is not a JSON value`);
  }
}

class Parser {
  i = 0;
  readonly duplicates: DuplicateKey[] = [];
  readonly positionAt: (offset: number) => Position;
  private depth = 0;

  constructor(private readonly s: string) {
    this.positionAt = lineIndex(s);
  }

  /** Called on entering an array or object; leave() on the way out. */
  private enter(): void {
    if (++this.depth > MAX_JSON_DEPTH) this.fail(TOO_DEEP);
  }

  private leave(): void {
    this.depth--;
  }

  fail(message: string): never {
    throw new JsonSyntaxError(message, this.positionAt(this.i));
  }

  skipWs(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 10 || c === 32 || c === 9 || c === 13) this.i++;
      else break;
    }
  }

  value(): JsonNode {
    const c = this.s[this.i];
    if (c === "{" || c === "[") {
      this.enter();
      const node = c === "{" ? this.object() : this.array();
      this.leave();
      return node;
    }
    if (c === '"') {
      const at = this.i;
      const value = this.string();
      return { type: "string", value, at, endAt: this.i - 1 };
    }
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return this.number();
    for (const [word, value] of [
      ["true", true],
      ["false", false],
      ["null", null],
    ] as const) {
      if (this.s.startsWith(word, this.i)) {
        const at = this.i;
        this.i += word.length;
        return { type: value === null ? "null" : "boolean", value, at, endAt: this.i - 1 };
      }
    }
    return this.fail(c === undefined ? "Unexpected end of input" : `Unexpected character '${c}'`);
  }

  object(): JsonObject {
    const at = this.i;
    this.i++;
    const entries: JsonEntry[] = [];
    const seen = new Set<string>();
    this.skipWs();
    if (this.s[this.i] === "}") {
      this.i++;
      return { type: "object", entries, at, endAt: this.i - 1 };
    }
    for (;;) {
      this.skipWs();
      if (this.s[this.i] !== '"') this.fail("Expected a string key");
      const keyAt = this.i;
      const key = this.string();
      if (seen.has(key)) this.duplicates.push({ key, at: keyAt });
      seen.add(key);
      this.skipWs();
      if (this.s[this.i] !== ":") this.fail("Expected ':' after a key");
      this.i++;
      this.skipWs();
      const value = this.value();
      entries.push({ key, keyAt, value });
      this.skipWs();
      const c = this.s[this.i];
      if (c === ",") {
        this.i++;
        continue;
      }
      if (c === "}") {
        this.i++;
        return { type: "object", entries, at, endAt: this.i - 1 };
      }
      this.fail("Expected ',' or '}' in an object");
    }
  }

  array(): JsonArray {
    const at = this.i;
    this.i++;
    const items: JsonNode[] = [];
    this.skipWs();
    if (this.s[this.i] === "]") {
      this.i++;
      return { type: "array", items, at, endAt: this.i - 1 };
    }
    for (;;) {
      this.skipWs();
      items.push(this.value());
      this.skipWs();
      const c = this.s[this.i];
      if (c === ",") {
        this.i++;
        continue;
      }
      if (c === "]") {
        this.i++;
        return { type: "array", items, at, endAt: this.i - 1 };
      }
      this.fail("Expected ',' or ']' in an array");
    }
  }

  string(): string {
    const s = this.s;
    this.i++;
    let out = "";
    let runStart = this.i;
    for (;;) {
      // The plain characters of a run are skipped by a (native) sticky regex rather than one by one.
      PLAIN_RUN.lastIndex = this.i;
      PLAIN_RUN.test(s);
      this.i = PLAIN_RUN.lastIndex;
      if (this.i >= s.length) this.fail("Unterminated string");
      const c = s.charCodeAt(this.i);
      if (c === 34) {
        out += s.slice(runStart, this.i);
        this.i++;
        return out;
      }
      if (c < 0x20) this.fail("Control character in a string");
      if (c !== 92) {
        this.i++;
        continue;
      }
      out += s.slice(runStart, this.i);
      const e = s[this.i + 1];
      const simple: Record<string, string> = {
        '"': '"',
        "\\": "\\",
        "/": "/",
        b: "\b",
        f: "\f",
        n: "\n",
        r: "\r",
        t: "\t",
      };
      if (e !== undefined && e in simple) {
        out += simple[e];
        this.i += 2;
      } else if (e === "u") {
        const hex = s.slice(this.i + 2, this.i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail("Invalid \\u escape");
        out += String.fromCharCode(parseInt(hex, 16));
        this.i += 6;
      } else {
        this.fail("Invalid escape in a string");
      }
      runStart = this.i;
    }
  }

  number(): JsonScalar {
    const at = this.i;
    const m = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(this.s.slice(this.i, this.i + 400));
    if (!m) this.fail("Invalid number");
    this.i += m[0].length;
    return { type: "number", value: Number(m[0]), at, endAt: this.i - 1 };
  }
}
