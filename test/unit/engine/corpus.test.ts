// Runs the JSON case corpus (test/cases/*.json): each file is validated by a strict schema and becomes a describe.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { compilePolicySet, evaluate } from "../../../src/engine/index.ts";
import type { PolicySetInput } from "../../../src/engine/index.ts";

const CASES_DIR = join(import.meta.dirname, "../../cases");

const source = z.strictObject({
  id: z.string().optional(),
  document: z.union([z.string(), z.record(z.string(), z.unknown())]),
});
const scalar = z.union([z.string(), z.number(), z.boolean()]);
const decision = z.enum(["Allowed", "ExplicitDeny", "ImplicitDeny"]);

const caseSchema = z.strictObject({
  name: z.string().min(1),
  policies: z.strictObject({
    identity: z.array(source),
    boundary: source.optional(),
    scps: z.array(z.array(source)).optional(),
    rcps: z.array(z.array(source)).optional(),
    resource: source.optional(),
    resourceAccount: z.string().optional(),
    session: z.array(source).optional(),
  }),
  request: z.strictObject({
    principal: z.string(),
    action: z.string(),
    resource: z.string(),
    context: z.record(z.string(), z.union([scalar, z.array(scalar)])).optional(),
  }),
  expected: z.strictObject({
    decision,
    decidedBy: z.enum(["identity", "boundary", "scp", "rcp", "resource", "session"]).nullable().optional(),
    missingContextKeys: z.array(z.string()).optional(),
  }),
});

const fileSchema = z.strictObject({
  topic: z.string(),
  description: z.string(),
  cases: z.array(caseSchema).min(1),
});

const files = readdirSync(CASES_DIR)
  .filter((f) => f.endsWith(".json"))
  .sort();

describe("case corpus", () => {
  it("has the expected topics", () => {
    expect(files.length).toBeGreaterThanOrEqual(15);
  });
});

for (const file of files) {
  const parsed = fileSchema.safeParse(JSON.parse(readFileSync(join(CASES_DIR, file), "utf8")));
  describe(file, () => {
    if (!parsed.success) {
      it("matches the case schema", () => {
        expect.fail(z.prettifyError(parsed.error));
      });
      return;
    }
    for (const c of parsed.data.cases) {
      it(c.name, () => {
        const decision = evaluate(compilePolicySet(c.policies as PolicySetInput), c.request);
        expect(decision.decision).toBe(c.expected.decision);
        if (c.expected.decidedBy !== undefined) expect(decision.decidedBy).toBe(c.expected.decidedBy);
        if (c.expected.missingContextKeys !== undefined) {
          expect([...decision.missingContextKeys].sort()).toEqual([...c.expected.missingContextKeys].sort());
        }
      });
    }
  });
}
