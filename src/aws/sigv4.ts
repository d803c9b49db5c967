// AWS Signature Version 4: parse the Authorization header or presigned query, canonicalise, verify and sign.
import { AwsError } from "./errors.ts";
import { constantTimeEqual, hmac, sha256Hex, toHex } from "./crypto.ts";
import { formDecode } from "./query.ts";

export const ALGORITHM = "AWS4-HMAC-SHA256";
const TERMINATOR = "aws4_request";
/** AWS rejects a request whose signing time is more than 15 minutes from its own clock, either way. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
/** The longest X-Amz-Expires AWS accepts: seven days, the lifetime of a signing key. */
export const MAX_PRESIGN_EXPIRES = 604_800;

const SIGNATURE_MISMATCH =
  "The request signature we calculated does not match the signature you provided. " +
  "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

/** What a request's SigV4 authentication says, before anything is checked against a secret. */
export interface SigV4Auth {
  accessKeyId: string;
  /** yyyymmdd from the credential scope */
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  /** yyyymmddThhmmssZ: X-Amz-Date, or the Date header converted */
  amzDate: string;
  /** X-Amz-Expires in seconds, presigned requests only */
  expires?: number;
  securityToken?: string;
  presigned: boolean;
}

/**
 * Request headers. A `Headers` object joins repeated headers with ", " while SigV4 joins them with ","; raw pairs
 * keep them apart, so repeated headers canonicalise exactly (the test vectors need this; real clients rarely repeat
 * a signed header).
 */
export type HeaderSource = Headers | ReadonlyArray<readonly [string, string]>;

function headerValues(headers: HeaderSource, name: string): string[] {
  const lower = name.toLowerCase();
  if (headers instanceof Headers) {
    const value = headers.get(lower);
    return value === null ? [] : [value];
  }
  return headers.filter(([k]) => k.toLowerCase() === lower).map(([, v]) => v);
}

function header(headers: HeaderSource, name: string): string | undefined {
  const values = headerValues(headers, name);
  return values.length === 0 ? undefined : values.join(",");
}

// ---- Dates ----

/** `2015-08-30T12:36:00.000Z` → `20150830T123600Z`. */
export function toAmzDate(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

/** Parses `yyyymmddThhmmssZ`, rejecting impossible dates (month 13, 30 February) rather than rolling them over. */
export function parseAmzDate(s: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return null;
  const [, y, mo, d, h, mi, se] = m.map(Number) as [number, number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, se));
  return toAmzDate(date) === s ? date : null;
}

function badDate(got: string): AwsError {
  return new AwsError(
    "IncompleteSignature",
    `Date must be in ISO-8601 'basic format'. Got '${got}'. See http://en.wikipedia.org/wiki/ISO_8601`,
  );
}

// ---- Parsing ----

function incomplete(message: string): AwsError {
  return new AwsError("IncompleteSignature", message);
}

/** Splits `AKID/20150830/us-east-1/iam/aws4_request`; the checks and messages are the same in both forms. */
function parseCredential(credential: string) {
  const parts = credential.split("/");
  if (parts.length !== 5) {
    throw incomplete(
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`,
    );
  }
  const [accessKeyId = "", date = "", region = "", service = "", terminator = ""] = parts;
  if (terminator !== TERMINATOR) {
    throw new AwsError(
      "SignatureDoesNotMatch",
      `Credential should be scoped with a valid terminator: '${TERMINATOR}', not '${terminator}'.`,
    );
  }
  return { accessKeyId, date, region, service };
}

function checkScopeDate(scopeDate: string, amzDate: string): void {
  if (scopeDate !== amzDate.slice(0, 8)) {
    throw new AwsError(
      "SignatureDoesNotMatch",
      "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: " +
        `'${scopeDate}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
    );
  }
}

function checkHostSigned(signedHeaders: string[]): void {
  if (!signedHeaders.includes("host") && !signedHeaders.includes(":authority")) {
    throw incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }
}

/** The request time of the header form: X-Amz-Date, else the Date header (RFC 7231), as AWS looks for them. */
function headerDate(headers: HeaderSource): string | undefined {
  const amz = header(headers, "x-amz-date");
  if (amz !== undefined) {
    if (!parseAmzDate(amz.trim())) throw badDate(amz);
    return amz.trim();
  }
  const http = header(headers, "date");
  if (http === undefined) return undefined;
  const ms = Date.parse(http);
  if (Number.isNaN(ms)) throw badDate(http);
  return toAmzDate(new Date(ms));
}

const QUERY_AUTH_PARAMS = ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders"] as const;

