// AWS Signature Version 4: verify a request against a secret, and sign requests (tests, benchmarks, clients).
import { AwsError } from "./errors.ts";
import { constantTimeEqual, sha256Hex } from "./crypto.ts";
import { canonicalRequest, credentialScope, deriveSigningKey, signature, stringToSign } from "./sigv4-canonical.ts";
import {
  ALGORITHM,
  badDate,
  header,
  MAX_CLOCK_SKEW_MS,
  parseAmzDate,
  SIGNATURE_MISMATCH,
  toAmzDate,
  type HeaderSource,
  type SigV4Auth,
} from "./sigv4-parse.ts";

// The public SigV4 API lives here; parsing and canonicalisation are split out only to keep files small.
export * from "./sigv4-parse.ts";
export * from "./sigv4-canonical.ts";
// ---- Verification ----

export interface SigV4Request {
  method: string;
  url: URL;
  headers: HeaderSource;
  body: Uint8Array;
}

/**
 * The request time against `now`. A presigned URL lives for its X-Amz-Expires (up to seven days) from its signing
 * time, so the 15-minute window applies to it only when it carries no X-Amz-Expires; a signing time in the future
 * is refused for every request, since no lifetime makes a not-yet-signed URL valid.
 */
function checkTime(auth: SigV4Auth, now: Date): void {
  const signedAt = parseAmzDate(auth.amzDate);
  if (!signedAt) throw badDate(auth.amzDate);
  const nowMs = now.getTime();
  const lifetime = auth.presigned && auth.expires !== undefined ? auth.expires * 1000 : undefined;
  if (lifetime !== undefined && nowMs > signedAt.getTime() + lifetime) {
    // The code is the one AWS's common-errors reference gives query services for an expired request (S3 says
    // AccessDenied instead); the message is the one AWS prints for an expired presigned URL.
    throw new AwsError("RequestExpired", "Request has expired.");
  }
  // AWS's common-errors reference names RequestExpired for a date stamp more than 15 minutes off either way; the
  // messages are the ones its query services print.
  if (lifetime === undefined && nowMs - signedAt.getTime() > MAX_CLOCK_SKEW_MS) {
    throw new AwsError(
      "RequestExpired",
      `Signature expired: ${auth.amzDate} is now earlier than ${toAmzDate(new Date(nowMs - MAX_CLOCK_SKEW_MS))} ` +
        `(${toAmzDate(now)} - 15 min.)`,
    );
  }
  if (signedAt.getTime() - nowMs > MAX_CLOCK_SKEW_MS) {
    throw new AwsError(
      "RequestExpired",
      `Signature not yet current: ${auth.amzDate} is still later than ` +
        `${toAmzDate(new Date(nowMs + MAX_CLOCK_SKEW_MS))} (${toAmzDate(now)} + 15 min.)`,
    );
  }
}

/**
 * Checks a parsed SigV4 authentication against the caller's secret: the request time against `now` (15 minutes
 * either way; X-Amz-Expires, 1 second to 7 days, for presigned URLs that carry it), then the signature, compared in constant time. The payload hash is
 * always computed from the body: an x-amz-content-sha256 header must agree with it, so a body cannot be swapped
 * under a signature (IAM and STS have no unsigned-payload mode).
 */
export async function verifySigV4(
  req: SigV4Request,
  auth: SigV4Auth,
  secret: string,
  now: Date,
  opts: { normalizePath?: boolean } = {},
): Promise<void> {
  checkTime(auth, now);
  const payloadHash = await sha256Hex(req.body);
  const declared = header(req.headers, "x-amz-content-sha256");
  if (declared !== undefined && declared.trim().toLowerCase() !== payloadHash) {
    throw new AwsError("SignatureDoesNotMatch", SIGNATURE_MISMATCH);
  }
  const canonical = canonicalRequest(req.method, req.url, req.headers, auth.signedHeaders, payloadHash, {
    normalizePath: opts.normalizePath ?? true,
    presigned: auth.presigned,
  });
  const toSign = await stringToSign(auth.amzDate, credentialScope(auth.date, auth.region, auth.service), canonical);
  const key = await deriveSigningKey(secret, auth.date, auth.region, auth.service);
  const expected = await signature(key, toSign);
  if (!constantTimeEqual(expected, auth.signature)) throw new AwsError("SignatureDoesNotMatch", SIGNATURE_MISMATCH);
}

