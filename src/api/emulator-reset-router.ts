// POST /moto-api/reset: the unsigned reset that AWS SDK test suites written for in-memory emulators call between tests.
import { Hono } from "hono";
import { isLocalHost } from "../aws/hosts";
import { invalidateCredentials } from "../core/credential-cache";
import type { AppEnv } from "../env";
import { openDb } from "../store/db";
import { wipeAllState } from "../store/wipe";

/**
 * Test suites that run in "server mode" against an emulator POST here, unsigned, before each test. Served only when
 * ALLOW_RESET is true and only to requests addressed to this machine (localhost or loopback): a deployment never
 * has it, whatever its vars say.
 */
export const emulatorResetRouter = new Hono<AppEnv>();

emulatorResetRouter.post("/reset", async (c) => {
  if (c.env.ALLOW_RESET !== "true" || !isLocalHost(new URL(c.req.url).hostname)) return c.notFound();
  await wipeAllState(openDb(c.env.DB), c.env.KV);
  invalidateCredentials();
  return c.json({ status: "ok" });
});
