// The OpenAPI 3.1 document of the /v1 JSON endpoints, generated from the same zod schemas that validate their bodies (zod 4's toJSONSchema, JSON Schema 2020-12 as OpenAPI 3.1 uses).
import { z } from "zod";
import { simulateBody } from "../simulator/custom";
import { simulationRequest, simulationResponse } from "../simulator/simulation-request";
import { whatIfRequest } from "../simulator/whatif";

/** A route as the app lists it (Hono's `app.routes`): only method and path are read. */
export interface RouteInfo {
  method: string;
  path: string;
}

interface Described {
  summary: string;
  description: string;
  /** Signed with SigV4 (service iam) or readable by whoever holds the id. */
  signed: boolean;
  request?: z.ZodType;
  response?: z.ZodType;
  responseStatus?: string;
}

const error = z.object({ error: z.object({ code: z.string(), message: z.string() }), requestId: z.string() });

/** Every described operation, by "METHOD path" in OpenAPI's {param} form. */
const OPERATIONS: Record<string, Described> = {
  "POST /v1/simulate": {
    summary: "Evaluate pasted policies",
    description:
      "Compiles the pasted policy set once and decides every request (up to 10,000). `save: true` keeps the answer behind a link.",
    signed: true,
    request: simulateBody,
  },
  "POST /v1/simulations": {
    summary: "Simulate a principal over actions x resources, with what-if changes",
    description:
      "A stored user, role, group or role session (or an account, a service, a federated IdP, or only pasted policies) over up to 10,000 cells; each result explained, the diff against the grid without `whatIf`, and a link that anyone holding it can read. sts:AssumeRole* on a stored role is decided on both sides: the principal's policies and the role's trust policy.",
    signed: true,
    request: simulationRequest,
    response: simulationResponse,
  },
  "GET /v1/simulations/{id}": {
    summary: "Read a saved simulation",
    description: "No credentials: the id is a capability. 404 once deleted or expired.",
    signed: false,
    response: simulationResponse,
  },
  "DELETE /v1/simulations/{id}": {
    summary: "Delete a saved simulation",
    description: "Only the principal that created it may; others get AccessDenied (403).",
    signed: true,
    responseStatus: "204",
  },
  "POST /v1/simulations/{id}/rerun": {
    summary: "Re-run a saved simulation against the current state",
    description: "Stores a new simulation and lists the cells whose decision changed since the saved one.",
    signed: true,
    response: simulationResponse,
  },
  "POST /v1/whatif": {
    summary: "What-if over several stored principals",
    description: "Principals x actions x resources before and after a proposed change; saved behind a link.",
    signed: true,
    request: whatIfRequest,
  },
  "POST /v1/links/{id}/rerun": {
    summary: "Re-run any saved link",
    description: "Re-runs a saved /v1/simulate, /v1/whatif or /v1/simulations answer against the current state.",
    signed: true,
  },
};

/** Hono's `:id` becomes OpenAPI's `{id}`. */
export const openApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");

const HTTP = new Set(["get", "post", "put", "patch", "delete"]);

function jsonSchema(schema: z.ZodType, io: "input" | "output") {
  // Custom checks (documents given as objects) cannot be written in JSON Schema; they are described as "any".
  const out = z.toJSONSchema(schema, { target: "draft-2020-12", unrepresentable: "any", io }) as Record<
    string,
    unknown
  >;
  delete out.$schema;
  return out;
}

function operation(method: string, path: string, d: Described | undefined) {
  const params = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => ({
    name: m[1],
    in: "path",
    required: true,
    schema: { type: "string" },
  }));
  const ok = d?.response
    ? { description: "OK", content: { "application/json": { schema: jsonSchema(d.response, "output") } } }
    : { description: d?.responseStatus === "204" ? "Deleted" : "OK" };
  return {
    operationId: `${method}${path.replace(/[^A-Za-z0-9]+/g, "_")}`,
    summary: d?.summary ?? `${method.toUpperCase()} ${path}`,
    description: d?.description ?? "A /v1 endpoint without a published schema.",
    ...(d?.signed === false ? { security: [] } : {}),
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(d?.request
      ? {
          requestBody: {
            required: true,
            content: { "application/json": { schema: jsonSchema(d.request, "input") } },
          },
        }
      : {}),
    responses: {
      [d?.responseStatus ?? "200"]: ok,
      default: {
        description: "An AWS error code and message",
        content: { "application/json": { schema: jsonSchema(error, "output") } },
      },
    },
  };
}

/** The document for every /v1 route the app serves (described ones with their schemas), built once per isolate. */
export function openApiDocument(routes: RouteInfo[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  const seen = new Set<string>();
  for (const r of routes) {
    const method = r.method.toLowerCase();
    if (!HTTP.has(method) || !r.path.startsWith("/v1/")) continue;
    const path = openApiPath(r.path);
    const key = `${method.toUpperCase()} ${path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    (paths[path] ??= {})[method] = operation(method, path, OPERATIONS[key]);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "IAM simulator JSON API",
      version: "1",
      description: "The /v1 JSON endpoints. Signed calls use AWS Signature Version 4 with service `iam`.",
    },
    components: {
      securitySchemes: {
        sigv4: {
          type: "apiKey",
          in: "header",
          name: "Authorization",
          description: "AWS Signature Version 4 (service iam)",
        },
      },
    },
    security: [{ sigv4: [] }],
    paths,
  };
}