// ---- Signing (tests, bench, and any client this project writes) ----

export interface SignInput {
  method: string;
  url: URL;
  headers?: HeadersInit;
  body?: Uint8Array | string;
  accessKeyId: string;
  secret: string;
  region: string;
  service: string;
  now: Date;
  sessionToken?: string;
}

function bodyBytes(body: Uint8Array | string | undefined): Uint8Array {
  if (body === undefined) return new Uint8Array(0);
  return typeof body === "string" ? new TextEncoder().encode(body) : body;
}

/**
 * Signs a request the way the AWS SDKs do: adds X-Amz-Date, X-Amz-Security-Token (signed) and Authorization to a
 * copy of the headers, signing every header given plus host (taken from the URL; fetch sets the header itself).
 */
export async function signRequest(input: SignInput): Promise<Headers> {
  const out = new Headers(input.headers);
  out.delete("authorization");
  const amzDate = toAmzDate(input.now);
  const date = amzDate.slice(0, 8);
  out.set("x-amz-date", amzDate);
  if (input.sessionToken !== undefined) out.set("x-amz-security-token", input.sessionToken);
  const pairs: Array<[string, string]> = [];
  out.forEach((value, name) => pairs.push([name, value]));
  if (!out.has("host")) pairs.push(["host", input.url.host]);
  const signed = [...new Set(pairs.map(([k]) => k.toLowerCase()))].sort();
  const payloadHash = await sha256Hex(bodyBytes(input.body));
  const canonical = canonicalRequest(input.method, input.url, pairs, signed, payloadHash, {
    normalizePath: true,
    presigned: false,
  });
  const scope = credentialScope(date, input.region, input.service);
  const key = await deriveSigningKey(input.secret, date, input.region, input.service);
  const sig = await signature(key, await stringToSign(amzDate, scope, canonical));
  out.set(
    "authorization",
    `${ALGORITHM} Credential=${input.accessKeyId}/${scope}, SignedHeaders=${signed.join(";")}, Signature=${sig}`,
  );
  return out;
}

/**
 * A presigned URL (query-string authentication) valid for `expiresIn` seconds. Only host is signed, as the SDK
 * presigners do for STS; the session token goes into the signed query.
 */
export async function presignUrl(input: Omit<SignInput, "headers"> & { expiresIn: number }): Promise<URL> {
  const url = new URL(input.url);
  const amzDate = toAmzDate(input.now);
  const date = amzDate.slice(0, 8);
  const scope = credentialScope(date, input.region, input.service);
  url.searchParams.set("X-Amz-Algorithm", ALGORITHM);
  url.searchParams.set("X-Amz-Credential", `${input.accessKeyId}/${scope}`);
  url.searchParams.set("X-Amz-Date", amzDate);
  url.searchParams.set("X-Amz-Expires", String(input.expiresIn));
  url.searchParams.set("X-Amz-SignedHeaders", "host");
  if (input.sessionToken !== undefined) url.searchParams.set("X-Amz-Security-Token", input.sessionToken);
  const payloadHash = await sha256Hex(bodyBytes(input.body));
  const canonical = canonicalRequest(input.method, url, [["host", url.host]], ["host"], payloadHash, {
    normalizePath: true,
    presigned: true,
  });
  const key = await deriveSigningKey(input.secret, date, input.region, input.service);
  url.searchParams.set("X-Amz-Signature", await signature(key, await stringToSign(amzDate, scope, canonical)));
  return url;
}