function parseAuthorizationHeader(authorization: string, headers: HeaderSource): SigV4Auth {
  const trimmed = authorization.trim();
  const space = trimmed.search(/\s/);
  const algorithm = space < 0 ? trimmed : trimmed.slice(0, space);
  const rest = space < 0 ? "" : trimmed.slice(space + 1);
  const hasDate = header(headers, "x-amz-date") !== undefined || header(headers, "date") !== undefined;
  const dateMessage = "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.";

  if (algorithm !== ALGORITHM) {
    // Another SigV4 algorithm gets named; other schemes (Basic, Bearer, SigV2 "AWS key:sig") get the list of what a
    // SigV4 header needs, which is how AWS answers them.
    if (/(^|[\s,])Credential=/.test(rest)) throw incomplete(`Unsupported AWS 'algorithm': '${algorithm}'.`);
    const missing = ["Credential", "Signature", "SignedHeaders"].map(
      (p) => `Authorization header requires '${p}' parameter.`,
    );
    if (!hasDate) missing.push(dateMessage);
    throw incomplete(`${missing.join(" ")} Authorization=${authorization}`);
  }

  const fields = new Map<string, string>();
  for (const piece of rest.split(/[\s,]+/)) {
    if (piece === "") continue;
    const eq = piece.indexOf("=");
    if (eq < 0) {
      throw incomplete(
        `'${piece}' not a valid key=value pair (missing equal-sign) in Authorization header: '${authorization}'.`,
      );
    }
    const key = piece.slice(0, eq);
    if (!fields.has(key)) fields.set(key, piece.slice(eq + 1));
  }
  const credential = fields.get("Credential");
  const signature = fields.get("Signature");
  const signedHeaders = fields.get("SignedHeaders");
  const missing: string[] = [];
  if (credential === undefined) missing.push("Authorization header requires 'Credential' parameter.");
  if (signature === undefined) missing.push("Authorization header requires 'Signature' parameter.");
  if (signedHeaders === undefined) missing.push("Authorization header requires 'SignedHeaders' parameter.");
  if (!hasDate) missing.push(dateMessage);
  if (credential === undefined || signature === undefined || signedHeaders === undefined || !hasDate) {
    throw incomplete(`${missing.join(" ")} Authorization=${authorization}`);
  }

  const scope = parseCredential(credential);
  const amzDate = headerDate(headers) as string;
  checkScopeDate(scope.date, amzDate);
  const signed = signedHeaders.split(";");
  checkHostSigned(signed);
  const securityToken = header(headers, "x-amz-security-token");
  return {
    ...scope,
    signedHeaders: signed,
    signature,
    amzDate,
    ...(securityToken !== undefined ? { securityToken } : {}),
    presigned: false,
  };
}

function parsePresigned(url: URL, headers: HeaderSource): SigV4Auth {
  const q = url.searchParams;
  const missing = [...QUERY_AUTH_PARAMS, "X-Amz-Date"].filter((p) => !q.has(p));
  if (missing.length > 0) {
    const list = missing.map((p) => `AWS query-string parameters must include '${p}'.`).join(" ");
    throw incomplete(`${list} Re-examine the query-string parameters.`);
  }
  const algorithm = q.get("X-Amz-Algorithm") ?? "";
  if (algorithm !== ALGORITHM) throw incomplete(`Unsupported AWS 'algorithm': '${algorithm}'.`);
  const scope = parseCredential(q.get("X-Amz-Credential") ?? "");
  const amzDate = q.get("X-Amz-Date") ?? "";
  if (!parseAmzDate(amzDate)) throw badDate(amzDate);
  checkScopeDate(scope.date, amzDate);
  const signed = (q.get("X-Amz-SignedHeaders") ?? "").split(";");
  checkHostSigned(signed);

  let expires: number | undefined;
  const expiresText = q.get("X-Amz-Expires");
  if (expiresText !== null) {
    if (!/^-?\d+$/.test(expiresText)) throw incomplete("X-Amz-Expires should be a number");
    expires = Number(expiresText);
    if (expires < 0) throw incomplete("X-Amz-Expires must be non-negative");
    if (expires > MAX_PRESIGN_EXPIRES) {
      throw incomplete(`X-Amz-Expires must be less than a week (in seconds) that is ${MAX_PRESIGN_EXPIRES}`);
    }
  }
  const securityToken = q.get("X-Amz-Security-Token") ?? header(headers, "x-amz-security-token");
  return {
    ...scope,
    signedHeaders: signed,
    signature: q.get("X-Amz-Signature") ?? "",
    amzDate,
    ...(expires !== undefined ? { expires } : {}),
    ...(securityToken !== undefined ? { securityToken } : {}),
    presigned: true,
  };
}

/**
 * Finds and parses the request's SigV4 authentication: the Authorization header, or the X-Amz-* query parameters
 * of a presigned URL. Throws the AwsError AWS answers with when it is absent or malformed; checks nothing that
 * needs the secret (see verifySigV4).
 */
export function parseSigV4(_method: string, url: URL, headers: HeaderSource): SigV4Auth {
  const authorization = header(headers, "authorization");
  const presigned = QUERY_AUTH_PARAMS.some((p) => url.searchParams.has(p));
  if (authorization !== undefined && presigned) {
    // Two authentications in one request could disagree about who is calling; AWS refuses to pick one.
    throw incomplete("Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.");
  }
  if (authorization !== undefined && authorization.trim() !== "")
    return parseAuthorizationHeader(authorization, headers);
  if (presigned) return parsePresigned(url, headers);
  throw new AwsError("MissingAuthenticationToken", "Request is missing Authentication Token");
}

// ---- Canonical request ----

