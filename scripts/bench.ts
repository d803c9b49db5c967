// `npm run bench [api|callers|simulate|engine|import|bundle]`: API latencies and round trips, /v1/simulate batches, engine decisions, bundle size.
import { runApiBench } from "./bench-api.ts";
import { runBundleBench } from "./bench-bundle.ts";
import { runCallersBench } from "./bench-callers.ts";
import { runEngineBench } from "./bench-engine.ts";
import { runImportBench } from "./bench-import.ts";
import { runSimulateBench } from "./bench-simulate.ts";

const only = process.argv[2];
if (only === undefined || only === "api") await runApiBench();
if (only === undefined || only === "callers") await runCallersBench();
if (only === undefined || only === "simulate") await runSimulateBench();
if (only === undefined || only === "engine") await runEngineBench();
if (only === undefined || only === "import") await runImportBench();
if (only === undefined || only === "bundle") runBundleBench();
