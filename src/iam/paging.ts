// Marker/MaxItems pagination done in SQL: the marker is the opaque sort key of the last item returned.
import { AwsError } from "../aws/errors";

export const DEFAULT_MAX_ITEMS = 100;

/**
 * Every marker this service hands out starts with this tag, so a marker that did not come from a previous response
 * (a name, a token from elsewhere) is refused rather than read as a position.
 */
const MARKER_TAG = "iam1|";

/** The refusal of a Marker that no previous response handed out. */
export const invalidMarker = () =>
  new AwsError("ValidationError", "Invalid Marker: the marker does not come from a previous response.");

/** Markers are base64url of a tag and the last sort key, so clients cannot mistake them for names. */
export function encodeMarker(key: string): string {
  const bytes = new TextEncoder().encode(MARKER_TAG + key);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function decodeMarker(marker: string | undefined): string | undefined {
  if (marker === undefined) return undefined;
  let text: string;
  try {
    const bin = atob(marker.replace(/-/g, "+").replace(/_/g, "/"));
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(
      Uint8Array.from(bin, (c) => c.charCodeAt(0)),
    );
  } catch {
    throw invalidMarker();
  }
  if (!text.startsWith(MARKER_TAG)) throw invalidMarker();
  return text.slice(MARKER_TAG.length);
}

export interface Page<T> {
  items: T[];
  IsTruncated: boolean;
  Marker?: string;
}

/** Takes rows fetched with LIMIT maxItems + 1 and turns the extra row into IsTruncated and a Marker. */
export function toPage<T>(rows: T[], maxItems: number, keyOf: (row: T) => string): Page<T> {
  if (rows.length <= maxItems) return { items: rows, IsTruncated: false };
  const items = rows.slice(0, maxItems);
  const last = items[items.length - 1];
  return { items, IsTruncated: true, Marker: last === undefined ? undefined : encodeMarker(keyOf(last)) };
}
