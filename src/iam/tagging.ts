// Paging of a resource's tags, shared by the List*Tags calls.
import { decodeMarker, DEFAULT_MAX_ITEMS, toPage } from "./paging";

/**
 * Tag lists are at most 50 long, so they are sorted and paged in memory after one query. AWS documents List*Tags as
 * "sorted by tag key" (https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListRoleTags.html), while the store
 * reads tags in the order they were added (what Get* answers carry). Keys are unique case-insensitively, so the
 * lower-cased key both sorts and marks the page.
 */
export function pageOfTags(tags: { Key: string; Value: string }[], marker?: string, maxItems?: number) {
  const sortKey = (t: { Key: string }) => t.Key.toLowerCase();
  const all = [...tags].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
  const after = decodeMarker(marker);
  const rest = after === undefined ? all : all.filter((t) => sortKey(t) > after);
  const page = toPage(rest, maxItems ?? DEFAULT_MAX_ITEMS, sortKey);
  return { Tags: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
}
