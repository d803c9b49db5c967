// The AWS query protocol (IAM, STS; POST / and GET /): decode form/query, authenticate, invoke the core, encode XML.
import { Hono, type Context } from "hono";
import { AwsError } from "../aws/errors";
import { MAX_BODY_BYTES, parseQueryParams, unflattenQuery } from "../aws/query";
import { IAM_NS, renderError, renderResponse, STS_NS } from "../aws/xml";
import { authenticate } from "../core/authenticate";
import { invoke } from "../core/invoke";
import { ANONYMOUS } from "../core/principal";
import type { QueryServiceName } from "../core/operation";
import { findOperation, SERVICE_VERSIONS } from "../core/table";
import type { AppEnv } from "../env";
import { asAwsError } from "./errors";
import { requestServices } from "./request-services";

export const NAMESPACES: Record<QueryServiceName, string> = { iam: IAM_NS, sts: STS_NS };

function serviceForVersion(version: string | undefined): QueryServiceName | undefined {
  return (Object.keys(SERVICE_VERSIONS) as QueryServiceName[]).find((s) => SERVICE_VERSIONS[s] === version);
}

/** A signed service name this endpoint serves; own-property lookup, so "__proto__" or "toString" are not services. */
function servedService(name: string): QueryServiceName | undefined {
  return Object.hasOwn(SERVICE_VERSIONS, name) ? (name as QueryServiceName) : undefined;
}

export async function readBody(c: Context<AppEnv>, max: number): Promise<Uint8Array> {
  const declared = Number(c.req.header("content-length") ?? "0");
  const tooLarge = () => new AwsError("RequestEntityTooLarge", `Request body exceeds the maximum of ${max} bytes.`);
  if (declared > max) throw tooLarge();
  const body = new Uint8Array(await c.req.arrayBuffer());
  if (body.byteLength > max) throw tooLarge();
  return body;
}

/** Query parameters that steer the protocol itself rather than the operation's input. */
function isProtocolParam(name: string): boolean {
  return name === "Action" || name === "Version" || name.startsWith("X-Amz-");
}

async function handleQuery(c: Context<AppEnv>): Promise<Response> {
  const now = new Date();
  const url = new URL(c.req.url);
  const body = c.req.method === "POST" ? await readBody(c, MAX_BODY_BYTES) : new Uint8Array();
  const bodyText = new TextDecoder().decode(body);
  const params = parseQueryParams(c.req.method, url, c.req.header("content-type") ?? "", bodyText);

  const signed = c.req.header("authorization") !== undefined || url.searchParams.has("X-Amz-Credential");
  const versionService = serviceForVersion(params.get("Version"));
  if (versionService) c.set("service", versionService);
  const services = requestServices(c, now, "us-east-1");
  const raw = { method: c.req.method, url, headers: c.req.raw.headers, body };
  const authn = signed ? await authenticate(services, raw, now, services.waitUntil) : undefined;
  let service = versionService;
  if (authn) {
    service = servedService(authn.auth.service);
    if (service === undefined) {
      throw new AwsError("SignatureDoesNotMatch", `Credential should be scoped to correct service: 'iam'.`);
    }
  }
  if (service === undefined) {
    throw new AwsError("MissingAuthenticationToken", "Request is missing Authentication Token");
  }
  c.set("service", service);

  const action = params.get("Action");
  if (action === undefined || action === "") {
    throw new AwsError("MissingAction", "The request is missing an action or a required parameter: Action.");
  }
  const op = findOperation(service, action);
  if (!op) {
    throw new AwsError("InvalidAction", `Could not find operation ${action} for version ${SERVICE_VERSIONS[service]}`);
  }
  // AWS accepts a few calls unsigned (AssumeRoleWithWebIdentity): they run as the anonymous caller and admit it by
  // their own checks; every other operation needs a signature.
  if (!authn && !op.unsigned) {
    throw new AwsError("MissingAuthenticationToken", "Request is missing Authentication Token");
  }
  const principal = authn?.principal ?? ANONYMOUS;
  c.set("principal", principal);

  // A prototype-free record: parameter names such as "__proto__" stay ordinary (and then fail validation).
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of params) if (!isProtocolParam(k)) fields[k] = v;
  const input = unflattenQuery(new Map(Object.entries(fields)));
  const region = authn?.auth.region ?? services.region;
  const result = await invoke(op, input, principal, { ...services, region });
  return c.body(renderResponse(op.name, NAMESPACES[service], result, services.requestId), 200, {
    "content-type": "text/xml",
  });
}

export const queryRouter = new Hono<AppEnv>();
queryRouter.get("/", handleQuery);
queryRouter.post("/", handleQuery);
queryRouter.onError((err, c) => {
  const id = c.get("requestId");
  const known = asAwsError(err, id);
  const service = c.get("service");
  const ns = service === "sts" ? STS_NS : IAM_NS;
  return c.body(renderError(known, ns, id), known.status as 400, {
    "content-type": "text/xml",
    "x-amzn-RequestId": id,
  });
});
