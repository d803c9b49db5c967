// Paging of a resource's tags, shared by ListUserTags, ListRoleTags and ListPolicyTags.
import { decodeMarker, DEFAULT_MAX_ITEMS, toPage } from "./paging";

/** Tag lists are at most 50 long, so they are paged in memory after one query. */
export function pageOfTags(all: { Key: string; Value: string }[], marker?: string, maxItems?: number) {
  const after = decodeMarker(marker);
  const rest = after === undefined ? all : all.filter((t) => t.Key.toLowerCase() > after);
  const page = toPage(rest, maxItems ?? DEFAULT_MAX_ITEMS, (t) => t.Key.toLowerCase());
  return { Tags: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
}
