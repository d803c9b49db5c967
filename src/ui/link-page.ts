// The page of a saved simulation: the grid, each cell's explanation (deciding type, matched statements with policy ids and lines, missing keys), the diff and the policies with line numbers. Every value goes through hono's html helper, which escapes it; no script.
import { html } from "hono/html";
import type { SavedSimulation } from "../store/links";
import type { Cell, CellDecision, CellStatement, ShownPolicy, WhatIfResult } from "../simulator/whatif";
import { cellDecision } from "../simulator/whatif";
import type { Decision } from "../engine/index";

type Html = ReturnType<typeof html>;

const LABEL: Record<string, string> = {
  Allowed: "allowed",
  ExplicitDeny: "explicit deny",
  ImplicitDeny: "implicit deny",
};
const CLASS: Record<string, string> = { Allowed: "allow", ExplicitDeny: "deny", ImplicitDeny: "implicit" };

/** Anchors are built from indexes, never from ids, so no stored text reaches an id or href attribute unescaped. */
const anchor = (principal: number, policy: number, line?: number) =>
  `p${principal}-${policy}${line === undefined ? "" : `-L${line}`}`;

function layout(title: string, body: Html): Html {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>${title}</title>
        <link rel="stylesheet" href="/s/style.css" />
      </head>
      <body>
        ${body}
      </body>
    </html>`;
}

/** Finds a policy shown on the page by the id a statement names: its index and display name. */
type PolicyLookup = (id: string) => { index: number; name: string };

function statementLine(s: CellStatement, lookup: PolicyLookup, p: number): Html {
  const { index: i, name } = lookup(s.policyId);
  const where =
    s.startLine !== undefined
      ? html`, lines
        ${s.startLine}–${s.endLine ?? s.startLine}${i >= 0
          ? html` (<a href="#${anchor(p, i, s.startLine)}">show</a>)`
          : ""}`
      : "";
  return html`<li class="${s.effect === "Deny" ? "deny" : "allow"}">
    ${s.effect} in <code>${name}</code> (${s.policyType})${s.sid !== undefined
      ? html`, Sid <code>${s.sid}</code>`
      : ""}${where}
  </li>`;
}

function explanation(d: CellDecision, lookup: PolicyLookup, p: number): Html {
  return html`<div class="why">
    <p>
      <strong>${LABEL[d.decision] ?? d.decision}</strong>${d.decidedBy !== null
        ? html`, decided by the <em>${d.decidedBy}</em> policies`
        : ""}
    </p>
    ${d.matched.length > 0
      ? html`<ul class="statements">
          ${d.matched.map((s) => statementLine(s, lookup, p))}
        </ul>`
      : html`<p>No statement matched.</p>`}
    ${d.missing.length > 0
      ? html`<p class="missing">
          Missing context keys: ${d.missing.map((k, n) => html`${n > 0 ? ", " : ""}<code>${k}</code>`)}
        </p>`
      : ""}
  </div>`;
}

function cellHtml(c: Cell, lookup: PolicyLookup, p: number): Html {
  const shown = c.after ?? c.before;
  const summary = c.after
    ? html`${LABEL[c.before.decision]} → ${LABEL[c.after.decision]}`
    : html`${LABEL[c.before.decision]}`;
  return html`<td class="${CLASS[shown.decision] ?? ""}${c.changed ? " changed" : ""}">
    <details>
      <summary>${summary}</summary>
      ${c.after
        ? html`<h4>Before</h4>
            ${explanation(c.before, lookup, p)}
            <h4>After</h4>
            ${explanation(c.after, lookup, p)}`
        : explanation(c.before, lookup, p)}
    </details>
  </td>`;
}

/** Lines that fall inside a statement some cell matched, per policy id, to highlight them. */
function hitLines(cells: Cell[]): Map<string, Set<number>> {
  const hits = new Map<string, Set<number>>();
  for (const c of cells) {
    for (const d of [c.before, c.after]) {
      for (const s of d?.matched ?? []) {
        if (s.startLine === undefined) continue;
        const set = hits.get(s.policyId) ?? new Set<number>();
        for (let l = s.startLine; l <= (s.endLine ?? s.startLine); l++) set.add(l);
        hits.set(s.policyId, set);
      }
    }
  }
  return hits;
}

function policyHtml(pol: ShownPolicy, p: number, i: number, hits: Set<number> | undefined): Html {
  const lines = pol.document.split("\n");
  return html`<section class="policy" id="${anchor(p, i)}">
    <h4><code>${pol.name}</code> <span class="type">${pol.type} · ${pol.id}</span></h4>
    <ol class="code">
      ${lines.map(
        (line, n) =>
          html`<li id="${anchor(p, i, n + 1)}" ${hits?.has(n + 1) ? html` class="hit"` : ""}><code>${line}</code></li>`,
      )}
    </ol>
  </section>`;
}

function whatIfBody(r: WhatIfResult): Html {
  return html`${r.diff.length > 0
    ? html`<h2>What changes</h2>
        <ul class="diff">
          ${r.diff.map(
            (d) =>
              html`<li class="${CLASS[d.after] ?? ""}">
                <code>${d.principal}</code>: <code>${d.action}</code> on <code>${d.resource}</code>
                ${d.after === "Allowed" ? "newly allowed" : "newly denied"} (was ${LABEL[d.before]}, now
                ${LABEL[d.after]})
              </li>`,
          )}
        </ul>`
    : html`<p class="nodiff">
        No decision differs${r.cells.some((c) => c.after) ? " after the proposed change" : ""}.
      </p>`}
  ${r.principals.map((principal, p) => {
    const cells = r.cells.filter((c) => c.principal === principal);
    const policies = r.policies[principal] ?? [];
    const lookup: PolicyLookup = (id) => {
      const index = policies.findIndex((x) => x.id === id);
      return { index, name: policies[index]?.name ?? id };
    };
    const hits = hitLines(cells);
    const at = (action: string, resource: string) => cells.find((c) => c.action === action && c.resource === resource);
    return html`<section class="principal">
      <h2>${principal}</h2>
      <table class="grid">
        <thead>
          <tr>
            <th>Action</th>
            ${r.resources.map((res) => html`<th><code>${res}</code></th>`)}
          </tr>
        </thead>
        <tbody>
          ${r.actions.map(
            (action) =>
              html`<tr>
                <th><code>${action}</code></th>
                ${r.resources.map((res) => {
                  const c = at(action, res);
                  return c ? cellHtml(c, lookup, p) : html`<td></td>`;
                })}
              </tr>`,
          )}
        </tbody>
      </table>
      <h3>Policies</h3>
      ${policies.map((pol, i) => policyHtml(pol, p, i, hits.get(pol.id)))}
    </section>`;
  })}`;
}

interface SimulateRequestShape {
  requests?: { principal: string; action: string; resource?: string }[];
}

function simulateBody(saved: SavedSimulation): Html {
  const requests = (saved.request as SimulateRequestShape).requests ?? [];
  const results = ((saved.result as { results?: Partial<Decision>[] }).results ?? []) as Partial<Decision>[];
  return html`<table class="grid">
    <thead>
      <tr>
        <th>Principal</th>
        <th>Action</th>
        <th>Resource</th>
        <th>Decision</th>
      </tr>
    </thead>
    <tbody>
      ${requests.map((q, n) => {
        const d = results[n];
        const full = d && d.matchedStatements ? cellDecision(d as Decision) : undefined;
        return html`<tr>
          <td><code>${q.principal}</code></td>
          <td><code>${q.action}</code></td>
          <td><code>${q.resource ?? "*"}</code></td>
          <td class="${CLASS[d?.decision ?? ""] ?? ""}">
            ${full
              ? html`<details>
                  <summary>${LABEL[full.decision]}</summary>
                  ${explanation(full, (id) => ({ index: -1, name: id }), 0)}
                </details>`
              : (LABEL[d?.decision ?? ""] ?? "")}
          </td>
        </tr>`;
      })}
    </tbody>
  </table>`;
}

export function linkPage(saved: SavedSimulation): Html {
  // /v1/simulations answers carry the what-if grid's shape, so both render as a grid.
  const grid = saved.kind === "whatif" || saved.kind === "simulation";
  const title = grid ? "What-if simulation" : "Policy simulation";
  const expires = saved.expiresAt ?? "90 days after it was made";
  return layout(
    title,
    html`<header>
        <h1>${title}</h1>
        <p class="meta">
          Ran ${saved.createdAt} by <code>${saved.createdBy}</code> against the state of account
          <code>${saved.accountId}</code>${saved.rerunOf !== undefined
            ? html`, re-running <a href="/s/${saved.rerunOf}">an earlier simulation</a>`
            : ""}.
        </p>
        <p class="capability">
          This link is a capability: anyone who holds it can read this page and its JSON without credentials, so share
          it only with people who may see these policies. It expires ${expires}; its creator can delete it sooner (<code
            >DELETE /v1/simulations/${saved.id}</code
          >, signed). Re-run it against the current state with <code>POST /v1/links/${saved.id}/rerun</code> (signed);
          the raw result is at <a href="/s/${saved.id}.json">${saved.id}.json</a>.
        </p>
      </header>
      <main>
        ${grid ? warnings((saved.result as WhatIfResult).warnings) : ""}
        ${grid ? whatIfBody(saved.result as WhatIfResult) : simulateBody(saved)}
      </main>`,
  );
}

function warnings(list: string[]): Html {
  if (list.length === 0) return html``;
  return html`<ul class="warnings">
    ${list.map((w) => html`<li>${w}</li>`)}
  </ul>`;
}

export function notFoundPage(): Html {
  return layout(
    "Simulation not found",
    html`<h1>Simulation not found</h1>
      <p>No saved simulation has this id, or it has expired.</p>`,
  );
}

export const STYLESHEET = `body{font:14px/1.45 system-ui,sans-serif;margin:1.5rem;color:#1b1b1b;background:#fafafa}
h1{margin:0 0 .3rem}code{font-family:ui-monospace,monospace;font-size:.92em}
.meta,.capability{color:#444;max-width:70rem}.capability{background:#fff6d6;padding:.5rem .75rem;border-radius:4px}
table.grid{border-collapse:collapse;margin:.5rem 0 1rem}table.grid th,table.grid td{border:1px solid #ccc;padding:.3rem .5rem;vertical-align:top;text-align:left}
td.allow{background:#dff3e0}td.deny{background:#f9d6d5}td.implicit{background:#eee}td.changed{outline:3px solid #d9822b;outline-offset:-3px}
summary{cursor:pointer;font-weight:600}.why{font-weight:normal;max-width:40rem}.statements li.deny{color:#8a1c1c}
.missing{color:#8a5a00}.warnings{color:#8a5a00}.diff li.allow{color:#17602a}.diff li.deny,.diff li.implicit{color:#8a1c1c}
.policy h4{margin:.8rem 0 .2rem}.policy .type{color:#666;font-weight:normal}
ol.code{background:#fff;border:1px solid #ddd;padding:.3rem .3rem .3rem 3rem;margin:0;overflow-x:auto}ol.code code{white-space:pre}
ol.code li.hit{background:#fff1a8}ol.code li:target{outline:2px solid #d9822b}`;
