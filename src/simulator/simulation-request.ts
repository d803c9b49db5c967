// The body of POST /v1/simulations as a zod schema (also the source of its OpenAPI description) and its types.
import { z } from "zod";

/** A policy document: a JSON object or the same as JSON text. */
export const policyDocument = z
  .union([z.string().min(1), z.record(z.string(), z.unknown())])
  .meta({ description: "A policy document: a JSON object, or the same as JSON text." });

const scalar = z.union([z.string(), z.number(), z.boolean()]);
export const contextValues = z
  .record(z.string(), z.union([scalar, z.array(scalar)]))
  .meta({ description: "Condition context keys and their values, e.g. aws:SourceIp." });

const accountId = z.string().regex(/^\d{12}$/, "must be a 12-digit account ID");

/** A policy named by ARN (stored customer managed or AWS managed) or pasted with an optional id. */
export const policyRef = z.union([
  z.string().startsWith("arn:").meta({ description: "A stored or AWS managed policy ARN." }),
  z.object({ id: z.string().min(1).max(128).optional(), document: policyDocument }).strict(),
]);

/** Who is simulated: a stored user/role/group ARN, a role session ARN, an account, a service, or a federated IdP. */
export const principalSpec = z.union([
  z
    .string()
    .min(1)
    .max(2048)
    .meta({
      description:
        "arn:aws:iam::<acct>:user|role|group/..., arn:aws:sts::<acct>:assumed-role/<role>/<session>, " +
        "arn:aws:iam::<acct>:root, or a service principal such as lambda.amazonaws.com.",
    }),
  z
    .object({
      federated: z.string().min(1).max(2048).meta({
        description: "A web-identity provider (cognito-identity.amazonaws.com, an OIDC host) or a SAML provider ARN.",
      }),
    })
    .strict(),
]);

/** Pasted policies, as /v1/simulate takes them. */
export const pastedPolicies = z
  .object({
    identity: z.array(policyDocument).max(100),
    boundary: policyDocument.optional(),
    scps: z.array(z.array(policyDocument).max(20)).max(6).optional(),
    rcps: z.array(z.array(policyDocument).max(20)).max(6).optional(),
    resource: policyDocument.optional(),
    resourceAccount: accountId.optional(),
    session: z.array(policyDocument).max(20).optional(),
  })
  .strict();

export const whatIfChange = z
  .object({
    attachPolicies: z.array(policyRef).max(20).optional(),
    detachPolicies: z.array(z.string().min(1)).max(20).optional(),
    putInlinePolicies: z
      .array(z.object({ name: z.string().min(1).max(128), document: policyDocument }).strict())
      .max(20)
      .optional(),
    deleteInlinePolicies: z.array(z.string().min(1).max(128)).max(20).optional(),
    /** A new boundary (ARN or pasted), or null to remove it. */
    permissionsBoundary: z.union([policyRef, z.null()]).optional(),
    sessionPolicies: z.array(policyDocument).max(20).optional(),
    /** The SCP levels (root first) that replace the stored ones; [] removes them. */
    scps: z.array(z.array(policyDocument).max(20)).max(6).optional(),
    /** The resource policy of every cell; for sts:AssumeRole* on a stored role, the trust policy. null removes it. */
    resourcePolicy: z.union([policyDocument, z.null()]).optional(),
    context: contextValues.optional(),
    /** Managed policies evaluated at other versions than their default: AWS managed (every version) or stored. */
    policyVersions: z
      .array(
        z
          .object({
            policyArn: z.string().startsWith("arn:"),
            versionId: z.string().min(1).max(20),
            beforeVersionId: z.string().min(1).max(20).optional(),
          })
          .strict(),
      )
      .max(20)
      .optional()
      .meta({
        description:
          "Pins: each policy is evaluated at `versionId` after the change; with `beforeVersionId` the baseline uses " +
          "that version instead of the default, so the diff reads what one version allows that the other did not.",
      }),
  })
  .strict();

export const MAX_EXPIRES_DAYS = 365;

export const simulationRequest = z
  .object({
    principal: principalSpec.optional(),
    policies: pastedPolicies.optional(),
    whatIf: whatIfChange.optional(),
    actions: z.array(z.string().min(1).max(256)).min(1).max(10_000),
    resources: z.array(z.string().min(1).max(2048)).min(1).max(10_000).optional(),
    context: contextValues.optional(),
    expiresInDays: z.number().int().min(1).max(MAX_EXPIRES_DAYS).optional(),
    /** "full" (default): matched statements and missing keys per cell; "decision": only the decision and its type. */
    explain: z
      .enum(["full", "decision"])
      .optional()
      .meta({ description: "`decision` keeps large grids small: matched statements and missing keys are left out." }),
  })
  .strict()
  .refine((r) => r.principal !== undefined || r.policies !== undefined, {
    message: "name a principal or paste policies",
  });

export type SimulationRequest = z.infer<typeof simulationRequest>;
export type WhatIfChange = z.infer<typeof whatIfChange>;
export type PolicyRef = z.infer<typeof policyRef>;
export type PrincipalSpec = z.infer<typeof principalSpec>;

const decision = z.enum(["Allowed", "ExplicitDeny", "ImplicitDeny"]);
const explanation = z.object({
  decision,
  decidedBy: z.string().nullable(),
  matched: z.array(
    z.object({
      policyId: z.string(),
      policyType: z.string(),
      sid: z.string().optional(),
      effect: z.enum(["Allow", "Deny"]),
      startLine: z.number().int().optional(),
      endLine: z.number().int().optional(),
    }),
  ),
  missing: z.array(z.string()),
});

/** The answer's shape, for the OpenAPI document (the handler builds it; this only describes it). */
export const simulationResponse = z.object({
  id: z.string(),
  link: z.string().meta({ description: "The absolute URL of the page; readable by whoever holds it." }),
  expiresAt: z.string(),
  principal: z.string(),
  actions: z.array(z.string()),
  resources: z.array(z.string()),
  warnings: z.array(z.string()),
  results: z.array(
    explanation.extend({
      action: z.string(),
      resource: z.string(),
      trust: z.boolean().optional(),
      before: explanation.optional(),
    }),
  ),
  diff: z.array(z.object({ action: z.string(), resource: z.string(), before: decision, after: decision })),
});
