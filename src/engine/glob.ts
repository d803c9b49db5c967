// Wildcard matching for IAM patterns: `*` matches any run of characters, `?` exactly one, everything else literally.

/** A pattern as tokens: literal text, STAR (`*`) or QMARK (`?`). Literal text never holds wildcards. */
export type GlobToken = string | typeof STAR | typeof QMARK;
export const STAR = 0;
export const QMARK = 1;

export type Matcher = (subject: string) => boolean;

/** Splits policy text into tokens, treating `*` and `?` as wildcards. */
export function tokenize(text: string): GlobToken[] {
  const out: GlobToken[] = [];
  // Literal runs are sliced whole rather than built a character at a time: compiling a set tokenizes every pattern.
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 42 && c !== 63) continue; // "*", "?"
    if (i > from) out.push(text.slice(from, i));
    from = i + 1;
    // Consecutive stars are equivalent to one.
    if (c === 42 && out[out.length - 1] === STAR) continue;
    out.push(c === 42 ? STAR : QMARK);
  }
  if (from < text.length) out.push(text.slice(from));
  return out;
}

/** Appends tokens, merging adjacent literals so matching sees maximal literal runs. */
export function pushTokens(into: GlobToken[], tokens: readonly GlobToken[]): void {
  for (const t of tokens) {
    const last = into[into.length - 1];
    if (typeof t === "string" && typeof last === "string") into[into.length - 1] = last + t;
    else if (t === STAR && last === STAR) continue;
    else into.push(t);
  }
}

/** Compiles tokens to the cheapest matcher: equality, prefix, suffix, match-all, or the general algorithm. */
export function compileTokens(tokens: readonly GlobToken[]): Matcher {
  if (tokens.length === 0) return (s) => s === "";
  const hasQ = tokens.includes(QMARK);
  let stars = 0;
  for (const t of tokens) if (t === STAR) stars++;
  if (!hasQ && stars === 0) {
    const lit = tokens[0] as string;
    return (s) => s === lit;
  }
  if (!hasQ && stars === 1) {
    if (tokens.length === 1) return () => true;
    if (tokens.length === 2 && tokens[1] === STAR) {
      const prefix = tokens[0] as string;
      return (s) => s.startsWith(prefix);
    }
    if (tokens.length === 2 && tokens[0] === STAR) {
      const suffix = tokens[1] as string;
      return (s) => s.endsWith(suffix);
    }
  }
  const compiled = splitOnStars(tokens);
  return (s) => matchParts(compiled, s);
}

/**
 * Matches tokens against a subject once, without building a reusable matcher (for patterns with variables).
 * Greedy with backtracking to the last star; literal tokens are atomic, which is equivalent to matching them
 * character by character. Allocates nothing.
 */
export function matchTokens(tokens: readonly GlobToken[], s: string): boolean {
  let ti = 0;
  let si = 0;
  let starTi = -1;
  let starSi = 0;
  const n = tokens.length;
  while (si < s.length || ti < n) {
    if (ti < n) {
      const t = tokens[ti] as GlobToken;
      if (t === STAR) {
        starTi = ti++;
        starSi = si;
        continue;
      }
      if (t === QMARK) {
        if (si < s.length) {
          ti++;
          si++;
          continue;
        }
      } else if (s.startsWith(t, si)) {
        ti++;
        si += t.length;
        continue;
      }
    }
    if (starTi < 0 || starSi >= s.length) return false;
    ti = starTi + 1;
    si = ++starSi;
  }
  return true;
}

/** A star-free run of literals and `?`; `len` is the number of characters it consumes. */
interface Part {
  items: (string | typeof QMARK)[];
  len: number;
}

function splitOnStars(tokens: readonly GlobToken[]): { parts: Part[]; starCount: number } {
  const parts: Part[] = [{ items: [], len: 0 }];
  for (const t of tokens) {
    if (t === STAR) parts.push({ items: [], len: 0 });
    else {
      const part = parts[parts.length - 1] as Part;
      part.items.push(t);
      part.len += t === QMARK ? 1 : t.length;
    }
  }
  return { parts, starCount: parts.length - 1 };
}

function matchPartAt(part: Part, s: string, at: number): boolean {
  let i = at;
  for (const item of part.items) {
    if (item === QMARK) {
      if (i >= s.length) return false;
      i++;
    } else {
      if (!s.startsWith(item, i)) return false;
      i += item.length;
    }
  }
  return true;
}

// INVARIANT: with the first part anchored at the start and the last at the end, taking the leftmost
// occurrence of every middle part is optimal: an earlier match never removes a later possibility.
function matchParts(p: { parts: Part[]; starCount: number }, s: string): boolean {
  const { parts, starCount } = p;
  const first = parts[0] as Part;
  if (starCount === 0) return first.len === s.length && matchPartAt(first, s, 0);
  const last = parts[parts.length - 1] as Part;
  if (first.len + last.len > s.length) return false;
  if (!matchPartAt(first, s, 0)) return false;
  const lastAt = s.length - last.len;
  if (!matchPartAt(last, s, lastAt)) return false;
  let pos = first.len;
  for (let k = 1; k < parts.length - 1; k++) {
    const part = parts[k] as Part;
    let found = -1;
    for (let at = pos; at + part.len <= lastAt; at++) {
      if (matchPartAt(part, s, at)) {
        found = at;
        break;
      }
    }
    if (found < 0) return false;
    pos = found + part.len;
  }
  return true;
}

/** Builds a RegExp source for tokens (used to fold many action patterns into one alternation). */
export function tokensToRegexSource(tokens: readonly GlobToken[]): string {
  let src = "";
  for (const t of tokens) {
    if (t === STAR) src += "[\\s\\S]*";
    else if (t === QMARK) src += "[\\s\\S]";
    else src += t.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return src;
}
