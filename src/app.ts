// The Hono app: request id, routers mounted in order, and the one error handler that writes AWS error envelopes.
import { Hono } from "hono";
import { AwsError } from "./aws/errors";
import { requestId } from "./aws/ids";
import { renderError } from "./aws/xml";
import type { AppEnv } from "./env";
import { NAMESPACES, queryRouter } from "./api/query-router";
import { adminRouter } from "./api/admin-router";
import { simulateRouter } from "./api/simulate-router";
import { deploymentGuard } from "./api/deployment-guard";

export function createApp() {
  const app = new Hono<AppEnv>();

  app.use(async (c, next) => {
    c.set("requestId", requestId());
    c.set("service", "iam");
    c.set("roundTrips", { count: 0 });
    await next();
    c.header("x-amzn-RequestId", c.get("requestId"));
    c.header("x-d1-round-trips", String(c.get("roundTrips").count));
  });
  app.use(deploymentGuard); // refuses every call of a deployment still on wrangler.toml's development secrets

  app.route("/_admin", adminRouter);
  app.route("/v1", simulateRouter);
  app.route("/", queryRouter);

  app.notFound((c) => c.text("Not Found", 404));

  app.onError((err, c) => {
    const id = c.get("requestId") ?? requestId();
    const known =
      err instanceof AwsError
        ? err
        : // Anything unexpected is our fault: AWS's ServiceFailure, with no internals leaked to the caller.
          new AwsError("ServiceFailure", "An internal error occurred; the request was not completed.");
    if (!(err instanceof AwsError))
      console.error("unhandled error", id, err instanceof Error ? err.stack : String(err));
    if (new URL(c.req.url).pathname.startsWith("/v1/")) {
      // The JSON API answers in JSON; the code and status are the same AWS ones the query API uses.
      return c.json({ error: { code: known.code, message: known.message }, requestId: id }, known.status as 400);
    }
    const xml = renderError(known, NAMESPACES[c.get("service") ?? "iam"], id);
    return c.body(xml, known.status as 400, { "content-type": "text/xml", "x-amzn-RequestId": id });
  });

  return app;
}
