// The fast way to read a well-formed policy's JSON: native JSON.parse, plus one regex pass for what it cannot see.
//
// json.ts's parser keeps every value's position and reports duplicate keys, which the validator needs to locate a
// problem. But a fresh isolate runs that character-level code in V8's interpreter (a 91 KB ReadOnlyAccess-sized
// document took ~4.5 ms), while JSON.parse is native (~0.15 ms). Most documents have no problem at all, so they take
// this path: JSON.parse gives the values, and a single pass of a native sticky regex over the text finds what
// JSON.parse hides, namely duplicate keys and where each statement (a top-level element's direct child object)
// starts and ends. Whenever the two paths could disagree, this one gives up (returns undefined) and the caller uses
// json.ts: text JSON.parse refuses, a duplicate key, a key that is an array index (JSON.parse would reorder it) or
// holds an escape, and nesting deeper than json.ts accepts.
import { lineIndex, MAX_JSON_DEPTH, toJsonNode, type JsonNode } from "./json.ts";
import type { Position } from "./types.ts";

/** An object directly inside a top-level element, e.g. one statement of "Statement": the offsets of its braces. */
export interface ChildSpan {
  /** The top-level key the object sits under. */
  key: string;
  start: number;
  end: number;
}

export interface FastJson {
  node: JsonNode;
  children: ChildSpan[];
  /** The line and column (1-based) of an offset, as json.ts reports positions. */
  positionAt(offset: number): Position;
}

// One token per match, scanned left to right (valid JSON only: JSON.parse has accepted the text before this runs):
//   1. a key: a string followed by ':'
//   2. a run of value strings each followed by ',' (an Action list of thousands of names is one match)
//   3. any other string (a value), skipped
//   4. a brace
// Everything between tokens (whitespace, ',', ':', '[', ']', numbers, literals) contains neither a quote nor a brace,
// so the scan never starts inside a string. Strings use the unrolled form [^"\\]*(?:\\.[^"\\]*)* to avoid
// backtracking per character.
const STR = String.raw`"[^"\\]*(?:\\.[^"\\]*)*"`;
const TOKEN = new RegExp(String.raw`(${STR})\s*:|(?:${STR}\s*,\s*)+|${STR}|([{}])`, "g");
/** A key JSON.parse would move to the front of its object (an array index), or one whose text has an escape. */
const UNSAFE_KEY = /^"(?:0|[1-9][0-9]*)"$|\\/;

/** Parses text the fast way, or returns undefined when json.ts must (see the module comment). */
export function parseJsonFast(text: string): FastJson | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const children: ChildSpan[] = [];
  const keys: Set<string>[] = [];
  let topKey = "";
  let childStart = -1;
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(text); m !== null; m = TOKEN.exec(text)) {
    const key = m[1];
    if (key !== undefined) {
      if (UNSAFE_KEY.test(key)) return undefined;
      const seen = keys[keys.length - 1];
      if (seen === undefined || seen.has(key)) return undefined;
      seen.add(key);
      if (keys.length === 1) topKey = key.slice(1, -1);
      continue;
    }
    const brace = m[2];
    if (brace === "{") {
      if (keys.length >= MAX_JSON_DEPTH) return undefined;
      keys.push(new Set());
      if (keys.length === 2) childStart = m.index;
    } else if (brace === "}") {
      if (keys.length === 2) children.push({ key: topKey, start: childStart, end: m.index });
      keys.pop();
    }
  }
  let node: JsonNode;
  try {
    node = toJsonNode(value);
  } catch {
    return undefined;
  }
  return { node, children, positionAt: lineIndex(text) };
}
