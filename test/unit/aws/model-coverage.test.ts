// Every operation of the IAM and STS service models (read from ../shared at run time) is served or listed as not implemented.
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { NOT_IMPLEMENTED } from "../../../src/core/not-implemented.ts";

const HERE = dirname(fileURLToPath(import.meta.url));
const MODELS = resolve(HERE, "../../../../shared/aws-models");
const SERVICES = ["iam", "sts"] as const;
const MODELS_PRESENT = SERVICES.every((s) => existsSync(resolve(MODELS, `${s}.service-2.json`)));
if (!MODELS_PRESENT) console.log(`Model coverage checks skipped: ../shared is absent (looked in ${MODELS}).`);

interface OperationTable {
  operationNames(service: string): string[];
}

/**
 * The real operation table. The path is a variable so that the node project's typecheck does not follow it into
 * Worker-only modules; at run time vite loads it like any module (the generated catalogues make this take seconds).
 */
async function loadTable(): Promise<OperationTable> {
  const path = "../../../src/core/table.ts";
  return (await import(/* @vite-ignore */ path)) as OperationTable;
}

const modelOperations = (service: string): string[] =>
  Object.keys(
    (JSON.parse(readFileSync(resolve(MODELS, `${service}.service-2.json`), "utf8")) as { operations: object })
      .operations,
  );

describe.skipIf(!MODELS_PRESENT)("service model coverage", () => {
  for (const service of SERVICES) {
    it(`serves every ${service} operation or names why not, and names nothing it serves`, async () => {
      const served = new Set((await loadTable()).operationNames(service));
      const listed = NOT_IMPLEMENTED[service];
      const model = modelOperations(service);
      const missing = model.filter((op) => !served.has(op) && !Object.hasOwn(listed, op));
      expect(missing, `${service} operations neither in the table nor in NOT_IMPLEMENTED`).toEqual([]);
      // An entry left behind after the operation landed would make README's list wrong.
      const stale = Object.keys(listed).filter((op) => served.has(op) || !model.includes(op));
      expect(stale, `${service} NOT_IMPLEMENTED entries that are served or not in the model`).toEqual([]);
    }, 120_000);
  }
});
