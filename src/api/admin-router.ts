// Dev-only administration: POST /_admin/reset wipes all state when the ALLOW_RESET var is "true" and root signs.
import { Hono } from "hono";
import { AwsError } from "../aws/errors";
import type { AppEnv } from "../env";
import { authenticate } from "../core/authenticate";
import { invalidateCredentials } from "../core/credential-cache";
import { wipeAllState } from "../store/wipe";
import { requestServices } from "./request-services";

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
  await wipeAllState(db, c.env.KV);
  invalidateCredentials();
  return c.json({ reset: true });
});
