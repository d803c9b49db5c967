// `npm run import -- acct.json [--endpoint URL] [--account ID --replace]`: posts an exported account to the simulator as root.
import { readFileSync } from "node:fs";
import { signRequest } from "../src/aws/sigv4.ts";

export interface PostOptions {
  account?: string;
  replace?: boolean;
  accessKeyId?: string;
  secret?: string;
}

export interface PostResult {
  status: number;
  /** D1 round trips the Worker reported for the import (x-d1-round-trips). */
  roundTrips: number;
  ms: number;
  body: unknown;
}

/** A body up to this size goes in one request; a larger snapshot in parts of this size (the Worker takes 8 MiB). */
const PART_BYTES = 6 * 1024 * 1024;

/**
 * Signs the snapshot with root keys (SigV4, service iam) and POSTs it to /v1/accounts/import: in one request, or in
 * numbered parts that the last one completes.
 */
export async function postSnapshot(endpoint: string, text: string, opts: PostOptions = {}): Promise<PostResult> {
  const bytes = new TextEncoder().encode(text);
  if (bytes.byteLength <= PART_BYTES) return postPart(endpoint, bytes, opts);
  const of = Math.ceil(bytes.byteLength / PART_BYTES);
  const upload = crypto.randomUUID().replaceAll("-", "");
  let last: PostResult | undefined;
  for (let part = 1; part <= of; part++) {
    const chunk = bytes.subarray((part - 1) * PART_BYTES, part * PART_BYTES);
    last = await postPart(endpoint, chunk, opts, { upload, part: String(part), of: String(of) });
    if (part < of && last.status !== 202) return last;
  }
  return last as PostResult;
}

async function postPart(
  endpoint: string,
  text: Uint8Array,
  opts: PostOptions,
  chunk?: Record<string, string>,
): Promise<PostResult> {
  const url = new URL("/v1/accounts/import", endpoint);
  if (opts.account !== undefined) url.searchParams.set("account", opts.account);
  if (opts.replace === true) url.searchParams.set("mode", "replace");
  for (const [k, v] of Object.entries(chunk ?? {})) url.searchParams.set(k, v);
  const headers = await signRequest({
    method: "POST",
    url,
    headers: { "content-type": "application/json" },
    body: text,
    accessKeyId: opts.accessKeyId ?? "test",
    secret: opts.secret ?? "test",
    region: "us-east-1",
    service: "iam",
    now: new Date(),
  });
  const t0 = performance.now();
  const res = await fetch(url, { method: "POST", headers, body: Buffer.from(text) });
  const body: unknown = await res.json().catch(() => ({ error: { code: "NotJson", message: res.statusText } }));
  return {
    status: res.status,
    roundTrips: Number(res.headers.get("x-d1-round-trips") ?? "0"),
    ms: performance.now() - t0,
    body,
  };
}

function usage(): never {
  console.error("usage: npm run import -- acct.json [--endpoint http://127.0.0.1:8787] [--account <id> --replace]");
  process.exit(2);
}

async function main(argv: string[]): Promise<void> {
  let file: string | undefined;
  let endpoint = "http://127.0.0.1:8787";
  const opts: PostOptions = {
    // The root keys the Worker was given (wrangler.toml's local defaults are test/test).
    accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? "test",
    secret: process.env.AWS_SECRET_ACCESS_KEY ?? "test",
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--endpoint") endpoint = argv[++i] ?? usage();
    else if (arg === "--account") opts.account = argv[++i] ?? usage();
    else if (arg === "--replace") opts.replace = true;
    else if (arg === "--help" || arg === "-h" || arg?.startsWith("--")) usage();
    else if (file === undefined) file = arg;
    else usage();
  }
  if (file === undefined) usage();
  const result = await postSnapshot(endpoint, readFileSync(file, "utf8"), opts);
  console.log(JSON.stringify(result.body, null, 2));
  if (result.status !== 200) process.exit(1);
}

// Run only as the script, not when the benchmark imports postSnapshot.
if (process.argv[1]?.endsWith("import-account.ts")) await main(process.argv.slice(2));
