// Marker/MaxItems pagination done in SQL: the marker is the opaque sort key of the last item returned.
import { AwsError } from "../aws/errors";

export const DEFAULT_MAX_ITEMS = 100;

/** Markers are base64url of the last sort key, so clients cannot mistake them for names. */
export function encodeMarker(key: string): string {
  const bytes = new TextEncoder().encode(key);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function decodeMarker(marker: string | undefined): string | undefined {
  if (marker === undefined) return undefined;
  try {
    const bin = atob(marker.replace(/-/g, "+").replace(/_/g, "/"));
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(
      Uint8Array.from(bin, (c) => c.charCodeAt(0)),
    );
  } catch {
    throw new AwsError("ValidationError", "Invalid Marker: the marker does not come from a previous response.");
  }
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
