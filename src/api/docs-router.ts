// GET /openapi.json (the /v1 OpenAPI 3.1 document) and GET /docs (a server-rendered, escaped reference page under the links' strict CSP, no external assets).
import { Hono } from "hono";
import { html } from "hono/html";
import type { AppEnv } from "../env";
import { PAGE_CSP } from "./link-pages";
import { openApiDocument, type RouteInfo } from "./openapi";

type Html = ReturnType<typeof html>;
type Doc = ReturnType<typeof openApiDocument>;

interface Op {
  summary: string;
  description: string;
  security?: unknown[];
  parameters?: { name: string }[];
  requestBody?: { content: { "application/json": { schema: unknown } } };
  responses: Record<string, { description: string; content?: { "application/json": { schema: unknown } } }>;
}

function operationHtml(path: string, method: string, op: Op, n: number): Html {
  const body = op.requestBody?.content["application/json"].schema;
  const ok = Object.entries(op.responses).find(([status]) => status !== "default");
  const okSchema = ok?.[1].content?.["application/json"].schema;
  return html`<section class="policy" id="op-${n}">
    <h2><code>${method.toUpperCase()} ${path}</code></h2>
    <p><strong>${op.summary}</strong></p>
    <p>${op.description}</p>
    <p class="meta">
      ${op.security?.length === 0 ? "No credentials: the id is a capability." : "Signed with SigV4 (service iam)."}
    </p>
    ${body !== undefined
      ? html`<details>
          <summary>Request body (JSON Schema)</summary>
          <pre><code>${JSON.stringify(body, null, 2)}</code></pre>
        </details>`
      : ""}
    ${ok
      ? html`<p>Answers <code>${ok[0]}</code>: ${ok[1].description}.</p>
          ${okSchema !== undefined
            ? html`<details>
                <summary>Response body (JSON Schema)</summary>
                <pre><code>${JSON.stringify(okSchema, null, 2)}</code></pre>
              </details>`
            : ""}`
      : ""}
  </section>`;
}

export function docsPage(doc: Doc): Html {
  const ops: [string, string, Op][] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) ops.push([path, method, op as Op]);
  }
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${doc.info.title}</title>
        <link rel="stylesheet" href="/s/style.css" />
      </head>
      <body>
        <header>
          <h1>${doc.info.title}</h1>
          <p class="meta">
            OpenAPI ${doc.openapi}; the machine-readable document is <a href="/openapi.json">/openapi.json</a>.
            ${doc.info.description}
          </p>
          <ul>
            ${ops.map(
              ([path, method], n) =>
                html`<li>
                  <a href="#op-${n}"><code>${method.toUpperCase()} ${path}</code></a>
                </li>`,
            )}
          </ul>
        </header>
        <main>${ops.map(([path, method, op], n) => operationHtml(path, method, op, n))}</main>
      </body>
    </html>`;
}

/** The routes are read when first asked for, so routers mounted after this one are listed too. */
export function docsRouter(routes: () => RouteInfo[]) {
  const router = new Hono<AppEnv>();
  let doc: Doc | undefined;
  const get = () => (doc ??= openApiDocument(routes()));
  router.get("/openapi.json", (c) => {
    c.header("cache-control", "public, max-age=300");
    c.header("x-content-type-options", "nosniff");
    return c.json(get());
  });
  router.get("/docs", (c) => {
    c.header("content-security-policy", PAGE_CSP);
    c.header("x-content-type-options", "nosniff");
    c.header("referrer-policy", "no-referrer");
    return c.html(docsPage(get()));
  });
  return router;
}
