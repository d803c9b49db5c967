// A Worker for the engine bench's fresh-isolate probe: compiles and decides once, timed across awaited KV reads.
//
// workerd's clock stands still while JavaScript runs and moves on at I/O, so each timed step is closed by an
// awaited KV read; the probe also times a step doing nothing but that read, and the bench subtracts it.
import { compilePolicySet, evaluate } from "../../src/engine/index.ts";
import type { EvalRequest } from "../../src/engine/index.ts";
import { readOnlySet, roleSet } from "./engine-sets.ts";

interface Env {
  KV: { get(key: string): Promise<string | null> };
}

export default {
  async fetch(_request: Request, env: Env): Promise<Response> {
    const readOnly = readOnlySet().set;
    const { set, requests } = roleSet();
    const tick = async (): Promise<number> => {
      await env.KV.get("tick");
      return Date.now();
    };
    const decide = (compiled: ReturnType<typeof compilePolicySet>, n: number): void => {
      for (let i = 0; i < n; i++) evaluate(compiled, requests[i % requests.length] as EvalRequest);
    };
    const t0 = await tick();
    const t1 = await tick();
    compilePolicySet(readOnly);
    const t2 = await tick();
    const role = compilePolicySet(set);
    const t3 = await tick();
    decide(role, 1000);
    const t4 = await tick();
    for (let w = 0; w < 10; w++) decide(role, 10_000);
    const t5 = await tick();
    decide(role, 20_000);
    const t6 = await tick();
    return Response.json({ read: t1 - t0, compile: t2 - t1, roleCompile: t3 - t2, first: t4 - t3, steady: t6 - t5 });
  },
};
