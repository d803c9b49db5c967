// The policy engine's public API: validate and compile policies once, then evaluate requests synchronously.
//
// Exceptions AWS documents, decided here for every caller (the API's authorizer, /v1/simulate):
// - Role trust: for sts:AssumeRole / AssumeRoleWithSAML / AssumeRoleWithWebIdentity on a role ARN, pass the role's
//   trust policy as `resource` (with `resourceAccount` = the role's account). The trust policy must allow even in
//   the same account; naming the account root delegates to the caller's identity policies; the caller's boundary
//   and session policies still cap it. Set `resourceKind: "role-trust"` to force this (and validate the document
//   with the trust grammar) whatever the action; by default `resourceKindOf(action, resource)` decides per request.
// - KMS keys: any action on arn:aws:kms:<region>:<acct>:key/... needs the key policy (as `resource`) to allow.
// - NotPrincipal with Deny exempts a session only when its session ARN is listed.
// - sts:GetCallerIdentity is always Allowed (decidedBy null when the policies alone would deny).
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
  ResourceKind,
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
export { POLICY_RULES } from "./policy-rules.ts";
export type { PolicyRule, PolicyScope, RuleId } from "./policy-rules.ts";
export { compilePolicy } from "./compile.ts";
export { compilePolicySet } from "./policyset.ts";
export { evaluate } from "./evaluate.ts";
export { PolicyValidationError } from "./errors.ts";
export { parsePrincipal } from "./principal.ts";
export { resourceKindOf, isAlwaysAllowed } from "./resource-kind.ts";
export { clearPolicyCaches, policyCacheStats } from "./cache.ts";
export type { CacheStats } from "./cache.ts";
export type { PrincipalInfo } from "./principal.ts";

/**
 * Validates a policy document before it is stored (CreatePolicy, PutUserPolicy, CreateRole...) with the rules of
 * policy-rules.ts. `message` is the problem AWS reports first, in its words; `errors` lists every problem with its
 * location, that one first. `managed`: a customer managed policy (CreatePolicy, CreatePolicyVersion), which must be
 * written in the 2012-10-17 language; an inline identity policy may omit Version. `partition`: the one the policy is
 * stored in (the request's), which its Resource ARNs must name (or "*").
 */
export function validatePolicyDocument(
  text: string,
  kind: PolicyKind,
  options: { managed?: boolean; partition?: string } = {},
): ParseResult {
  return parsePolicy(text, kind, {
    strictPrincipals: true,
    strict: true,
    managed: options.managed === true,
    partition: options.partition ?? "aws",
  });
}
