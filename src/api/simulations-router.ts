// /v1/simulations: POST runs and saves a grid (signed, authorized like SimulatePrincipalPolicy/SimulateCustomPolicy), GET returns a saved one to whoever holds its id, DELETE lets its creator remove it; JSON errors.
import { Hono, type Context } from "hono";
import { AwsError } from "../aws/errors";
import { authorize } from "../core/authorize";
import type { AppEnv } from "../env";
import { saveSimulation } from "../simulator/saved";
import { simulationRequest, type SimulationRequest } from "../simulator/simulation-request";
import { gridShape, runSimulationGrid, simulationResponse, type SimulationGrid } from "../simulator/simulations";
import { kvLinkStore, LINK_TTL_SECONDS, type SavedSimulation } from "../store/links";
import { asAwsError } from "./errors";
import { shapeError, signedJson } from "./whatif-router";

type Signed = Awaited<ReturnType<typeof signedJson>>;

export const simulationsRouter = new Hono<AppEnv>();

const STORED = /^arn:aws(?:-[a-z]+(?:-[a-z])?)?:iam::\d{12}:(user|group|role)\//;
const SESSION = /^arn:(aws(?:-[a-z]+(?:-[a-z])?)?):sts::(\d{12}):assumed-role\/([^/]+)\//;

/** A stored principal is simulated under iam:SimulatePrincipalPolicy on it; anything else is a custom simulation. */
async function authorizeSimulation(s: Signed, req: SimulationRequest): Promise<void> {
  const p = req.principal;
  let target: string | undefined;
  if (req.policies === undefined && typeof p === "string") {
    const session = SESSION.exec(p);
    if (STORED.test(p)) target = p;
    else if (session) target = `arn:${session[1]}:iam::${session[2]}:role/${session[3]}`;
  }
  await authorize(s.services.db, s.principal, s.services, {
    action: target ? "iam:SimulatePrincipalPolicy" : "iam:SimulateCustomPolicy",
    target: target ?? "*",
  });
}

function parse(raw: unknown): SimulationRequest {
  const parsed = simulationRequest.safeParse(raw);
  if (!parsed.success) throw shapeError(parsed.error);
  return parsed.data;
}

const expiresOf = (saved: SavedSimulation) =>
  saved.expiresAt ?? new Date(Date.parse(saved.createdAt) + LINK_TTL_SECONDS * 1000).toISOString();

function answer(c: Context<AppEnv>, saved: SavedSimulation) {
  return simulationResponse(saved.result as SimulationGrid, {
    id: saved.id,
    link: `${new URL(c.req.url).origin}/s/${saved.id}`,
    expiresAt: expiresOf(saved),
    createdAt: saved.createdAt,
    createdBy: saved.createdBy,
  });
}

/** Runs, then stores: a refused or failing request stores nothing. */
async function run(c: Context<AppEnv>, s: Signed, req: SimulationRequest, rerunOf?: string) {
  gridShape(req); // the limit before any D1 read
  await authorizeSimulation(s, req);
  const grid = await runSimulationGrid(s.services.db, req, s.principal.accountId);
  const store = kvLinkStore(c.env.KV);
  const origin = new URL(c.req.url).origin;
  const link = await saveSimulation(
    store,
    origin,
    s.principal,
    "simulation",
    req,
    grid,
    s.now,
    rerunOf,
    req.expiresInDays,
  );
  return simulationResponse(grid, {
    id: link.id,
    link: link.url,
    expiresAt: link.expiresAt,
    createdAt: s.now.toISOString(),
    createdBy: s.principal.arn,
  });
}

/** A re-run of a saved simulation against the current state; the cells whose decision moved since. */
export async function rerunSimulation(c: Context<AppEnv>, s: Signed, saved: SavedSimulation) {
  const out = await run(c, s, parse(saved.request), saved.id);
  const old = new Map((saved.result as SimulationGrid).cells.map((x) => [`${x.action}|${x.resource}`, x]));
  const changedSinceSaved = out.results
    .filter((r) => old.get(`${r.action}|${r.resource}`)?.[r.before ? "after" : "before"]?.decision !== r.decision)
    .map((r) => ({ action: r.action, resource: r.resource }));
  return { ...out, rerunOf: saved.id, changedSinceSaved };
}

simulationsRouter.post("/simulations", async (c) => {
  const s = await signedJson(c);
  return c.json(await run(c, s, parse(s.parsed)));
});

// A link is a capability: whoever holds the id may read it, as the page at /s/<id> shows it.
simulationsRouter.get("/simulations/:id", async (c) => {
  const saved = await kvLinkStore(c.env.KV).get(c.req.param("id"));
  if (!saved || saved.kind !== "simulation") {
    throw new AwsError("NotFound", "No saved simulation has this id, or it has expired.");
  }
  c.header("cache-control", "private, no-store");
  return c.json(answer(c, saved));
});

simulationsRouter.post("/simulations/:id/rerun", async (c) => {
  const s = await signedJson(c);
  const saved = await kvLinkStore(c.env.KV).get(c.req.param("id"));
  if (!saved || saved.kind !== "simulation") {
    throw new AwsError("NotFound", "No saved simulation has this id, or it has expired.");
  }
  return c.json(await rerunSimulation(c, s, saved));
});

simulationsRouter.delete("/simulations/:id", async (c) => {
  const s = await signedJson(c);
  const store = kvLinkStore(c.env.KV);
  const saved = await store.get(c.req.param("id"));
  if (!saved) throw new AwsError("NotFound", "No saved simulation has this id, or it has expired.");
  // Only the principal that created a link may delete it; holding the link grants reading, not deleting.
  if (saved.createdBy !== s.principal.arn) {
    throw new AwsError("AccessDenied", `User: ${s.principal.arn} is not the creator of simulation ${saved.id}.`);
  }
  await store.delete(saved.id);
  return c.body(null, 204);
});

simulationsRouter.onError((err, c) => {
  const id = c.get("requestId");
  const known = asAwsError(err, id);
  return c.json({ error: { code: known.code, message: known.message }, requestId: id }, known.status as 400);
});