/** SigV4's URI encoding: everything but A-Z a-z 0-9 - _ . ~ as %XX of its UTF-8 bytes, hex in upper case. */
export function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Decodes a path segment; a stray `%` that is no escape is taken literally (and re-encoded as %25). */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * The canonical URI. The URL parser has percent-encoded the path once and resolved `.`/`..`; each segment is decoded
 * and encoded once more in SigV4's alphabet, which is how the AWS test suite treats its request lines. With
 * normalizePath (every service but S3) empty segments and dot segments are removed too.
 */
function canonicalUri(url: URL, normalizePath: boolean): string {
  const path = url.pathname === "" ? "/" : url.pathname;
  const segments = path.split("/").slice(1).map(decodeSegment);
  if (!normalizePath) return `/${segments.map(uriEncode).join("/")}`;
  const out: string[] = [];
  for (const seg of segments) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") out.pop();
    else out.push(seg);
  }
  const trailing = out.length > 0 && path.endsWith("/") ? "/" : "";
  return `/${out.map(uriEncode).join("/")}${trailing}`;
}

/**
 * The canonical query string: every parameter decoded (form rules, as the query decoder reads them) and re-encoded,
 * sorted by name then value; a presigned request's own X-Amz-Signature is left out.
 */
function canonicalQuery(url: URL, presigned: boolean): string {
  const raw = url.search.startsWith("?") ? url.search.slice(1) : url.search;
  const pairs: Array<[string, string]> = [];
  for (const piece of raw.split("&")) {
    if (piece === "") continue;
    const eq = piece.indexOf("=");
    const key = uriEncode(formDecode(eq < 0 ? piece : piece.slice(0, eq)));
    const value = eq < 0 ? "" : uriEncode(formDecode(piece.slice(eq + 1)));
    if (presigned && key === "X-Amz-Signature") continue;
    pairs.push([key, value]);
  }
  // Encoded strings are ASCII, so comparing code units is the byte order SigV4 asks for.
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join("&");
}

/** Trims a header value and collapses inner runs of whitespace (folded lines included) to one space. */
function canonicalHeaderValue(value: string): string {
  return value.trim().replace(/\s+/g, " ");
}

export interface CanonicalOptions {
  /** Remove empty and dot path segments: true for every service but S3. */
  normalizePath: boolean;
  /** Leave X-Amz-Signature out of the canonical query. */
  presigned: boolean;
}

/**
 * The canonical request: method, URI, query, the signed headers' `name:value` lines, the signed header list and the
 * payload hash, newline-separated. Host falls back to the URL's host when the header is not in `headers`.
 */
export function canonicalRequest(
  method: string,
  url: URL,
  headers: HeaderSource,
  signedHeaders: readonly string[],
  payloadHash: string,
  opts: CanonicalOptions,
): string {
  let headerLines = "";
  for (const name of signedHeaders) {
    let values = headerValues(headers, name);
    if (values.length === 0 && name === "host") values = [url.host];
    headerLines += `${name}:${values.map(canonicalHeaderValue).join(",")}\n`;
  }
  return [
    method.toUpperCase(),
    canonicalUri(url, opts.normalizePath),
    canonicalQuery(url, opts.presigned),
    headerLines,
    signedHeaders.join(";"),
    payloadHash,
  ].join("\n");
}

export function credentialScope(date: string, region: string, service: string): string {
  return `${date}/${region}/${service}/${TERMINATOR}`;
}

/** The string to sign: algorithm, request time, credential scope and the hex SHA-256 of the canonical request. */
export async function stringToSign(amzDate: string, scope: string, canonical: string): Promise<string> {
  return `${ALGORITHM}\n${amzDate}\n${scope}\n${await sha256Hex(canonical)}`;
}

/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"). */
export async function deriveSigningKey(
  secret: string,
  date: string,
  region: string,
  service: string,
): Promise<ArrayBuffer> {
  const kDate = await hmac(`AWS4${secret}`, date);
  const kRegion = await hmac(kDate, region);
  const kService = await hmac(kRegion, service);
  return hmac(kService, TERMINATOR);
}

/** The hex signature of a string to sign under a derived signing key. */
export async function signature(signingKey: ArrayBuffer, toSign: string): Promise<string> {
  return toHex(await hmac(signingKey, toSign));
}

// ---- Verification ----

export interface SigV4Request {
  method: string;
  url: URL;
  headers: HeaderSource;
  body: Uint8Array;
}

function checkTime(auth: SigV4Auth, now: Date): void {
  const signedAt = parseAmzDate(auth.amzDate);
  if (!signedAt) throw badDate(auth.amzDate);
  const nowMs = now.getTime();
  if (auth.presigned && auth.expires !== undefined && nowMs > signedAt.getTime() + auth.expires * 1000) {
    throw new AwsError("RequestExpired", "Request has expired.");
  }
  // AWS's common-errors reference names RequestExpired for a date stamp more than 15 minutes off either way; the
  // messages are the ones its query services print.
  if (nowMs - signedAt.getTime() > MAX_CLOCK_SKEW_MS) {
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
 * either way; X-Amz-Expires for presigned URLs), then the signature, compared in constant time. The payload hash is
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
