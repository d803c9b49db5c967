// The AWS query endpoint (POST / and GET /): decode, authenticate, look up, validate, authorize, run, encode.
import { Hono, type Context } from "hono";
import { AwsError } from "../aws/errors";
import { MAX_BODY_BYTES, parseQueryParams, unflattenQuery } from "../aws/query";
import { IAM_NS, renderResponse, STS_NS } from "../aws/xml";
import type { AppEnv } from "../env";
import { requestDb } from "./request-db";
import { authenticate, type RawRequest } from "./authenticate";
import { authorize } from "./authorize";
import type { OperationContext, ServiceName } from "./operation";
import { findOperation, SERVICE_VERSIONS } from "./operations";
import { parseInput } from "./validation";

export const NAMESPACES: Record<ServiceName, string> = { iam: IAM_NS, sts: STS_NS };

function serviceForVersion(version: string | undefined): ServiceName | undefined {
  return (Object.keys(SERVICE_VERSIONS) as ServiceName[]).find((s) => SERVICE_VERSIONS[s] === version);
}

async function readBody(c: Context<AppEnv>): Promise<Uint8Array> {
  const declared = Number(c.req.header("content-length") ?? "0");
  const tooLarge = () =>
    new AwsError("RequestEntityTooLarge", `Request body exceeds the maximum of ${MAX_BODY_BYTES} bytes.`);
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const body = new Uint8Array(await c.req.arrayBuffer());
  if (body.byteLength > MAX_BODY_BYTES) throw tooLarge();
  return body;
}

/** Query parameters that steer the protocol itself rather than the operation's input. */
function isProtocolParam(name: string): boolean {
  return name === "Action" || name === "Version" || name.startsWith("X-Amz-");
}

async function handleQuery(c: Context<AppEnv>): Promise<Response> {
  const now = new Date();
  const url = new URL(c.req.url);
  const body = c.req.method === "POST" ? await readBody(c) : new Uint8Array();
  const bodyText = new TextDecoder().decode(body);
  const params = parseQueryParams(c.req.method, url, c.req.header("content-type") ?? "", bodyText);

  const signed = c.req.header("authorization") !== undefined || url.searchParams.has("X-Amz-Credential");
  const db = requestDb(c);
  const raw: RawRequest = { method: c.req.method, url, headers: c.req.raw.headers, body };
  const waitUntil = (p: Promise<unknown>) => c.executionCtx.waitUntil(p);

  const versionService = serviceForVersion(params.get("Version"));
  if (versionService) c.set("service", versionService);
  const authn = signed ? await authenticate(c.env, db, raw, now, waitUntil) : undefined;
  const service = (authn?.auth.service as ServiceName | undefined) ?? versionService;
  if (authn && !(authn.auth.service in SERVICE_VERSIONS)) {
    throw new AwsError("SignatureDoesNotMatch", `Credential should be scoped to correct service: 'iam'.`);
  }
  if (service === undefined)
    throw new AwsError("MissingAuthenticationToken", "Request is missing Authentication Token");
  c.set("service", service);

  const action = params.get("Action");
  if (action === undefined || action === "") {
    throw new AwsError("MissingAction", "The request is missing an action or a required parameter: Action.");
  }
  const op = findOperation(service, action);
  if (!op) {
    throw new AwsError("InvalidAction", `Could not find operation ${action} for version ${SERVICE_VERSIONS[service]}`);
  }
  if (!authn) {
    if (!op.unsigned) throw new AwsError("MissingAuthenticationToken", "Request is missing Authentication Token");
    throw new AwsError("InvalidAction", `Unsigned calls to ${action} are not supported yet.`);
  }
  const caller = authn.caller;
  c.set("caller", caller);

  const fields: Record<string, string> = {};
  for (const [k, v] of params) if (!isProtocolParam(k)) fields[k] = v;
  const input = parseInput(op.input, unflattenQuery(new Map(Object.entries(fields))));

  const ctx: OperationContext = {
    env: c.env,
    db,
    caller,
    accountId: caller.accountId,
    requestId: c.get("requestId"),
    now,
    region: authn.auth.region,
    waitUntil,
  };
  if (op.action !== null) {
    await authorize(db, caller, {
      action: op.action,
      resource: op.resource(input, ctx),
      now,
      region: authn.auth.region,
      sourceIp: c.req.header("cf-connecting-ip"),
    });
  }
  const result = await op.run(input, ctx);
  return c.body(renderResponse(op.name, NAMESPACES[service], result, ctx.requestId), 200, {
    "content-type": "text/xml",
  });
}

export const queryRouter = new Hono<AppEnv>();
queryRouter.get("/", handleQuery);
queryRouter.post("/", handleQuery);
