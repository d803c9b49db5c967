// The global condition keys AWS supplies with every call: time, network, and everything about the principal.
import type { ContextValue } from "../engine/index";
import { principalArnForPolicies, principalType, type Principal } from "./principal";

export interface RequestFacts {
  now: Date;
  region: string;
  sourceIp?: string;
  secureTransport: boolean;
}

const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/** The principal's tags as policies see them: a role's tags overridden by the session's, as AWS documents. */
export function effectivePrincipalTags(p: Principal, stored: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  const lowered = new Map<string, string>();
  const add = (k: string, v: string) => {
    // Tag keys compare case-insensitively; a session tag replaces the role tag of the same key.
    const previous = lowered.get(k.toLowerCase());
    if (previous !== undefined) delete out[previous];
    lowered.set(k.toLowerCase(), k);
    out[k] = v;
  };
  for (const [k, v] of Object.entries(stored)) add(k, v);
  const sessionTags = p.kind === "assumed-role" ? p.session.tags : p.kind === "federated-user" ? p.tags : {};
  for (const [k, v] of Object.entries(sessionTags)) add(k, v);
  return out;
}

/**
 * Global keys of the request (aws:CurrentTime, aws:SourceIp, aws:SecureTransport...) and of the principal
 * (aws:PrincipalArn, aws:userid, aws:PrincipalType, aws:PrincipalTag/*, aws:TokenIssueTime...).
 */
export function globalConditionKeys(
  p: Principal,
  facts: RequestFacts,
  principalTags: Record<string, string>,
): Record<string, ContextValue> {
  const ctx: Record<string, ContextValue> = Object.create(null) as Record<string, ContextValue>;
  ctx["aws:CurrentTime"] = isoSeconds(facts.now.getTime());
  ctx["aws:EpochTime"] = String(Math.floor(facts.now.getTime() / 1000));
  ctx["aws:PrincipalAccount"] = p.accountId;
  ctx["aws:PrincipalArn"] = principalArnForPolicies(p);
  ctx["aws:PrincipalType"] = principalType(p);
  ctx["aws:userid"] = p.userId;
  ctx["aws:SecureTransport"] = facts.secureTransport;
  ctx["aws:RequestedRegion"] = facts.region;
  ctx["aws:ViaAWSService"] = false;
  ctx["aws:PrincipalIsAWSService"] = false;
  if (facts.sourceIp !== undefined) ctx["aws:SourceIp"] = facts.sourceIp;
  if (p.kind === "user") ctx["aws:username"] = p.name;
  for (const [k, v] of Object.entries(principalTags)) ctx[`aws:PrincipalTag/${k}`] = v;

  const issued = p.credentials.tokenIssuedAt;
  if (issued !== undefined) {
    // Keys AWS documents only for temporary credentials.
    ctx["aws:TokenIssueTime"] = isoSeconds(issued);
    ctx["aws:MultiFactorAuthPresent"] = p.credentials.mfaPresent === true;
    if (p.credentials.mfaPresent === true) {
      ctx["aws:MultiFactorAuthAge"] = String(Math.max(0, Math.floor((facts.now.getTime() - issued) / 1000)));
    }
  }
  // A privileged root session from AssumeRoot (an SCP can tell it from the root user's own credentials).
  if (p.kind === "root" && p.assumedRoot) ctx["aws:AssumedRoot"] = true;
  if (p.kind === "assumed-role") {
    ctx["aws:RoleSessionName"] = p.session.sessionName;
    if (p.session.sourceIdentity !== undefined) ctx["aws:SourceIdentity"] = p.session.sourceIdentity;
  }
  return ctx;
}
