// The Hono app: request id, routers mounted in order (each renders its own errors), and a last-resort safety net.
import { Hono } from "hono";
import { requestId } from "./aws/ids";
import { IAM_NS, renderError } from "./aws/xml";
import type { AppEnv } from "./env";
import { asAwsError } from "./api/errors";
import { queryRouter } from "./api/query-router";
import { jsonRouter } from "./api/json-router";
import { adminRouter } from "./api/admin-router";
import { emulatorResetRouter } from "./api/emulator-reset-router";
import { simulateRouter } from "./api/simulate-router";
import { whatIfRouter } from "./api/whatif-router";
import { simulationsRouter } from "./api/simulations-router";
import { importRouter } from "./api/import-router";
import { linkPages } from "./api/link-pages";
import { docsRouter } from "./api/docs-router";
import { deploymentGuard } from "./api/deployment-guard";
import { outboundIssuerRouter } from "./api/outbound-issuer-router";

export function createApp() {
  const app = new Hono<AppEnv>();

  app.use(async (c, next) => {
    const start = Date.now();
    const trips = { count: 0, ms: 0 };
    c.set("requestId", requestId());
    c.set("service", "iam");
    c.set("roundTrips", trips);
    await next();
    c.header("x-amzn-RequestId", c.get("requestId"));
    c.header("x-d1-round-trips", String(trips.count));
    // Time in the Worker and in D1 (1 ms resolution: the Workers clock moves at I/O), so a client can tell them apart
    // from the transport; `npm run bench callers` reads it.
    c.header("server-timing", `worker;dur=${Date.now() - start}, d1;dur=${trips.ms}`);
  });
  app.use(deploymentGuard); // refuses every call of a deployment still on wrangler.toml's development secrets

  app.route("/_admin", adminRouter);
  app.route("/moto-api", emulatorResetRouter); // the unsigned reset emulator test suites call (dev and local only)
  app.route("/v1", simulateRouter);
  app.route("/v1", whatIfRouter);
  app.route("/v1", simulationsRouter);
  app.route("/v1", importRouter);
  app.route("/s", linkPages);
  app.route(
    "/",
    docsRouter(() => app.routes),
  ); // /openapi.json and /docs list the /v1 routes mounted above
  app.route("/", outboundIssuerRouter); // the public OIDC issuers of outbound web identity federation
  app.route("/", jsonRouter); // awsJson (X-Amz-Target) first; it passes every other request on
  app.route("/", queryRouter);

  app.notFound((c) => c.text("Not Found", 404));

  // Only errors outside the routers (middleware) land here; AWS's XML envelope, never internals.
  app.onError((err, c) => {
    const id = c.get("requestId") ?? requestId();
    const known = asAwsError(err, id);
    return c.body(renderError(known, IAM_NS, id), known.status as 400, {
      "content-type": "text/xml",
      "x-amzn-RequestId": id,
    });
  });

  return app;
}

/** The Worker's fetch: whatever escapes Hono (a thrown non-Error value) still becomes AWS's InternalFailure. */
export function createWorker() {
  const app = createApp();
  return {
    async fetch(request: Request, env: AppEnv["Bindings"], ctx: ExecutionContext): Promise<Response> {
      try {
        return await app.fetch(request, env, ctx);
      } catch (err) {
        const id = requestId();
        const known = asAwsError(err, id);
        return new Response(renderError(known, IAM_NS, id), {
          status: known.status,
          headers: { "content-type": "text/xml", "x-amzn-RequestId": id },
        });
      }
    },
  };
}
