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

export function kvLinkStore(kv: KVNamespace, ttlSeconds = LINK_TTL_SECONDS): LinkStore {
  return {
    async put(saved) {
      const own = saved.expiresAt ? Math.round((Date.parse(saved.expiresAt) - Date.parse(saved.createdAt)) / 1000) : 0;
      // KV refuses a TTL under 60 seconds; a record's own expiry is days, so the floor never shortens a link.
      await kv.put(key(saved.id), JSON.stringify(saved), { expirationTtl: own >= 60 ? own : ttlSeconds });
    },
    async delete(id) {
      if (LINK_ID.test(id)) await kv.delete(key(id));
    },
    async get(id) {
      if (!LINK_ID.test(id)) return null;
      return kv.get<SavedSimulation>(key(id), "json");
    },
  };
}
