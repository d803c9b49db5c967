// XML response encoding exactly as the AWS query services (IAM, STS) write their success and error envelopes.
import type { AwsError } from "./errors.ts";

export const IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/";
export const STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/";

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/**
 * A value the encoder can write. Objects become child elements in key order, arrays become `<member>` children,
 * `XmlMap` becomes `<entry><key/><value/></entry>` children, undefined and null are left out.
 */
export type XmlValue =
  | string
  | number
  | boolean
  | Date
  | null
  | undefined
  | XmlMap
  | readonly XmlValue[]
  | { readonly [key: string]: XmlValue };

/** Marks a value as an AWS query map (GetAccountSummary's SummaryMap, say), which plain objects cannot express. */
export class XmlMap {
  readonly entries: ReadonlyArray<readonly [string, XmlValue]>;
  constructor(entries: Readonly<Record<string, XmlValue>> | ReadonlyArray<readonly [string, XmlValue]>) {
    this.entries = Array.isArray(entries)
      ? (entries as ReadonlyArray<readonly [string, XmlValue]>)
      : Object.entries(entries as Record<string, XmlValue>);
  }
}

export function xmlMap(entries: Readonly<Record<string, XmlValue>> | ReadonlyArray<readonly [string, XmlValue]>) {
  return new XmlMap(entries);
}

/**
 * Escapes text for element content and attribute values. Characters XML 1.0 cannot carry at all (most C0 controls,
 * lone surrogates) become U+FFFD rather than producing a document the SDKs' parsers reject. CR is written as a
 * character reference because parsers would otherwise normalise it away.
 */
export function xmlEscape(s: string): string {
  // eslint-disable-next-line no-control-regex -- finding the control characters XML forbids is the point
  return s.replace(/[&<>"'\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDFFF]/gu, (c) => {
    switch (c) {
      case "&":
        return "&amp;";
      case "<":
        return "&lt;";
      case ">":
        return "&gt;";
      case '"':
        return "&quot;";
      case "'":
        return "&apos;";
      case "\r":
        return "&#xD;";
      default:
        return "\uFFFD";
    }
  });
}

/** AWS writes timestamps as ISO 8601 UTC without milliseconds: `2026-01-01T00:00:00Z`. */
export function xmlDate(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function scalarText(value: string | number | boolean | Date): string {
  if (value instanceof Date) return xmlDate(value);
  if (typeof value === "number") {
    // NaN or Infinity would be a bug upstream; an SDK would fail to parse them as numbers anyway.
    if (!Number.isFinite(value)) throw new TypeError(`Cannot encode ${value} as an XML number`);
    return String(value);
  }
  if (typeof value === "boolean") return value ? "true" : "false";
  return xmlEscape(value);
}

function element(name: string, value: XmlValue): string {
  if (value === undefined || value === null) return "";
  return `<${name}>${content(value)}</${name}>`;
}

/** The inner XML of a value: text for scalars, child elements for structures, lists and maps. */
function content(value: XmlValue): string {
  if (value === undefined || value === null) return "";
  if (value instanceof XmlMap) {
    let out = "";
    for (const [key, v] of value.entries) {
      if (v === undefined || v === null) continue;
      out += `<entry><key>${xmlEscape(key)}</key>${element("value", v)}</entry>`;
    }
    return out;
  }
  if (Array.isArray(value)) {
    let out = "";
    for (const item of value as readonly XmlValue[]) {
      // A member with no value would shift every index after it, so it is written empty rather than skipped.
      out += item === undefined || item === null ? "<member></member>" : element("member", item);
    }
    return out;
  }
  if (typeof value === "object" && !(value instanceof Date)) {
    let out = "";
    for (const [key, v] of Object.entries(value as { readonly [key: string]: XmlValue })) out += element(key, v);
    return out;
  }
  return scalarText(value as string | number | boolean | Date);
}

/**
 * A success response: `<OpResponse xmlns=ns><OpResult>...</OpResult><ResponseMetadata>...</ResponseMetadata>`.
 * Operations with no output (DeleteUser) pass undefined and get no Result element, as AWS does.
 */
export function renderResponse(op: string, namespace: string, result: XmlValue | undefined, requestId: string): string {
  const body = result === undefined || result === null ? "" : `<${op}Result>${content(result)}</${op}Result>`;
  return (
    `${XML_DECLARATION}<${op}Response xmlns="${xmlEscape(namespace)}">${body}` +
    `<ResponseMetadata><RequestId>${xmlEscape(requestId)}</RequestId></ResponseMetadata></${op}Response>`
  );
}

/** The error envelope of the query protocol; Type is Sender for the caller's faults and Receiver for ours. */
export function renderError(err: AwsError, namespace: string, requestId: string): string {
  return (
    `${XML_DECLARATION}<ErrorResponse xmlns="${xmlEscape(namespace)}"><Error><Type>${err.type}</Type>` +
    `<Code>${xmlEscape(err.code)}</Code><Message>${xmlEscape(err.message)}</Message></Error>` +
    `<RequestId>${xmlEscape(requestId)}</RequestId></ErrorResponse>`
  );
}
