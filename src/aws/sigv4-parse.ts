// SigV4 request parsing: the Authorization header or presigned query into a SigV4Auth, with AWS's error codes.
import { AwsError } from "./errors.ts";

export const ALGORITHM = "AWS4-HMAC-SHA256";
export const TERMINATOR = "aws4_request";
/** AWS rejects a request whose signing time is more than 15 minutes from its own clock, either way. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
/** The longest X-Amz-Expires AWS accepts: seven days, the lifetime of a signing key. */
export const MAX_PRESIGN_EXPIRES = 604_800;

export const SIGNATURE_MISMATCH =
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

export function headerValues(headers: HeaderSource, name: string): string[] {
  const lower = name.toLowerCase();
  if (headers instanceof Headers) {
    const value = headers.get(lower);
    return value === null ? [] : [value];
  }
  return headers.filter(([k]) => k.toLowerCase() === lower).map(([, v]) => v);
}

export function header(headers: HeaderSource, name: string): string | undefined {
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

export function badDate(got: string): AwsError {
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

/**
 * X-Amz-Expires: a plain number of seconds from 1 to 604800. AWS answers a malformed or out-of-range value before
 * looking at the signature, as a malformed query-string authentication (IncompleteSignature here, the code the
 * other malformed presign parameters get); the messages say what is accepted.
 */
function parseExpires(text: string): number {
  if (!/^[0-9]+$/.test(text)) {
    throw incomplete(`X-Amz-Expires should be a number of seconds from 1 to ${MAX_PRESIGN_EXPIRES}, got '${text}'.`);
  }
  const seconds = Number(text);
  if (seconds < 1) throw incomplete("X-Amz-Expires must be at least 1 second.");
  if (seconds > MAX_PRESIGN_EXPIRES) {
    throw incomplete(`X-Amz-Expires must be less than a week (in seconds) that is ${MAX_PRESIGN_EXPIRES}`);
  }
  return seconds;
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

  const expiresText = q.get("X-Amz-Expires");
  const expires = expiresText === null ? undefined : parseExpires(expiresText);
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
