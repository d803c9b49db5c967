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
  const month = Number(mo ?? 1) - 1;
  const day = Number(d ?? 1);
  const hour = Number(h ?? 0);
  const minute = Number(mi ?? 0);
  const second = Number(s ?? 0);
  // Out-of-range fields (2019-02-30, 25:61) are malformed, not a later date: Date would silently roll them over.
  if (hour > 23 || minute > 59 || second > 59) return NaN;
  // setUTCFullYear, unlike Date.UTC, keeps years 0000-0099 instead of mapping them to 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(Number(y), month, day);
  if (date.getUTCMonth() !== month || date.getUTCDate() !== day) return NaN;
  date.setUTCHours(hour, minute, second, frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0);
  let ms = date.getTime();
  if (zone && zone.toUpperCase() !== "Z") {
    const zm = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
    if (!zm || Number(zm[2]) > 23 || Number(zm[3]) > 59) return NaN;
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
