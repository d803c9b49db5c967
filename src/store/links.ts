// Saved simulations behind shareable links, in KV under unguessable ids: a narrow store interface and its KV implementation.

/** What a link holds: the request as given, the answer, and when and by whom it was made. */
export interface SavedSimulation {
  kind: "whatif" | "simulate" | "simulation";
  id: string;
  createdAt: string;
  /** The ARN of the caller who created it (shown on the page; no credentials are ever stored). */
  createdBy: string;
  accountId: string;
  request: unknown;
  result: unknown;
  /** The link this one re-ran, when it is a re-run. */
  rerunOf?: string;
  /** When KV drops it (absent on links saved before expiry became configurable: 90 days after createdAt). */
  expiresAt?: string;
}

export interface LinkStore {
  /** Stores with the record's own expiry (expiresAt) when it has one, else the store's default. */
  put(saved: SavedSimulation): Promise<void>;
  get(id: string): Promise<SavedSimulation | null>;
  delete(id: string): Promise<void>;
}

/** Links expire after 90 days unless the request that made them asked otherwise. */
export const LINK_TTL_SECONDS = 90 * 24 * 3600;

/** Ids come from linkId(): 32 base64url characters; anything else is not looked up at all. */
export const LINK_ID = /^[A-Za-z0-9_-]{32}$/;

const key = (id: string) => `link:${id}`;

/**
 * Records are gzipped: a 10,000-cell grid with its explanations is ~17 MB of very repetitive JSON, and KV refuses
 * values over 25 MiB; compressed it is well under 1 MB. Records saved before compression are plain JSON text.
 */
interface LinkMeta {
  encoding?: "gzip";
}

async function gzip(text: string): Promise<ArrayBuffer> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Response(stream).arrayBuffer();
}

async function gunzip(data: ArrayBuffer): Promise<string> {
  const stream = new Blob([data]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Response(stream).text();
}

export function kvLinkStore(kv: KVNamespace, ttlSeconds = LINK_TTL_SECONDS): LinkStore {
  return {
    async put(saved) {
      const own = saved.expiresAt ? Math.round((Date.parse(saved.expiresAt) - Date.parse(saved.createdAt)) / 1000) : 0;
      // KV refuses a TTL under 60 seconds; a record's own expiry is days, so the floor never shortens a link.
      const meta: LinkMeta = { encoding: "gzip" };
      await kv.put(key(saved.id), await gzip(JSON.stringify(saved)), {
        expirationTtl: own >= 60 ? own : ttlSeconds,
        metadata: meta,
      });
    },
    async delete(id) {
      if (LINK_ID.test(id)) await kv.delete(key(id));
    },
    async get(id) {
      if (!LINK_ID.test(id)) return null;
      const { value, metadata } = await kv.getWithMetadata<LinkMeta>(key(id), "arrayBuffer");
      if (value === null) return null;
      const text = metadata?.encoding === "gzip" ? await gunzip(value) : new TextDecoder().decode(value);
      return JSON.parse(text) as SavedSimulation;
    },
  };
}
