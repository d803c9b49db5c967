// `npm run bench`: the API benchmark against wrangler dev, then the policy engine benchmark.
import { runApiBench } from "./bench-api.ts";
import { runEngineBench } from "./bench-engine.ts";

const only = process.argv[2];
if (only === undefined || only === "api") await runApiBench();
if (only === undefined || only === "engine") await runEngineBench();
