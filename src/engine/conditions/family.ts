// The one interface every condition-operator family implements: compile policy values once, test request values fast.
import type { VarSource } from "../variables.ts";

/** Tests one request value against the positive form of the operator: true when any policy value matches. */
export interface ValueTester {
  test(contextValue: string): boolean;
}

export interface BoundValues {
  tester: ValueTester;
  /** Some policy value referenced a variable with no value in the request. */
  unresolved: boolean;
}

export interface CompiledValues {
  /** Built once at compile time when no policy value holds a variable. */
  fixed?: ValueTester;
  /** Binds variables to one request; used only when `fixed` is absent. */
  bind(vars: VarSource): BoundValues;
}

export interface ConditionFamily {
  /** Whether policy variables are substituted in this family's values (String and Arn operators per AWS docs). */
  variables: boolean;
  /** `base` is the operator name without set prefix, IfExists suffix or negation, e.g. "StringLike". */
  compile(values: readonly string[], base: string, variables: boolean): CompiledValues;
}

/** Helper for families without variables: a tester built once. */
export function fixedValues(test: (contextValue: string) => boolean): CompiledValues {
  const tester: ValueTester = { test };
  const bound: BoundValues = { tester, unresolved: false };
  return { fixed: tester, bind: () => bound };
}
