// Whether a host name is this machine: the one rule for "local development" (deployment guard, loopback OIDC issuers).

/**
 * Whether the request reached a development server on this machine: `wrangler dev` and the tests use localhost or
 * a loopback address. A deployed Worker only sees the host names its routes serve (Cloudflare routes on the Host
 * header), so a client cannot make a deployed Worker believe it is local.
 */
export function isLocalHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  return (
    host === "localhost" ||
    host.endsWith(".localhost") ||
    host === "[::1]" ||
    /^127\.(?:\d{1,3})\.(?:\d{1,3})\.(?:\d{1,3})$/.test(host)
  );
}
