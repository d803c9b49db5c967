// Fails closed when a deployment still runs on the development secrets committed in wrangler.toml.
import { isLocalHost } from "../aws/hosts";
import type { MiddlewareHandler } from "hono";
import { AwsError } from "../aws/errors";
import type { AppEnv, Env } from "../env";

/**
 * The local defaults of wrangler.toml's [vars]. They are public (anyone who read the repository knows them), so a
 * deployment that still uses them lets anyone sign as root or decrypt the stored secret access keys.
 */
export const DEVELOPMENT_SECRETS = {
  ROOT_ACCESS_KEY_ID: "test",
  ROOT_SECRET_ACCESS_KEY: "test",
  SECRET_ENCRYPTION_KEY: "local-development-key-change-me-in-production",
} as const;

export type SecretName = keyof typeof DEVELOPMENT_SECRETS;

/** What the guard reads; the opt-out var is optional and deliberately absent from the committed configuration. */
export type GuardEnv = Partial<Pick<Env, SecretName>> & { ALLOW_DEVELOPMENT_SECRETS?: string };

/**
 * The secrets that still hold their committed development value (or are missing) on a request that is not local,
 * in wrangler.toml's order; empty when the deployment is safe to serve. `ALLOW_DEVELOPMENT_SECRETS="true"` opts out,
 * for a development server reached under another name (a container or a LAN address).
 */
export function developmentSecretsInUse(env: GuardEnv, url: URL): SecretName[] {
  if (env.ALLOW_DEVELOPMENT_SECRETS === "true" || isLocalHost(url.hostname)) return [];
  return (Object.keys(DEVELOPMENT_SECRETS) as SecretName[]).filter((name) => {
    const value = env[name];
    // A missing or empty secret is as unusable as the public default: root could not sign, keys could not decrypt.
    return value === undefined || value === "" || value === DEVELOPMENT_SECRETS[name];
  });
}

/** The error naming each secret to set, with the command that sets it. */
export function developmentSecretsError(names: readonly SecretName[]): AwsError {
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
  const commands = names.map((n) => `\`wrangler secret put ${n}\``).join(", ");
  return new AwsError(
    "ServiceUnavailable",
    `This deployment still uses the development value of ${list}; set ${names.length === 1 ? "it" : "them"} with ` +
      `${commands} (and remove the local defaults from [vars] in wrangler.toml). Every request is refused until then.`,
  );
}

/** Refuses every request of a deployment that runs on development secrets; local development servers pass. */
export const deploymentGuard: MiddlewareHandler<AppEnv> = async (c, next) => {
  const names = developmentSecretsInUse(c.env, new URL(c.req.url));
  if (names.length > 0) throw developmentSecretsError(names);
  await next();
};

export { isLocalHost };
