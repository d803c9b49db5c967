// Shared by the /v1/simulations tests: a signed JSON call and the answer's shape.
import { SELF } from "cloudflare:test";
import { signRequest } from "../../src/aws/sigv4";
import { ROOT, type Credentials } from "./sdk";

export const BASE = "http://127.0.0.1:8787";

export async function signed(
  method: "POST" | "DELETE",
  path: string,
  body?: unknown,
  creds: Credentials = ROOT,
): Promise<Response> {
  const text = body === undefined ? "" : JSON.stringify(body);
  const url = new URL(BASE + path);
  const headers = await signRequest({
    method,
    url,
    headers: { "content-type": "application/json" },
    body: text,
    accessKeyId: creds.accessKeyId,
    secret: creds.secretAccessKey,
    region: "us-east-1",
    service: "iam",
    now: new Date(),
  });
  return SELF.fetch(url, { method, headers, ...(method === "POST" ? { body: text } : {}) });
}

export const policy = (...statements: Record<string, unknown>[]) =>
  JSON.stringify({ Version: "2012-10-17", Statement: statements }, null, 2);

export interface Result {
  action: string;
  resource: string;
  decision: string;
  decidedBy: string | null;
  matched: { policyId: string; sid?: string; startLine?: number }[];
  missing: string[];
  trust?: boolean;
  before?: { decision: string };
}
export interface Answer {
  id: string;
  link: string;
  expiresAt: string;
  principal: string;
  warnings: string[];
  results: Result[];
  diff: { action: string; resource: string; before: string; after: string }[];
  error?: { code: string; message: string };
}
