// Arn operators: ArnEquals and ArnLike behave identically, matching each colon-delimited ARN field with wildcards.
import { arnPatternResolvable, compileArnPattern, matchArnPattern, splitArn, type ArnPattern } from "../arn.ts";
import type { VarSource } from "../variables.ts";
import { fixedValues, type CompiledValues, type ConditionFamily, type ValueTester } from "./family.ts";

const noVars: VarSource = { single: () => undefined };

class ArnTester implements ValueTester {
  constructor(
    private readonly patterns: readonly ArnPattern[],
    private readonly vars: VarSource,
  ) {}
  test(v: string): boolean {
    const fields = splitArn(v);
    for (const p of this.patterns) if (matchArnPattern(p, fields, this.vars) === true) return true;
    return false;
  }
}

export const arnFamily: ConditionFamily = {
  variables: true,
  compile(values, _base, variables): CompiledValues {
    const patterns = values.map((v) => compileArnPattern(v, variables));
    if (!patterns.some((p) => p.hasVars)) {
      const tester = new ArnTester(patterns, noVars);
      return fixedValues((v) => tester.test(v));
    }
    return {
      bind(vars) {
        // Resolve every pattern up front so an unresolvable variable is known before matching.
        const usable = patterns.filter((p) => !p.hasVars || arnPatternResolvable(p, vars));
        return { tester: new ArnTester(usable, vars), unresolved: usable.length < patterns.length };
      },
    };
  },
};
