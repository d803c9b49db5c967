// The per-request Drizzle handle, over a D1 binding that counts round trips for the x-d1-round-trips header.
import type { Context } from "hono";
import type { AppEnv } from "../env";
import { openDb, type Db } from "../store/db";
import { countRoundTrips } from "../store/round-trips";

export function requestDb(c: Context<AppEnv>): Db {
  return openDb(countRoundTrips(c.env.DB, c.get("roundTrips")));
}
