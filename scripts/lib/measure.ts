// Measuring helpers shared by the benchmarks: medians and the wall time of one root-signed POST.
import { signRequest } from "../../src/aws/sigv4.ts";

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

/** Signs as the default root user (outside the timing), POSTs, reads the whole answer; throws unless it is a 200. */
export async function timedSignedPost(target: URL, contentType: string, body: string): Promise<number> {
  const headers = await signRequest({
    method: "POST",
    url: target,
    headers: { "content-type": contentType },
    body,
    accessKeyId: "test",
    secret: "test",
    region: "us-east-1",
    service: "iam",
    now: new Date(),
  });
  const t0 = performance.now();
  const res = await fetch(target, { method: "POST", headers, body });
  await res.arrayBuffer();
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(`${target.pathname} answered ${res.status} to ${body.slice(0, 80)}`);
  return ms;
}
