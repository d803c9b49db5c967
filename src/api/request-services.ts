// The per-request services every router hands to the core: D1 counting round trips, the KV session store, facts.
import type { Context } from "hono";
import type { Services } from "../core/invoke";
import type { AppEnv } from "../env";
import { isLocalHost } from "../aws/hosts";
import { openDb } from "../store/db";
import { countRoundTrips } from "../store/round-trips";
import { kvSessionStore } from "../store/sessions";

export function requestServices(c: Context<AppEnv>, now: Date, region: string): Services {
  const url = new URL(c.req.url);
  return {
    env: c.env,
    db: openDb(countRoundTrips(c.env.DB, c.get("roundTrips"))),
    sessions: kvSessionStore(c.env.KV),
    requestId: c.get("requestId"),
    now,
    region,
    sourceIp: c.req.header("cf-connecting-ip"),
    secureTransport: url.protocol === "https:",
    localRequest: isLocalHost(url.hostname),
    origin: url.origin,
    waitUntil: (p) => c.executionCtx.waitUntil(p),
  };
}
