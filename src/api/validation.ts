// Input schemas for query operations (zod) and the translation of zod issues into AWS ValidationError messages.
import { z } from "zod";
import { AwsError } from "../aws/errors.ts";

/**
 * A string member with the same constraints the service model declares.
 * The regex is written without anchors, exactly as AWS prints it in its messages.
 */
export function str(opts: { min?: number; max?: number; pattern?: string } = {}) {
  let s = z.string();
  if (opts.min !== undefined) s = s.min(opts.min);
  if (opts.max !== undefined) s = s.max(opts.max);
  if (opts.pattern !== undefined) s = s.regex(new RegExp(`^(?:${opts.pattern})$`, "u"));
  return s;
}

/** A plain base-10 integer as the query protocol carries it: no spaces, signs other than "-", fractions or exponents. */
const PLAIN_INTEGER = /^-?[0-9]+$/;

/**
 * Query values arrive as text; integers are parsed here so range checks report AWS's wording. Only a plain integer
 * is a number: `Number()` alone would also accept " 5", "5.0", "1e1", "0x10" and "", which AWS refuses, so anything
 * else is a type error rather than a silently converted value.
 */
export function int(opts: { min?: number; max?: number } = {}) {
  let n = z.number().int();
  if (opts.min !== undefined) n = n.min(opts.min);
  if (opts.max !== undefined) n = n.max(opts.max);
  return z.preprocess((v, ctx) => {
    // Numbers (internal callers) and absence ("Member must not be null") are the number schema's to judge.
    if (typeof v === "number" || v === undefined) return v;
    // Past 2^53 digits no longer map to one number, so such text is not an integer this service can hold either.
    const parsed = typeof v === "string" && PLAIN_INTEGER.test(v) ? Number(v) : Number.NaN;
    if (Number.isSafeInteger(parsed)) return parsed;
    ctx.addIssue({ code: "custom", message: "Member must be of type integer", input: v });
    return z.NEVER;
  }, n);
}

export const bool = () =>
  z.preprocess(
    (v) => (typeof v === "string" ? (({ true: true, false: false } as const)[v.toLowerCase()] ?? v) : v),
    z.boolean(),
  );

/** A query list (`X.member.N`); SDKs send an empty list as a bare `X=`, which arrives as "". */
export function list<T extends z.ZodType>(item: T, opts: { max?: number } = {}) {
  let a = z.array(item);
  if (opts.max !== undefined) a = a.max(opts.max);
  return z.preprocess((v) => (v === "" ? [] : v), a);
}

/** AWS names members in messages by their camelCase wire name and lists as `name.N.member`. */
function memberPath(path: PropertyKey[]): string {
  const parts: string[] = [];
  for (const p of path) {
    if (typeof p === "number") parts.push(`${p + 1}.member`);
    else {
      const s = String(p);
      parts.push(s.charAt(0).toLowerCase() + s.slice(1));
    }
  }
  return parts.join(".");
}

function constraintText(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "too_big":
      return issue.origin === "string"
        ? `Member must have length less than or equal to ${issue.maximum}`
        : issue.origin === "array"
          ? `Member must have length less than or equal to ${issue.maximum}`
          : `Member must have value less than or equal to ${issue.maximum}`;
    case "too_small":
      return issue.origin === "string" || issue.origin === "array"
        ? `Member must have length greater than or equal to ${issue.minimum}`
        : `Member must have value greater than or equal to ${issue.minimum}`;
    case "invalid_format":
      if (issue.format === "regex" && "pattern" in issue && typeof issue.pattern === "string") {
        // RegExp#toString escapes "/" as "\/"; AWS prints the model's pattern, where "/" is never escaped.
        const source = issue.pattern
          .replace(/^\/\^\(\?:/, "")
          .replace(/\)\$\/u$/, "")
          .replace(/\\\//g, "/");
        return `Member must satisfy regular expression pattern: ${source}`;
      }
      return "Member must have a valid format";
    case "invalid_value":
      return `Member must satisfy enum value set: [${issue.values.map(String).join(", ")}]`;
    case "invalid_type":
      return issue.input === undefined ? "Member must not be null" : `Member must be of type ${issue.expected}`;
    default:
      return issue.message;
  }
}

/**
 * Members whose shapes AWS's models mark sensitive (passwords, private keys, identity tokens and assertions, and
 * Organizations' account e-mail and name): AWS's messages leave their value out ("Value at 'password' failed ..."),
 * so a secret is never echoed, and a 100 KB assertion is not sent back either.
 */
const SENSITIVE_MEMBERS = new Set([
  "Password",
  "NewPassword",
  "OldPassword",
  "PrivateKey",
  "SAMLAssertion",
  "WebIdentityToken",
  "TradeInToken",
  "Email",
  "AccountName",
]);

function isSensitive(path: readonly PropertyKey[]): boolean {
  const last = path[path.length - 1];
  return typeof last === "string" && SENSITIVE_MEMBERS.has(last);
}

function shownValue(input: unknown): string {
  if (input === undefined) return "null";
  if (typeof input === "string") return `'${input}'`;
  return `'${JSON.stringify(input)}'`;
}

/** Parses operation input, throwing one ValidationError that lists every problem the way AWS words it. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  const issues = result.error.issues;
  const parts = issues.map(
    (i) =>
      `Value ${isSensitive(i.path) ? "" : `${shownValue(i.input)} `}at '${memberPath(i.path)}' failed to satisfy ` +
      `constraint: ${constraintText(i)}`,
  );
  const n = parts.length;
  throw new AwsError("ValidationError", `${n} validation error${n === 1 ? "" : "s"} detected: ${parts.join("; ")}`);
}
