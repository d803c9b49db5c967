// String operators: StringEquals (case-sensitive), StringEqualsIgnoreCase, StringLike (wildcards), and Bool.
import { compileTokens, matchTokens, type GlobToken, type Matcher } from "../glob.ts";
import { parseTemplate, resolveString, resolveTokens, staticTokens, type Template } from "../variables.ts";
import { fixedValues, type CompiledValues, type ConditionFamily, type ValueTester } from "./family.ts";

type Mode = "exact" | "ignoreCase" | "like";

function modeOf(base: string): Mode {
  if (base === "StringLike") return "like";
  // INVARIANT: Bool compares "true"/"false" without regard to case, like StringEqualsIgnoreCase.
  if (base === "StringEqualsIgnoreCase" || base === "Bool") return "ignoreCase";
  return "exact";
}

function staticTest(mode: Mode, templates: readonly Template[]): (v: string) => boolean {
  if (mode === "like") {
    const matchers: Matcher[] = templates.map((t) => compileTokens(staticTokens(t)));
    if (matchers.length === 1) return matchers[0] as Matcher;
    return (v) => matchers.some((m) => m(v));
  }
  const texts = templates.map((t) => t.parts.map((p) => (p.kind === "var" ? "" : p.text)).join(""));
  if (mode === "ignoreCase") {
    const set = new Set(texts.map((t) => t.toLowerCase()));
    return (v) => set.has(v.toLowerCase());
  }
  if (texts.length === 1) {
    const only = texts[0] as string;
    return (v) => v === only;
  }
  const set = new Set(texts);
  return (v) => set.has(v);
}

/** Resolved values of one request; classes rather than closures keep binding cheap. */
class TextTester implements ValueTester {
  constructor(
    private readonly texts: string[],
    private readonly ignoreCase: boolean,
  ) {}
  test(v: string): boolean {
    return this.texts.includes(this.ignoreCase ? v.toLowerCase() : v);
  }
}

class LikeTester implements ValueTester {
  constructor(private readonly patterns: GlobToken[][]) {}
  test(v: string): boolean {
    for (const p of this.patterns) if (matchTokens(p, v)) return true;
    return false;
  }
}

export const stringFamily: ConditionFamily = {
  variables: true,
  compile(values, base, variables): CompiledValues {
    const mode = modeOf(base);
    const templates = values.map((v) => parseTemplate(v, variables));
    if (!templates.some((t) => t.hasVars)) return fixedValues(staticTest(mode, templates));
    return {
      bind(vars) {
        let unresolved = false;
        if (mode === "like") {
          const patterns: GlobToken[][] = [];
          for (const t of templates) {
            const tokens = resolveTokens(t, vars);
            if (tokens === null) unresolved = true;
            else patterns.push(tokens);
          }
          return { tester: new LikeTester(patterns), unresolved };
        }
        const texts: string[] = [];
        for (const t of templates) {
          const s = resolveString(t, vars);
          if (s === null) unresolved = true;
          else texts.push(mode === "ignoreCase" ? s.toLowerCase() : s);
        }
        return { tester: new TextTester(texts, mode === "ignoreCase"), unresolved };
      },
    };
  },
};
