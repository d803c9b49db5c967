// An OIDC issuer's signing keys: its discovery document's jwks_uri fetched, checked and kept in the isolate a while.
// Self-contained (fetch is passed in) so node's unit tests drive it with a local server or a stub.
import { isLocalHost } from "../aws/hosts.ts";
import { TokenError, type Jwk } from "./jwt.ts";

/** How long fetched keys are reused; a token signed with a key not yet seen refetches sooner (key rotation). */
export const JWKS_TTL_MS = 5 * 60 * 1000;
/** A kid missing from cached keys triggers a refetch only when the keys are at least this old, so junk kids cannot. */
const REFETCH_AFTER_MS = 30 * 1000;
const FETCH_TIMEOUT_MS = 5000;
/** Discovery documents and key sets are small; a larger answer is refused unread. */
const MAX_DOCUMENT_BYTES = 256 * 1024;
const CACHE_LIMIT = 256;

/** AWS's wording when the discovery document or the key set cannot be used. */
export const NO_VERIFICATION_KEY =
  "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements";

export type Fetcher = (url: string, init: RequestInit) => Promise<Response>;

/**
 * Whether the Worker may fetch this URL for a provider: https always; plain http only to a loopback host and only
 * when the request itself reached a local development server (AWS accepts https providers only; a local issuer is
 * how the tests serve keys without certificates, and a deployed Worker never fetches http).
 */
export function fetchableUrl(raw: string, localRequest: boolean): URL | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.username !== "" || url.password !== "") return null;
  if (url.protocol === "https:") return url;
  return url.protocol === "http:" && localRequest && isLocalHost(url.hostname) ? url : null;
}

interface Entry {
  keys: Jwk[];
  fetchedAt: number;
}

/** Per issuer, in this isolate; bounded so a stream of issuers cannot grow it. */
const cache = new Map<string, Entry>();

export function clearJwksCache(): void {
  cache.clear();
}

async function getJson(fetcher: Fetcher, url: URL): Promise<Record<string, unknown>> {
  let res: Response;
  try {
    res = await fetcher(url.toString(), {
      headers: { accept: "application/json" },
      redirect: "manual",
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
  } catch {
    throw new TokenError("IDPCommunicationError", "The identity provider could not be reached; try again.");
  }
  if (res.status >= 500) {
    throw new TokenError("IDPCommunicationError", "The identity provider could not be reached; try again.");
  }
  const declared = Number(res.headers.get("content-length") ?? "0");
  if (!res.ok || declared > MAX_DOCUMENT_BYTES) throw new TokenError("InvalidIdentityToken", NO_VERIFICATION_KEY);
  const text = await res.text();
  if (text.length > MAX_DOCUMENT_BYTES) throw new TokenError("InvalidIdentityToken", NO_VERIFICATION_KEY);
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Falls through to the refusal below.
  }
  throw new TokenError("InvalidIdentityToken", NO_VERIFICATION_KEY);
}

/** `<issuer>/.well-known/openid-configuration`, then its jwks_uri (held to the same URL rule as the issuer). */
async function fetchKeys(fetcher: Fetcher, issuer: string, localRequest: boolean): Promise<Jwk[]> {
  const discovery = fetchableUrl(`${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`, localRequest);
  if (!discovery) throw new TokenError("InvalidIdentityToken", NO_VERIFICATION_KEY);
  const config = await getJson(fetcher, discovery);
  const jwksUri = typeof config.jwks_uri === "string" ? fetchableUrl(config.jwks_uri, localRequest) : null;
  if (!jwksUri) throw new TokenError("InvalidIdentityToken", NO_VERIFICATION_KEY);
  const set = await getJson(fetcher, jwksUri);
  if (!Array.isArray(set.keys)) throw new TokenError("InvalidIdentityToken", NO_VERIFICATION_KEY);
  return set.keys.filter((k): k is Jwk => typeof k === "object" && k !== null && !Array.isArray(k));
}

/**
 * The issuer's keys, from the cache when fresh. `wantKid` names the key the token asks for: cached keys without it
 * are refetched once (the provider may have rotated), at most every REFETCH_AFTER_MS.
 */
export async function issuerKeys(
  fetcher: Fetcher,
  issuer: string,
  opts: { now: number; localRequest: boolean; wantKid?: string },
): Promise<Jwk[]> {
  // Local and deployed requests see different URL rules, so they never share an entry.
  const cacheKey = `${opts.localRequest ? "local" : "remote"} ${issuer}`;
  const hit = cache.get(cacheKey);
  const fresh = hit !== undefined && opts.now - hit.fetchedAt < JWKS_TTL_MS;
  const hasKid = opts.wantKid === undefined || hit?.keys.some((k) => k.kid === opts.wantKid) === true;
  if (hit && fresh && (hasKid || opts.now - hit.fetchedAt < REFETCH_AFTER_MS)) return hit.keys;
  const keys = await fetchKeys(fetcher, issuer, opts.localRequest);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(cacheKey, { keys, fetchedAt: opts.now });
  return keys;
}
