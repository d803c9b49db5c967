// The error compilePolicySet throws for a malformed policy: which policy, which statement, and the AWS-like message.
import type { ValidationIssue } from "./types.ts";

export class PolicyValidationError extends Error {
  /** Label of the policy in its set, e.g. "identity[0]", "scps[1][0]", "boundary". */
  readonly policy: string;
  readonly statement: number | undefined;
  /** The AWS-like message alone, e.g. "Policy statement must contain actions.". */
  readonly awsMessage: string;
  readonly issues: ValidationIssue[];

  constructor(policy: string, issues: ValidationIssue[], awsMessage: string) {
    const first = issues[0];
    const where = first?.statement !== undefined ? ` statement ${first.statement}` : "";
    const at = first?.line !== undefined ? ` (line ${first.line}, column ${first.column})` : "";
    const detail = first?.detail ? `: ${first.detail}` : "";
    super(`${policy}${where}${at}: ${awsMessage}${detail}`);
    this.name = "PolicyValidationError";
    this.policy = policy;
    this.statement = first?.statement;
    this.awsMessage = awsMessage;
    this.issues = issues;
  }
}
