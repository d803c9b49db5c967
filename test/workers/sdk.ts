// Real AWS SDK clients wired to the Worker under test: requests go through SELF.fetch instead of the network.
import { IAMClient } from "@aws-sdk/client-iam";
import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { STSClient } from "@aws-sdk/client-sts";
import { SELF } from "cloudflare:test";
import { signRequest } from "../../src/aws/sigv4";

export const ENDPOINT = "http://127.0.0.1:8787";
export const ROOT = { accessKeyId: "test", secretAccessKey: "test" };

interface SdkHttpRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query?: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: BodyInit;
}

function queryString(query: SdkHttpRequest["query"]): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query ?? {})) {
    for (const one of Array.isArray(v) ? v : [v]) {
      parts.push(one === null ? encodeURIComponent(k) : `${encodeURIComponent(k)}=${encodeURIComponent(one)}`);
    }
  }
  return parts.join("&");
}

/** The SDK's HttpHandler contract, answered by the Worker itself. */
const selfHandler = {
  metadata: { handlerProtocol: "http/1.1" },
  async handle(request: SdkHttpRequest) {
    const qs = queryString(request.query);
    const port = request.port ? `:${request.port}` : "";
    const url = `${request.protocol}//${request.hostname}${port}${request.path}${qs ? `?${qs}` : ""}`;
    const res = await SELF.fetch(url, { method: request.method, headers: request.headers, body: request.body });
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => (headers[k] = v));
    const body = new Uint8Array(await res.arrayBuffer());
    return { response: { statusCode: res.status, reason: res.statusText, headers, body } };
  },
  updateHttpClientConfig() {},
  httpHandlerConfigs() {
    return {};
  },
};

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export function iamClient(credentials: Credentials = ROOT): IAMClient {
  return new IAMClient({
    endpoint: ENDPOINT,
    region: "us-east-1",
    credentials,
    requestHandler: selfHandler,
    maxAttempts: 1,
  });
}

export function stsClient(credentials: Credentials = ROOT): STSClient {
  return new STSClient({
    endpoint: ENDPOINT,
    region: "us-east-1",
    credentials,
    requestHandler: selfHandler,
    maxAttempts: 1,
  });
}

export function orgsClient(credentials: Credentials = ROOT): OrganizationsClient {
  return new OrganizationsClient({
    endpoint: ENDPOINT,
    region: "us-east-1",
    credentials,
    requestHandler: selfHandler,
    maxAttempts: 1,
  });
}

/**
 * Runs a call that must fail and returns the wire error code (the SDK names modeled errors by their exception
 * class, e.g. NoSuchEntityException, and keeps AWS's code in `Code`), the status and the message.
 */
export async function awsError(p: Promise<unknown>): Promise<{ name: string; status?: number; message: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as { name: string; Code?: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.Code ?? e.name, status: e.$metadata?.httpStatusCode, message: e.message };
  }
  throw new Error("expected the call to fail, but it succeeded");
}

/**
 * A query-protocol POST signed as a client would sign it, sent to the Worker as is: for tests that need the raw
 * response (status, headers) rather than what an SDK makes of it. Root's key unless `credentials` is given.
 */
export async function signedPost(
  body: string,
  options: { credentials?: Credentials; service?: string; base?: string } = {},
): Promise<Response> {
  const url = new URL(options.base ?? `${ENDPOINT}/`);
  const credentials: Credentials = options.credentials ?? ROOT;
  const headers = await signRequest({
    method: "POST",
    url,
    headers: {
      "content-type": "application/x-www-form-urlencoded; charset=utf-8",
      ...(credentials.sessionToken ? { "x-amz-security-token": credentials.sessionToken } : {}),
    },
    body,
    accessKeyId: credentials.accessKeyId,
    secret: credentials.secretAccessKey,
    region: "us-east-1",
    service: options.service ?? "iam",
    now: new Date(),
  });
  return SELF.fetch(url, { method: "POST", headers, body });
}

const ENTITIES: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'" };

/**
 * One signed IAM query call (parameters without Version) read raw: its status, D1 round trips, and for a refusal
 * AWS's code and message (XML entities undone), with the body.
 */
export async function iamQuery(params: Record<string, string>, credentials: Credentials = ROOT) {
  const res = await signedPost(new URLSearchParams({ Version: "2010-05-08", ...params }).toString(), { credentials });
  const body = await res.text();
  return {
    status: res.status,
    trips: Number(res.headers.get("x-d1-round-trips")),
    code: /<Code>([^<]*)<\/Code>/.exec(body)?.[1],
    message: /<Message>([^<]*)<\/Message>/
      .exec(body)?.[1]
      ?.replace(/&(amp|lt|gt|quot|apos);/g, (e) => ENTITIES[e] ?? e),
    body,
  };
}
