// GET /s/<id> (the page of a saved simulation), /s/<id>.json (its stored result) and /s/style.css; readable without credentials by whoever holds the link, with a strict CSP.
import { Hono, type Context } from "hono";
import type { AppEnv } from "../env";
import { kvLinkStore } from "../store/links";
import { linkPage, notFoundPage, STYLESHEET } from "../ui/link-page";

/** Nothing but the same-origin stylesheet may load; no script, frame, form target or base URL. */
export const PAGE_CSP =
  "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export const linkPages = new Hono<AppEnv>();

function secure(c: Context<AppEnv>): void {
  c.header("content-security-policy", PAGE_CSP);
  c.header("x-content-type-options", "nosniff");
  c.header("referrer-policy", "no-referrer");
  // A link is a capability: shared caches must not keep it.
  c.header("cache-control", "private, no-store");
}

linkPages.get("/style.css", (c) => {
  c.header("x-content-type-options", "nosniff");
  return c.body(STYLESHEET, 200, { "content-type": "text/css; charset=utf-8", "cache-control": "public, max-age=300" });
});

linkPages.get("/:file", async (c) => {
  secure(c);
  const file = c.req.param("file");
  const json = file.endsWith(".json");
  const id = json ? file.slice(0, -".json".length) : file;
  const saved = await kvLinkStore(c.env.KV).get(id);
  if (json) {
    if (!saved) return c.json({ error: { code: "NotFound", message: "No saved simulation has this id." } }, 404);
    return c.json(saved);
  }
  if (!saved) return c.html(notFoundPage(), 404);
  return c.html(linkPage(saved));
});
