// Numeric and Date operators: values parsed once, compared as numbers (dates as epoch milliseconds).
import { memoize } from "../memo.ts";
import { fixedValues, type CompiledValues, type ConditionFamily } from "./family.ts";

type Compare = (request: number, policy: number) => boolean;

const COMPARE: Record<string, Compare> = {
  Equals: (a, b) => a === b,
  LessThan: (a, b) => a < b,
  LessThanEquals: (a, b) => a <= b,
  GreaterThan: (a, b) => a > b,
  GreaterThanEquals: (a, b) => a >= b,
};

/** Integers or decimals, as AWS accepts them; anything else is NaN and never matches. */
export function parseNumber(v: string): number {
  const t = v.trim();
  return /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(t) ? Number(t) : NaN;
}

/**
 * ISO 8601 (W3C profiles: date, date-time with optional fraction and zone) or epoch seconds, to epoch milliseconds.
 * A date-time without a zone is read as UTC, since AWS has no local time.
 */
export function parseDate(v: string): number {
  const t = v.trim();
  if (/^-?\d+(?:\.\d+)?$/.test(t)) return Number(t) * 1000;
  const m =
    /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:?\d{2})?)?)?)?$/i.exec(t);
  if (!m) return NaN;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  let ms = Date.UTC(
    Number(y),
    Number(mo ?? 1) - 1,
    Number(d ?? 1),
    Number(h ?? 0),
    Number(mi ?? 0),
    Number(s ?? 0),
    frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0,
  );
  if (zone && zone.toUpperCase() !== "Z") {
    const zm = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
    if (!zm) return NaN;
    const offset = (Number(zm[2]) * 60 + Number(zm[3])) * 60_000;
    ms -= zm[1] === "+" ? offset : -offset;
  }
  return ms;
}

/** Request dates recur from request to request (aws:CurrentTime of a batch): parse each text once. */
export const parseDateCached = memoize(parseDate);
const parseNumberCached = memoize(parseNumber);

function makeFamily(prefix: "Numeric" | "Date", parse: (v: string) => number): ConditionFamily {
  return {
    variables: false,
    compile(values, base): CompiledValues {
      const compare = COMPARE[base.slice(prefix.length)] ?? COMPARE.Equals;
      const policy = values.map(parse).filter((n) => !Number.isNaN(n));
      const cmp = compare as Compare;
      return fixedValues((v) => {
        const n = parse(v);
        if (Number.isNaN(n)) return false;
        for (const p of policy) if (cmp(n, p)) return true;
        return false;
      });
    },
  };
}

export const numericFamily = makeFamily("Numeric", parseNumberCached);
export const dateFamily = makeFamily("Date", parseDateCached);
