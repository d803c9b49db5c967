// Saved simulations behind shareable links, in KV under unguessable ids: a narrow store interface and its KV implementation.

/** What a link holds: the request as given, the answer, and when and by whom it was made. */
export interface SavedSimulation {
  kind: "whatif" | "simulate";
  id: string;
  createdAt: string;
  /** The ARN of the caller who created it (shown on the page; no credentials are ever stored). */
  createdBy: string;
  accountId: string;
  request: unknown;
  result: unknown;
  /** The link this one re-ran, when it is a re-run. */
  rerunOf?: string;
}

export interface LinkStore {
  put(saved: SavedSimulation): Promise<void>;
  get(id: string): Promise<SavedSimulation | null>;
}

/** Links expire after 90 days, as the issue asks by default. */
export const LINK_TTL_SECONDS = 90 * 24 * 3600;

/** Ids come from linkId(): 32 base64url characters; anything else is not looked up at all. */
export const LINK_ID = /^[A-Za-z0-9_-]{32}$/;

const key = (id: string) => `link:${id}`;

export function kvLinkStore(kv: KVNamespace, ttlSeconds = LINK_TTL_SECONDS): LinkStore {
  return {
    async put(saved) {
      await kv.put(key(saved.id), JSON.stringify(saved), { expirationTtl: ttlSeconds });
    },
    async get(id) {
      if (!LINK_ID.test(id)) return null;
      return kv.get<SavedSimulation>(key(id), "json");
    },
  };
}
