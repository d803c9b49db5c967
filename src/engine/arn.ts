// ARN matching: the first five colon-separated fields are matched one by one, the resource part as a whole glob.
import { compileTokens, type Matcher } from "./glob.ts";
import {
  matchTemplate,
  parseTemplate,
  resolveTokens,
  staticTokens,
  type Template,
  type VarSource,
} from "./variables.ts";

// Hot-path aliases, read once: some loaders (tsx, vite-node) compile imported bindings to getter calls.
const matchTemplate_ = matchTemplate;

/** Number of fields before the resource part: arn, partition, service, region, account. */
const HEAD_FIELDS = 5;

/** Splits an ARN at its first five colons; the last item is the resource part (it may hold colons). */
export function splitArn(arn: string): string[] {
  const out: string[] = [];
  let from = 0;
  for (let k = 0; k < HEAD_FIELDS; k++) {
    const at = arn.indexOf(":", from);
    if (at < 0) break;
    out.push(arn.slice(from, at));
    from = at + 1;
  }
  out.push(arn.slice(from));
  return out;
}

/** Splits a pattern like splitArn, but never at a colon inside `${...}` (a variable's default may hold one). */
function splitPattern(raw: string, variables: boolean): string[] {
  if (!variables || !raw.includes("${")) return splitArn(raw);
  const out: string[] = [];
  let from = 0;
  let depth = 0;
  for (let i = 0; i < raw.length && out.length < HEAD_FIELDS; i++) {
    if (raw.startsWith("${", i)) depth++;
    else if (raw[i] === "}" && depth > 0) depth--;
    else if (raw[i] === ":" && depth === 0) {
      out.push(raw.slice(from, i));
      from = i + 1;
    }
  }
  out.push(raw.slice(from));
  return out;
}

interface Field {
  template: Template;
  /** Precompiled when the field has no variables. */
  matcher?: Matcher;
}

/** A compiled ARN pattern (Resource, NotResource or an Arn* condition value). */
export interface ArnPattern {
  /** Index in the policy set's resource-pattern table, or -1: equal patterns share one result per request. */
  id: number;
  /** The interning text (variables flag and pattern). */
  internKey?: string;
  raw: string;
  matchAll: boolean;
  fields: Field[];
  hasVars: boolean;
}

export function compileArnPattern(raw: string, variables: boolean): ArnPattern {
  if (raw === "*") return { id: -1, raw, matchAll: true, fields: [], hasVars: false };
  const fields = splitPattern(raw, variables).map((text): Field => {
    const template = parseTemplate(text, variables);
    return template.hasVars ? { template } : { template, matcher: compileTokens(staticTokens(template)) };
  });
  return { id: -1, raw, matchAll: false, fields, hasVars: fields.some((f) => f.template.hasVars) };
}

/** Shares one compiled pattern among the statements of a set that name the same Resource text. */
export class ArnPatternInterner {
  private readonly byText = new Map<string, ArnPattern>();

  get size(): number {
    return this.byText.size;
  }

  intern(raw: string, variables: boolean): ArnPattern {
    const text = `${variables ? "v" : "l"}${raw}`;
    let p = this.byText.get(text);
    if (p === undefined) {
      p = compileArnPattern(raw, variables);
      if (!p.matchAll) {
        p.id = this.byText.size;
        p.internKey = text;
      }
      this.byText.set(text, p);
    }
    return p;
  }
}

/**
 * Matches split subject fields against a pattern. A pattern with fewer fields matches its last field against
 * the rest of the subject joined back with colons. Returns null when a variable could not be resolved.
 */
export function matchArnPattern(p: ArnPattern, subject: readonly string[], vars: VarSource): boolean | null {
  if (p.matchAll) return true;
  const n = p.fields.length;
  if (subject.length < n) return false;
  for (let k = 0; k < n; k++) {
    const field = p.fields[k] as Field;
    const value = k === n - 1 && subject.length > n ? subject.slice(k).join(":") : (subject[k] as string);
    if (field.matcher) {
      if (!field.matcher(value)) return false;
    } else {
      const r = matchTemplate_(field.template, value, vars);
      if (r !== true) return r;
    }
  }
  return true;
}

/** Whether every variable in the pattern has a value (or a default); reports the keys that do not. */
export function arnPatternResolvable(p: ArnPattern, vars: VarSource): boolean {
  let ok = true;
  for (const f of p.fields) {
    if (f.template.hasVars && resolveTokens(f.template, vars) === null) ok = false;
  }
  return ok;
}
