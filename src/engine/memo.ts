// A bounded memo for pure parsers of request values (dates, IP addresses) that recur from request to request.

/** Wraps a pure string parser with a cache that is dropped whole when full, so memory stays bounded. */
export function memoize<T>(parse: (s: string) => T, limit = 2048): (s: string) => T {
  const cache = new Map<string, T>();
  return (s) => {
    let v = cache.get(s);
    if (v === undefined && !cache.has(s)) {
      if (cache.size >= limit) cache.clear();
      v = parse(s);
      cache.set(s, v);
    }
    return v as T;
  };
}
