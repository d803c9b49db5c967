// The awsJson1_1 protocol (Organizations; POST / with X-Amz-Target): decode JSON, authenticate, invoke the core, encode JSON.
import { Hono, type Context } from "hono";
import { AwsError } from "../aws/errors";
import { MAX_BODY_BYTES } from "../aws/query";
import { XmlMap, type XmlValue } from "../aws/xml";
import { authenticate } from "../core/authenticate";
import { invoke } from "../core/invoke";
import { findOperation } from "../core/table";
import type { AppEnv } from "../env";
import { asOrganizationsError, OrganizationsError } from "../aws/organizations-errors";
import { asAwsError } from "./errors";
import { readBody } from "./query-router";
import { requestServices } from "./request-services";

/** The X-Amz-Target prefix of each awsJson service this endpoint serves, with its SigV4 signing name. */
const TARGETS = { AWSOrganizationsV20161128: "organizations" } as const;

/** JSON services name the query protocol's authentication errors differently. */
const JSON_CODES: Partial<Record<string, string>> = {
  InvalidClientTokenId: "UnrecognizedClientException",
  SignatureDoesNotMatch: "InvalidSignatureException",
  IncompleteSignature: "IncompleteSignatureException",
  MissingAuthenticationToken: "MissingAuthenticationTokenException",
  ExpiredToken: "ExpiredTokenException",
  RequestExpired: "InvalidSignatureException",
  InternalFailure: "ServiceException",
};

class JsonProtocolError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** awsJson timestamps are epoch seconds; everything else passes through as JSON. */
function toJson(value: XmlValue): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (value instanceof XmlMap) return toJson(Object.fromEntries(value.entries));
  if (Array.isArray(value)) return value.map((v) => toJson(v as XmlValue));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, XmlValue>)) if (v !== undefined) out[k] = toJson(v);
    return out;
  }
  return value;
}

function parseBody(body: Uint8Array): unknown {
  const text = new TextDecoder().decode(body).trim();
  if (text === "") return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new JsonProtocolError("SerializationException", "The request body is not valid JSON.");
  }
}

async function handleJson(c: Context<AppEnv>): Promise<Response> {
  const now = new Date();
  const target = c.req.header("x-amz-target") ?? "";
  const dot = target.indexOf(".");
  const prefix = target.slice(0, dot);
  const signing = Object.hasOwn(TARGETS, prefix) ? TARGETS[prefix as keyof typeof TARGETS] : undefined;
  if (dot < 0 || signing === undefined) {
    throw new JsonProtocolError(
      "UnknownOperationException",
      `The target ${target} is not an operation of this endpoint.`,
    );
  }
  const body = await readBody(c, MAX_BODY_BYTES);
  const url = new URL(c.req.url);
  if (c.req.header("authorization") === undefined && !url.searchParams.has("X-Amz-Credential")) {
    throw new AwsError("MissingAuthenticationToken", "Request is missing Authentication Token");
  }
  const services = requestServices(c, now, "us-east-1");
  const raw = { method: c.req.method, url, headers: c.req.raw.headers, body };
  const authn = await authenticate(services, raw, now, services.waitUntil);
  if (authn.auth.service !== signing) {
    throw new AwsError("SignatureDoesNotMatch", `Credential should be scoped to correct service: '${signing}'.`);
  }
  const op = findOperation(signing, target.slice(dot + 1));
  if (!op) throw new JsonProtocolError("UnknownOperationException", `Unknown operation ${target}`);
  c.set("principal", authn.principal);
  const input = parseBody(body);
  const result = await invoke(op, input, authn.principal, { ...services, region: authn.auth.region });
  return c.body(JSON.stringify(result === undefined ? {} : toJson(result)), 200, {
    "content-type": "application/x-amz-json-1.1",
  });
}

/** The JSON error envelope: `__type`, the message, and the Reason member where the exception has one. */
function errorBody(code: string, message: string, reason?: string): string {
  return JSON.stringify(
    reason === undefined ? { __type: code, Message: message } : { __type: code, Message: message, Reason: reason },
  );
}

export const jsonRouter = new Hono<AppEnv>();
// Only a request naming an X-Amz-Target is awsJson; any other POST / falls through to the query protocol's router.
jsonRouter.post("/", (c, next) => (c.req.header("x-amz-target") === undefined ? next() : handleJson(c)));
jsonRouter.onError((err, c) => {
  const id = c.get("requestId");
  const headers = { "content-type": "application/x-amz-json-1.1", "x-amzn-RequestId": id };
  if (err instanceof OrganizationsError)
    return c.body(errorBody(err.code, err.message, err.reason), err.status as 400, headers);
  if (err instanceof JsonProtocolError) return c.body(errorBody(err.code, err.message), 400, headers);
  const known = asAwsError(err, id);
  const mapped = asOrganizationsError(known);
  if (mapped instanceof OrganizationsError) {
    return c.body(errorBody(mapped.code, mapped.message, mapped.reason), mapped.status as 400, headers);
  }
  return c.body(errorBody(JSON_CODES[known.code] ?? known.code, known.message), known.status as 400, headers);
});
