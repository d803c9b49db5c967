// POST /v1/simulate: validates the body, compiles the policy set once and evaluates every request against it.
import { z } from "zod";
import { AwsError } from "../aws/errors.ts";
import { compilePolicySet, evaluate, PolicyValidationError } from "../engine/index.ts";
import type { Decision, EvalDecision, EvalRequest, PolicySetInput, PolicySource } from "../engine/index.ts";

export const MAX_REQUESTS = 10_000;

/** A policy document: a JSON object, or the same as JSON text. */
const document = z.union([
  z.string(),
  z.custom<object>((v) => typeof v === "object" && v !== null && !Array.isArray(v), {
    message: "must be a policy document (a JSON object or a JSON string)",
  }),
]);

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const accountId = z.string().regex(/^\d{12}$/, "must be a 12-digit account ID");

/**
 * How much of each decision to return: "full" (default) the explained decision; "decision" only the decision;
 * "summary" the decision and the policy type that decided it. Large batches need not carry explanations.
 */
const resultsOption = z.enum(["full", "decision", "summary"]);
export type ResultsOption = z.infer<typeof resultsOption>;

const request = z
  .object({
    principal: z.string().min(1),
    action: z.string().min(1),
    // AWS's simulator evaluates against "*" when no resource is named; so does this one.
    resource: z.string().min(1).default("*"),
    context: z.record(z.string(), z.union([scalar, z.array(scalar)])).optional(),
    resourceAccount: accountId.optional(),
  })
  .strict();

function bodySchema<R extends z.ZodType>(requests: R) {
  return z
    .object({
      policies: z
        .object({
          identity: z.array(document),
          boundary: document.optional(),
          scps: z.array(z.array(document)).optional(),
          rcps: z.array(z.array(document)).optional(),
          resource: document.optional(),
          resourceAccount: accountId.optional(),
          session: z.array(document).optional(),
        })
        .strict(),
      requests,
      results: resultsOption.optional(),
    })
    .strict();
}

export const simulateBody = bodySchema(z.array(request));
const body = simulateBody;
/** The same body once the requests are known to be valid: zod then only walks the policies. */
const bodyWithValidRequests = bodySchema(z.custom<EvalRequest[]>(() => true));

const ACCOUNT_ID = /^\d{12}$/;

const isPlain = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype;

const isScalar = (v: unknown): boolean =>
  typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v));

function validContext(c: unknown): boolean {
  if (!isPlain(c)) return false;
  for (const k in c) {
    // zod drops a "__proto__" key from records; leave such input to zod so the result is the same.
    if (k === "__proto__") return false;
    const v = c[k];
    if (isScalar(v)) continue;
    if (!Array.isArray(v)) return false;
    for (const x of v as unknown[]) if (!isScalar(x)) return false;
  }
  return true;
}

/**
 * The requests as given when every one is certainly what the zod schema accepts (plain JSON objects with
 * exactly its keys and types), else undefined and zod decides, with its messages. Checking in place allocates
 * nothing per request, where zod copies each request and its context.
 */
function validRequests(requests: unknown): EvalRequest[] | undefined {
  if (!Array.isArray(requests)) return undefined;
  for (const r of requests as unknown[]) {
    if (!isPlain(r)) return undefined;
    for (const k in r) {
      if (k !== "principal" && k !== "action" && k !== "resource" && k !== "context" && k !== "resourceAccount") {
        return undefined;
      }
    }
    const { principal, action, resource, context, resourceAccount } = r;
    if (resourceAccount !== undefined && (typeof resourceAccount !== "string" || !ACCOUNT_ID.test(resourceAccount))) {
      return undefined;
    }
    if (typeof principal !== "string" || principal === "") return undefined;
    if (typeof action !== "string" || action === "") return undefined;
    if (typeof resource !== "string" || resource === "") return undefined;
    if (context !== undefined && !validContext(context)) return undefined;
  }
  return requests as EvalRequest[];
}

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

/** A decision as the results option asks for it. */
export type SimulationResult =
  | Decision
  | { decision: EvalDecision }
  | { decision: EvalDecision; decidedBy: string | null };

/** Validates and runs a simulation; throws only AwsError. */
export function runSimulation(input: unknown): { results: SimulationResult[] } {
  const requests = (input as { requests?: unknown } | null)?.requests;
  if (Array.isArray(requests) && requests.length > MAX_REQUESTS) {
    throw new AwsError(
      "ValidationError",
      `The number of requests (${requests.length}) exceeds the limit of ${MAX_REQUESTS} requests per simulation.`,
    );
  }
  const fast = validRequests(requests);
  // INVARIANT: with valid requests the full schema reports exactly the issues of the policies-only one.
  const parsed = fast ? bodyWithValidRequests.safeParse(input) : body.safeParse(input);
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
    const list: readonly EvalRequest[] = parsed.data.requests;
    const option = parsed.data.results ?? "full";
    const results = new Array<SimulationResult>(list.length);
    for (let i = 0; i < list.length; i++) {
      const d = evaluate(compiled, list[i] as EvalRequest);
      results[i] =
        option === "full"
          ? d
          : option === "decision"
            ? { decision: d.decision }
            : { decision: d.decision, decidedBy: d.decidedBy };
    }
    return { results };
  } catch (e) {
    if (e instanceof PolicyValidationError) throw new AwsError("MalformedPolicyDocument", `policies.${e.message}`);
    if (e instanceof AwsError) throw e;
    throw new AwsError("ServiceFailure", "The simulation failed unexpectedly.");
  }
}
