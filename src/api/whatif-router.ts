// The /v1 what-if and link endpoints: POST /v1/whatif (a grid before/after a proposed change, saved behind a link) and POST /v1/links/:id/rerun; signed and authorized through the core, JSON errors.
import { Hono, type Context } from "hono";
import type { z } from "zod";
import { AwsError } from "../aws/errors";
import { authenticate } from "../core/authenticate";
import { authorize } from "../core/authorize";
import type { Principal } from "../core/principal";
import type { AppEnv } from "../env";
import { runSimulation } from "../simulator/custom";
import { saveSimulation } from "../simulator/saved";
import { runWhatIf, whatIfRequest, type WhatIfRequest, type WhatIfResult } from "../simulator/whatif";
import { kvLinkStore } from "../store/links";
import { rerunSimulation } from "./simulations-router";
import { asAwsError } from "./errors";
import { readBody } from "./query-router";
import { requestServices } from "./request-services";

const MAX_WHATIF_BODY_BYTES = 1024 * 1024;

export const whatIfRouter = new Hono<AppEnv>();

/** Reads and authenticates a signed JSON request, as /v1/simulate does. */
export async function signedJson(c: Context<AppEnv>) {
  const now = new Date();
  const body = await readBody(c, MAX_WHATIF_BODY_BYTES);
  const services = requestServices(c, now, "us-east-1");
  const { principal, auth } = await authenticate(
    services,
    { method: c.req.method, url: new URL(c.req.url), headers: c.req.raw.headers, body },
    now,
    services.waitUntil,
  );
  c.set("principal", principal);
  let parsed: unknown = undefined;
  if (body.byteLength > 0) {
    try {
      parsed = JSON.parse(new TextDecoder().decode(body));
    } catch {
      throw new AwsError("ValidationError", "The request body is not valid JSON.");
    }
  }
  return { services: { ...services, region: auth.region }, principal, parsed, now };
}

export function shapeError(error: z.ZodError): AwsError {
  const issue = error.issues[0];
  const path = issue?.path.map(String).join(".") || "body";
  return new AwsError("ValidationError", `Invalid request body at ${path}: ${issue?.message ?? "invalid"}`);
}

/** Every principal of the grid must be one the caller may simulate, as SimulatePrincipalPolicy requires. */
async function authorizeWhatIf(s: Awaited<ReturnType<typeof signedJson>>, req: WhatIfRequest) {
  for (const arn of req.principals) {
    await authorize(s.services.db, s.principal, s.services, { action: "iam:SimulatePrincipalPolicy", target: arn });
  }
}

async function whatIf(c: Context<AppEnv>, s: Awaited<ReturnType<typeof signedJson>>, raw: unknown, rerunOf?: string) {
  const parsed = whatIfRequest.safeParse(raw);
  if (!parsed.success) throw shapeError(parsed.error);
  await authorizeWhatIf(s, parsed.data);
  const result: WhatIfResult = await runWhatIf(s.services.db, parsed.data);
  const link = await save(c, s.principal, "whatif", parsed.data, result, s.now, rerunOf);
  return { ...link, ...result };
}

function save(
  c: Context<AppEnv>,
  principal: Principal,
  kind: "whatif" | "simulate",
  request: unknown,
  result: unknown,
  now: Date,
  rerunOf?: string,
) {
  const origin = new URL(c.req.url).origin;
  return saveSimulation(kvLinkStore(c.env.KV), origin, principal, kind, request, result, now, rerunOf);
}

whatIfRouter.post("/whatif", async (c) => {
  const s = await signedJson(c);
  return c.json(await whatIf(c, s, s.parsed));
});

/** Saves a /v1/simulate answer when its body asked for it ("save": true); the simulate router calls this. */
export async function saveSimulateResult(c: Context<AppEnv>, principal: Principal, request: unknown, result: unknown) {
  return save(c, principal, "simulate", request, result, new Date());
}

whatIfRouter.post("/links/:id/rerun", async (c) => {
  const s = await signedJson(c);
  const saved = await kvLinkStore(c.env.KV).get(c.req.param("id"));
  if (!saved) throw new AwsError("NotFound", "No saved simulation has this id, or it has expired.");
  if (saved.kind === "simulation") return c.json(await rerunSimulation(c, s, saved));
  if (saved.kind === "whatif") {
    const out = await whatIf(c, s, saved.request, saved.id);
    // What changed since the saved run, cell by cell (the state may have changed, not only the proposal).
    const previous = saved.result as WhatIfResult;
    const old = new Map(previous.cells.map((x) => [`${x.principal}|${x.action}|${x.resource}`, x]));
    const changedSinceSaved = out.cells
      .filter((x) => {
        const o = old.get(`${x.principal}|${x.action}|${x.resource}`);
        return o === undefined || o.before.decision !== x.before.decision || o.after?.decision !== x.after?.decision;
      })
      .map((x) => ({ principal: x.principal, action: x.action, resource: x.resource }));
    return c.json({ ...out, rerunOf: saved.id, changedSinceSaved });
  }
  await authorize(s.services.db, s.principal, s.services, { action: "iam:SimulateCustomPolicy", target: "*" });
  const result = runSimulation(saved.request);
  const link = await save(c, s.principal, "simulate", saved.request, result, s.now, saved.id);
  return c.json({ ...link, ...result, rerunOf: saved.id });
});

whatIfRouter.onError((err, c) => {
  const id = c.get("requestId");
  const known = asAwsError(err, id);
  return c.json({ error: { code: known.code, message: known.message }, requestId: id }, known.status as 400);
});
