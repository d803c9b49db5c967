// Condition operators: names parsed into family + modifiers, values compiled once, and the AWS rules for missing
// keys, ...IfExists, ForAllValues/ForAnyValue, negation and multivalued keys applied in one place.
import type { VarSource } from "../variables.ts";
import { arnFamily } from "./arn.ts";
import { binaryFamily } from "./binary.ts";
import type { CompiledValues, ConditionFamily } from "./family.ts";
import { ipFamily } from "./ip.ts";
import { dateFamily, numericFamily } from "./numeric.ts";
import { stringFamily } from "./string.ts";

export interface OperatorInfo {
  /** The operator as written, e.g. "ForAnyValue:StringNotLikeIfExists". */
  name: string;
  /** The positive base operator, e.g. "StringLike"; "Null" for the null check. */
  base: string;
  family: ConditionFamily | "null";
  negated: boolean;
  ifExists: boolean;
  set: "none" | "all" | "any";
}

const BASES = new Map<string, { family: ConditionFamily | "null"; base: string; negated: boolean }>();
function define(family: ConditionFamily | "null", base: string, negatedName?: string): void {
  BASES.set(base, { family, base, negated: false });
  if (negatedName) BASES.set(negatedName, { family, base, negated: true });
}
define(stringFamily, "StringEquals", "StringNotEquals");
define(stringFamily, "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase");
define(stringFamily, "StringLike", "StringNotLike");
define(stringFamily, "Bool");
for (const family of [numericFamily, dateFamily]) {
  const prefix = family === numericFamily ? "Numeric" : "Date";
  define(family, `${prefix}Equals`, `${prefix}NotEquals`);
  for (const cmp of ["LessThan", "LessThanEquals", "GreaterThan", "GreaterThanEquals"]) define(family, prefix + cmp);
}
define(binaryFamily, "BinaryEquals");
define(ipFamily, "IpAddress", "NotIpAddress");
define(arnFamily, "ArnLike", "ArnNotLike");
define(arnFamily, "ArnEquals", "ArnNotEquals");
define("null", "Null");

/** Parses an operator name; undefined when AWS would reject it ("Invalid Condition type"). */
export function parseOperator(name: string): OperatorInfo | undefined {
  let rest = name;
  let set: OperatorInfo["set"] = "none";
  if (rest.startsWith("ForAllValues:")) {
    set = "all";
    rest = rest.slice("ForAllValues:".length);
  } else if (rest.startsWith("ForAnyValue:")) {
    set = "any";
    rest = rest.slice("ForAnyValue:".length);
  }
  const ifExists = rest.endsWith("IfExists");
  if (ifExists) rest = rest.slice(0, -"IfExists".length);
  const def = BASES.get(rest);
  if (!def) return undefined;
  // Null tests existence itself: it takes neither IfExists nor a set operator.
  if (def.family === "null" && (ifExists || set !== "none")) return undefined;
  return { name, base: def.base, family: def.family, negated: def.negated, ifExists, set };
}

const NEVER: CompiledValues = { bind: () => ({ tester: { test: () => false }, unresolved: false }) };

export interface CompiledCondition {
  /** Index in the policy set's condition table, or -1: equal conditions share one result per request. */
  id: number;
  /** The interning text (operator, key, values, variables): equal texts are equal tests. */
  internKey?: string;
  key: string;
  keyLower: string;
  op: OperatorInfo;
  values: CompiledValues;
  /** For Null: the policy's "true"/"false" values. */
  nullValues: boolean[];
}

export function compileCondition(operator: string, key: string, values: readonly string[], variables: boolean) {
  const op = parseOperator(operator);
  if (!op) throw new Error(`Invalid Condition type : ${operator}.`);
  const compiled: CompiledCondition = {
    id: -1,
    key,
    keyLower: key.toLowerCase(),
    op,
    values: NEVER,
    nullValues: [],
  };
  if (op.family === "null") compiled.nullValues = values.map((v) => v.toLowerCase() === "true");
  // INVARIANT: variables are substituted only for String and Arn operators; AWS documents that Bool (like
  // Numeric, Date, Binary, IP and Null) takes no policy variables, so `${...}` stays literal text there.
  else compiled.values = op.family.compile(values, op.base, variables && op.family.variables && op.base !== "Bool");
  return compiled;
}

/**
 * Shares one compiled condition among all statements that state the same test, so a request evaluates it once.
 * INVARIANT: a condition's result depends only on the request context, never on its statement.
 */
export class ConditionInterner {
  private readonly byText = new Map<string, CompiledCondition>();

  get size(): number {
    return this.byText.size;
  }

  intern(operator: string, key: string, values: readonly string[], variables: boolean): CompiledCondition {
    const text = JSON.stringify([operator, key.toLowerCase(), values, variables]);
    let c = this.byText.get(text);
    if (c === undefined) {
      c = compileCondition(operator, key, values, variables);
      c.id = this.byText.size;
      c.internKey = text;
      this.byText.set(text, c);
    }
    return c;
  }
}

/** What a condition needs from the request: the values of a key (lower-cased), variables, a sink for absent keys. */
export interface ConditionContext extends VarSource {
  values(keyLower: string): readonly string[] | undefined;
}

/** Evaluates one condition (one operator, one key, its values ORed); absent keys are reported to the context. */
export function evaluateCondition(c: CompiledCondition, ctx: ConditionContext): boolean {
  const found = ctx.values(c.keyLower);
  const present = found !== undefined && found.length > 0;
  if (!present) ctx.missing?.(c.key);
  const { op } = c;
  if (op.family === "null") {
    // INVARIANT: Null "true" means the key is absent; "false" means it is present. Values are ORed.
    for (const wantAbsent of c.nullValues) if (wantAbsent !== present) return true;
    return false;
  }
  if (!present) {
    // INVARIANT: a missing key fails the condition, except IfExists, negated operators and ForAllValues (vacuous).
    if (op.set === "all") return true;
    if (op.ifExists) return true;
    if (op.set === "any") return false;
    return op.negated;
  }
  let tester = c.values.fixed;
  if (tester === undefined) {
    // INVARIANT: a policy value whose variable has no value is effectively null: it equals and is like nothing,
    // so a positive operator cannot match it and a negated one matches against it (AWS "Policy variables with no
    // value"). Binding simply leaves such values out.
    tester = c.values.bind(ctx).tester;
  }
  // A value satisfies a negated operator when it matches none of the policy values.
  const neg = op.negated;
  // A multivalued key under a single-valued operator: a positive operator needs one matching value,
  // a negated one needs every value to match none of the policy values.
  const every = op.set === "all" || (op.set === "none" && neg);
  if (every) {
    for (const v of found) if (tester.test(v) === neg) return false;
    return true;
  }
  for (const v of found) if (tester.test(v) !== neg) return true;
  return false;
}
