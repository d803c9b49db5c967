// Snapshots larger than one request body arrive in numbered parts, held in KV for an hour until the last one comes.
import { AwsError } from "../aws/errors";

const PREFIX = "import-upload:";
const TTL_SECONDS = 3600;
/** Sixteen parts of at most 8 MiB: far beyond the largest account AWS's quotas allow. */
export const MAX_PARTS = 16;
const UPLOAD_ID = /^[A-Za-z0-9_-]{16,64}$/;

export interface PartRef {
  accountId: string;
  upload: string;
  part: number;
  of: number;
}

/** Parses `upload`, `part` and `of` strictly; a bad value is the caller's ValidationError. */
export function partRef(accountId: string, params: URLSearchParams): PartRef | undefined {
  const upload = params.get("upload");
  if (upload === null) return undefined;
  const part = params.get("part") ?? "";
  const of = params.get("of") ?? "";
  if (!UPLOAD_ID.test(upload) || !/^\d{1,2}$/.test(part) || !/^\d{1,2}$/.test(of)) {
    throw new AwsError(
      "ValidationError",
      "A chunked import names upload (16 to 64 of [A-Za-z0-9_-]), part (1 to of) and of (1 to 16).",
    );
  }
  const ref = { accountId, upload, part: Number(part), of: Number(of) };
  if (ref.of < 1 || ref.of > MAX_PARTS || ref.part < 1 || ref.part > ref.of) {
    throw new AwsError("ValidationError", `part must be 1 to of, and of 1 to ${MAX_PARTS}.`);
  }
  return ref;
}

const key = (r: { accountId: string; upload: string }, part: number) => `${PREFIX}${r.accountId}:${r.upload}:${part}`;

/**
 * Keeps one part; on the last one (part = of) returns the whole body, every earlier part required, and forgets the
 * parts. Parts are scoped by the uploader's account, so another account cannot complete or read someone's upload.
 */
export async function receivePart(kv: KVNamespace, ref: PartRef, body: Uint8Array): Promise<Uint8Array | undefined> {
  if (ref.part < ref.of) {
    await kv.put(key(ref, ref.part), body, { expirationTtl: TTL_SECONDS });
    return undefined;
  }
  const earlier: Uint8Array[] = [];
  for (let p = 1; p < ref.of; p++) {
    const stored = await kv.get(key(ref, p), "arrayBuffer");
    if (stored === null) throw new AwsError("ValidationError", `Part ${p} of upload ${ref.upload} has not arrived.`);
    earlier.push(new Uint8Array(stored));
  }
  const parts = [...earlier, body];
  const whole = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    whole.set(p, at);
    at += p.byteLength;
  }
  await Promise.all(earlier.map((_, i) => kv.delete(key(ref, i + 1))));
  return whole;
}
