// POST /v1/simulate: validates the body, compiles the policy set once and evaluates every request against it.
import { z } from "zod";
import { AwsError } from "../aws/errors.ts";
import { compilePolicySet, evaluate, PolicyValidationError } from "../engine/index.ts";
import type { Decision, PolicySetInput, PolicySource } from "../engine/index.ts";

export const MAX_REQUESTS = 10_000;

/** A policy document: a JSON object, or the same as JSON text. */
const document = z.union([
  z.string(),
  z.custom<object>((v) => typeof v === "object" && v !== null && !Array.isArray(v), {
    message: "must be a policy document (a JSON object or a JSON string)",
  }),
]);

const scalar = z.union([z.string(), z.number(), z.boolean()]);

const body = z
  .object({
    policies: z
      .object({
        identity: z.array(document),
        boundary: document.optional(),
        scps: z.array(z.array(document)).optional(),
        rcps: z.array(z.array(document)).optional(),
        resource: document.optional(),
        resourceAccount: z
          .string()
          .regex(/^\d{12}$/, "must be a 12-digit account ID")
          .optional(),
        session: z.array(document).optional(),
      })
      .strict(),
    requests: z.array(
      z
        .object({
          principal: z.string().min(1),
          action: z.string().min(1),
          resource: z.string().min(1),
          context: z.record(z.string(), z.union([scalar, z.array(scalar)])).optional(),
        })
        .strict(),
    ),
  })
  .strict();

function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || "body";
}

function shapeError(error: z.ZodError): AwsError {
  const issue = error.issues[0];
  if (!issue) return new AwsError("ValidationError", "Invalid request body.");
  return new AwsError("ValidationError", `Invalid request body at ${formatPath(issue.path)}: ${issue.message}`);
}

const source = (document: string | object): PolicySource => ({ document });

/** Validates and runs a simulation; throws only AwsError. */
export function runSimulation(input: unknown): { results: Decision[] } {
  const requests = (input as { requests?: unknown } | null)?.requests;
  if (Array.isArray(requests) && requests.length > MAX_REQUESTS) {
    throw new AwsError(
      "ValidationError",
      `The number of requests (${requests.length}) exceeds the limit of ${MAX_REQUESTS} requests per simulation.`,
    );
  }
  const parsed = body.safeParse(input);
  if (!parsed.success) throw shapeError(parsed.error);
  const { policies } = parsed.data;
  const set: PolicySetInput = { identity: policies.identity.map(source) };
  if (policies.boundary !== undefined) set.boundary = source(policies.boundary);
  if (policies.scps) set.scps = policies.scps.map((level) => level.map(source));
  if (policies.rcps) set.rcps = policies.rcps.map((level) => level.map(source));
  if (policies.resource !== undefined) set.resource = source(policies.resource);
  if (policies.resourceAccount !== undefined) set.resourceAccount = policies.resourceAccount;
  if (policies.session) set.session = policies.session.map(source);
  try {
    const compiled = compilePolicySet(set);
    return { results: parsed.data.requests.map((r) => evaluate(compiled, r)) };
  } catch (e) {
    if (e instanceof PolicyValidationError) throw new AwsError("MalformedPolicyDocument", `policies.${e.message}`);
    if (e instanceof AwsError) throw e;
    throw new AwsError("ServiceFailure", "The simulation failed unexpectedly.");
  }
}
