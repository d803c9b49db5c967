// Federation into a role (web identity, SAML): the role's trust policy alone decides for the federated provider.
import type { OperationContext } from "../core/operation";
import { compilePolicySet, evaluate, type ContextValue } from "../engine/index";
import type { RoleRow } from "../store/roles";

/** The request's own keys, which every trust decision sees beside the provider's claim keys. */
export function requestKeys(ctx: OperationContext, keys: Record<string, ContextValue>): Record<string, ContextValue> {
  keys["aws:CurrentTime"] = ctx.now.toISOString().replace(/\.\d{3}Z$/, "Z");
  keys["aws:EpochTime"] = String(Math.floor(ctx.now.getTime() / 1000));
  keys["aws:SecureTransport"] = ctx.secureTransport;
  keys["aws:RequestedRegion"] = ctx.region;
  if (ctx.sourceIp !== undefined) keys["aws:SourceIp"] = ctx.sourceIp;
  return keys;
}

/**
 * Whether the role's trust policy allows the provider every one of `actions` (the AssumeRoleWith* action, and
 * sts:TagSession or sts:SetSourceIdentity when the call passes tags or a source identity). A federated principal has
 * no identity policies, so the trust policy must name the provider itself (Principal.Federated).
 */
export function trustAllows(
  role: Pick<RoleRow, "arn" | "accountId" | "assumeRolePolicy">,
  providerArn: string,
  actions: readonly string[],
  context: Record<string, ContextValue>,
): boolean {
  const set = compilePolicySet({
    identity: [],
    resource: { id: "trust-policy", document: role.assumeRolePolicy },
    resourceKind: "role-trust",
    resourceAccount: role.accountId,
  });
  return actions.every(
    (action) => evaluate(set, { principal: providerArn, action, resource: role.arn, context }).decision === "Allowed",
  );
}
