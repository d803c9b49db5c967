// SigV4 canonical request, string to sign, signing key and signature, as AWS's signature test suite defines them.
import { hmac, sha256Hex, toHex } from "./crypto.ts";
import { formDecode } from "./query.ts";
import { ALGORITHM, headerValues, TERMINATOR, type HeaderSource } from "./sigv4-parse.ts";
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
