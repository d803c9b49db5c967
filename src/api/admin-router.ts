// Dev-only administration: POST /_admin/reset wipes all state when the ALLOW_RESET var is "true" and root signs.
import { Hono } from "hono";
import { sql } from "drizzle-orm";
import { AwsError } from "../aws/errors";
import type { AppEnv } from "../env";
import { authenticate } from "../core/authenticate";
import { invalidateCredentials } from "../core/credential-cache";
import { requestServices } from "./request-services";

/** Children before parents, so foreign keys never block the wipe. */
const TABLES = [
  "org_attachments",
  "org_tags",
  "org_create_account_status",
  "org_policies",
  "org_accounts",
  "org_nodes",
  "org_organizations",
  "tags",
  "instance_profile_roles",
  "instance_profiles",
  "oidc_providers",
  "saml_providers",
  "mfa_devices",
  "ssh_public_keys",
  "server_certificates",
  "signing_certificates",
  "service_credentials",
  "role_deletion_tasks",
  "attachments",
  "inline_policies",
  "policy_versions",
  "policies",
  "login_profiles",
  "access_keys",
  "group_members",
  "groups",
  "roles",
  "users",
  "account_aliases",
  "accounts",
];

export const adminRouter = new Hono<AppEnv>();

adminRouter.post("/reset", async (c) => {
  if (c.env.ALLOW_RESET !== "true") throw new AwsError("NotFound", "Reset is disabled on this deployment.");
  const now = new Date();
  const services = requestServices(c, now, "us-east-1");
  const db = services.db;
  const body = new Uint8Array(await c.req.arrayBuffer());
  const { principal } = await authenticate(
    services,
    { method: "POST", url: new URL(c.req.url), headers: c.req.raw.headers, body },
    now,
    services.waitUntil,
  );
  // An AssumeRoot session is only as strong as its task policy, which grants no reset.
  if (principal.kind !== "root" || principal.assumedRoot) {
    throw new AwsError("AccessDenied", "Only the root user may reset the simulator.");
  }
  await db.batch(TABLES.map((t) => db.run(sql.raw(`DELETE FROM "${t}"`))) as [ReturnType<typeof db.run>]);
  let cursor: string | undefined;
  do {
    const page = await c.env.KV.list({ cursor });
    await Promise.all(page.keys.map((k) => c.env.KV.delete(k.name)));
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  invalidateCredentials();
  return c.json({ reset: true });
});
