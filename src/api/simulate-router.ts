// The /v1 JSON API (POST /v1/simulate): authenticated and authorized through the core like every other call; JSON errors.
import { Hono } from "hono";
import { AwsError } from "../aws/errors";
import { authenticate } from "../core/authenticate";
import { authorize } from "../core/authorize";
import type { AppEnv } from "../env";
import { runSimulation } from "../simulator/custom";
import { asAwsError } from "./errors";
import { readBody } from "./query-router";
import { requestServices } from "./request-services";
import { saveSimulateResult } from "./whatif-router";

/** 10,000 requests with their contexts fit comfortably; anything larger is refused before parsing. */
const MAX_SIMULATE_BODY_BYTES = 8 * 1024 * 1024;

export const simulateRouter = new Hono<AppEnv>();

simulateRouter.post("/simulate", async (c) => {
  const now = new Date();
  const body = await readBody(c, MAX_SIMULATE_BODY_BYTES);
  const services = requestServices(c, now, "us-east-1");
  const url = new URL(c.req.url);
  const { principal, auth } = await authenticate(
    services,
    { method: "POST", url, headers: c.req.raw.headers, body },
    now,
    services.waitUntil,
  );
  c.set("principal", principal);
  await authorize(
    services.db,
    principal,
    { ...services, region: auth.region },
    {
      action: "iam:SimulateCustomPolicy",
      target: "*",
    },
  );

  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(body));
  } catch {
    throw new AwsError("ValidationError", "The request body is not valid JSON.");
  }
  // "save": true keeps the answer behind a shareable link; the simulation itself never sees the flag.
  const save = typeof parsed === "object" && parsed !== null && (parsed as { save?: unknown }).save === true;
  if (save) delete (parsed as { save?: unknown }).save;
  const result = runSimulation(parsed);
  return c.json(save ? { ...(await saveSimulateResult(c, principal, parsed, result)), ...result } : result);
});

// The JSON API answers in JSON; the code and status are the same AWS ones the query API uses.
simulateRouter.onError((err, c) => {
  const id = c.get("requestId");
  const known = asAwsError(err, id);
  return c.json({ error: { code: known.code, message: known.message }, requestId: id }, known.status as 400);
});
