// POST /v1/simulate: the JSON policy simulator, authenticated and authorized like every other call.
import { Hono } from "hono";
import { AwsError } from "../aws/errors";
import type { AppEnv } from "../env";
import { runSimulation } from "../simulator/custom";
import { requestDb } from "./request-db";
import { authenticate } from "./authenticate";
import { authorize } from "./authorize";

/** 10,000 requests with their contexts fit comfortably; anything larger is refused before parsing. */
const MAX_SIMULATE_BODY_BYTES = 8 * 1024 * 1024;

export const simulateRouter = new Hono<AppEnv>();

simulateRouter.post("/simulate", async (c) => {
  const now = new Date();
  const declared = Number(c.req.header("content-length") ?? "0");
  const tooLarge = () =>
    new AwsError("RequestEntityTooLarge", `Request body exceeds the maximum of ${MAX_SIMULATE_BODY_BYTES} bytes.`);
  if (declared > MAX_SIMULATE_BODY_BYTES) throw tooLarge();
  const body = new Uint8Array(await c.req.arrayBuffer());
  if (body.byteLength > MAX_SIMULATE_BODY_BYTES) throw tooLarge();

  const db = requestDb(c);
  const url = new URL(c.req.url);
  const { caller, auth } = await authenticate(
    c.env,
    db,
    { method: "POST", url, headers: c.req.raw.headers, body },
    now,
    (p) => c.executionCtx.waitUntil(p),
  );
  c.set("caller", caller);
  await authorize(db, caller, { action: "iam:SimulateCustomPolicy", resource: "*", now, region: auth.region });

  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(body));
  } catch {
    throw new AwsError("ValidationError", "The request body is not valid JSON.");
  }
  return c.json(runSimulation(parsed));
});
