// The policy engine's public API: validate and compile policies once, then evaluate requests synchronously.
import { parsePolicy, type ParseResult } from "./parse.ts";
import type { PolicyKind } from "./types.ts";

export type {
  ContextScalar,
  ContextValue,
  Decision,
  EvalDecision,
  EvalRequest,
  MatchedStatement,
  PolicyKind,
  PolicySetInput,
  PolicySource,
  PolicyType,
  Position,
  ValidationIssue,
} from "./types.ts";
export type {
  ParseOptions,
  ParsedCondition,
  ParsedPolicy,
  ParsedPrincipal,
  ParsedStatement,
  ParseResult,
} from "./parse.ts";
export type { CompiledPolicy, CompiledStatement, PolicyMeta } from "./compile.ts";
export type { CompiledPolicySet, StatementGroup } from "./policyset.ts";
export { parsePolicy, MSG as POLICY_MESSAGES } from "./parse.ts";
export { compilePolicy } from "./compile.ts";
export { compilePolicySet } from "./policyset.ts";
export { evaluate } from "./evaluate.ts";
export { PolicyValidationError } from "./errors.ts";
export { parsePrincipal } from "./principal.ts";
export type { PrincipalInfo } from "./principal.ts";

/**
 * Validates a policy document before it is stored (CreatePolicy, PutUserPolicy, CreateRole...).
 * `message` is the first problem in AWS's words; `errors` lists every problem with its location.
 */
export function validatePolicyDocument(text: string, kind: PolicyKind): ParseResult {
  return parsePolicy(text, kind, { strictPrincipals: true, strict: true });
}
