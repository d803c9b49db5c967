// Every response says how long it spent in the Worker and in D1 (Server-Timing), so clients can tell them from transport.
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { signedPost } from "./sdk";

/** The durations of a Server-Timing header, by metric name. */
function timings(header: string | null): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of (header ?? "").split(",")) {
    const m = /^\s*([a-z0-9]+);dur=(\d+)\s*$/.exec(part);
    if (m) out[m[1] as string] = Number(m[2]);
  }
  return out;
}

describe("Server-Timing", () => {
  it("reports the Worker's time and the part of it spent waiting on D1, on calls that read D1", async () => {
    const res = await signedPost("Action=ListUsers&Version=2010-05-08");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-d1-round-trips")).toBe("1");
    const t = timings(res.headers.get("server-timing"));
    expect(Object.keys(t).sort()).toEqual(["d1", "worker"]);
    expect(t.d1).toBeLessThanOrEqual(t.worker as number);
  });

  it("reports no D1 time for a request that never reaches D1", async () => {
    const res = await SELF.fetch("http://127.0.0.1:8787/", { method: "POST", body: "Action=ListUsers" });
    expect(res.status).toBe(403);
    expect(res.headers.get("x-d1-round-trips")).toBe("0");
    expect(timings(res.headers.get("server-timing")).d1).toBe(0);
  });
});
