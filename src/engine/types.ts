// Public types of the policy engine: policy inputs, requests, decisions and validation issues.

/** The kinds of policy document the engine understands; each has its own validation rules. */
export type PolicyKind = "identity" | "boundary" | "scp" | "rcp" | "resource" | "session" | "trust";

/** One policy as given by the caller: JSON text (positions are then tracked) or an already-parsed object. */
export interface PolicySource {
  id?: string;
  document: string | object;
  /**
   * A digest of the document computed once when it was stored (e.g. SHA-256 hex of its text). When given, the
   * engine keys its compiled-document cache by kind and hash and never reads the text to find it, so the hash
   * must be collision-resistant and must change whenever the document does. Absent: keyed by the text itself.
   * Only the server computes it: a client-supplied hash could stand for another tenant's cached document.
   */
  hash?: string;
}

/** Every policy that applies to one principal/resource pair, grouped by policy type. */
export interface PolicySetInput {
  /** The user's own and its groups' policies, or the role's policies. */
  identity: PolicySource[];
  boundary?: PolicySource;
  /** One list of policies per organization level: root, OUs..., account. Every level must allow. */
  scps?: PolicySource[][];
  /** Resource control policies per level of the resource owner's organization. */
  rcps?: PolicySource[][];
  resource?: PolicySource;
  /** The account that owns the resource; absent means the principal's own account. */
  resourceAccount?: string;
  /**
   * What `resource` is. "role-trust": the trust policy of the role being assumed; "kms-key": a KMS key policy.
   * Both must allow the principal even in its own account. Absent: decided per request by `resourceKindOf`.
   * A "role-trust" resource policy is validated with the trust-policy grammar.
   */
  resourceKind?: ResourceKind;
  session?: PolicySource[];
}

/** How the resource policy takes part in the decision (see PolicySetInput.resourceKind). */
export type ResourceKind = "ordinary" | "role-trust" | "kms-key";

export type ContextScalar = string | number | boolean;
export type ContextValue = ContextScalar | ContextScalar[];

export interface EvalRequest {
  /** ARN of the caller (user, role, root, assumed-role or federated-user session), a service principal, or "*"/"anonymous". */
  principal: string;
  action: string;
  resource: string;
  context?: Record<string, ContextValue>;
  /** The account that owns this request's resource; overrides the set's `resourceAccount`. */
  resourceAccount?: string;
}

export type EvalDecision = "Allowed" | "ExplicitDeny" | "ImplicitDeny";

/** The policy type labels used in decisions. */
export type PolicyType = "identity" | "boundary" | "scp" | "rcp" | "resource" | "session";

export interface Position {
  line: number;
  column: number;
}

export interface MatchedStatement {
  /** Policy type of the statement's policy. */
  policyType: PolicyType;
  /** Label of the policy in its set, e.g. "identity[0]", "scps[1][0]", "resource". */
  policy: string;
  policyId?: string;
  /** Index of the policy in its list (within its level for SCPs/RCPs). */
  policyIndex: number;
  /** Organization level for SCPs and RCPs. */
  level?: number;
  statementIndex: number;
  sid?: string;
  effect: "Allow" | "Deny";
  /** Position of the statement's opening brace, when the policy came as text. */
  start?: Position;
  /** Position of the statement's closing brace, when the policy came as text. */
  end?: Position;
}

export interface Decision {
  decision: EvalDecision;
  decidedBy: string | null;
  policyTypes: Record<string, EvalDecision>;
  matchedStatements: MatchedStatement[];
  missingContextKeys: string[];
}

/** One problem found while validating a policy document, with where it is. */
export interface ValidationIssue {
  /** AWS-style message, e.g. "Syntax errors in policy.". */
  message: string;
  /** A more specific explanation of the problem. */
  detail?: string;
  statement?: number;
  /** The policy element concerned, e.g. "Action", "Condition.StringEqualz". */
  element?: string;
  line?: number;
  column?: number;
}
