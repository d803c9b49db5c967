// An isolate-local cache of resolved long-term access keys, so a signed call by an IAM user skips the key lookup.
import type { UserPrincipal } from "./principal";

export interface CachedKey {
  principal: UserPrincipal;
  secret: string;
  /** When the key's last use was last recorded (epoch ms), to record it at most once per interval. */
  lastUsedAt: number | null;
}

interface Entry {
  value: CachedKey;
  storedAt: number;
}

/**
 * Another isolate may change a key or its user without this one hearing of it; AWS documents IAM changes as
 * eventually consistent, and this bounds how long such a change can take to be seen here.
 */
const TTL_MS = 30_000;
const MAX_ENTRIES = 2048;

let generation = 0;
const entries = new Map<string, Entry>();

/** What a credential write touched: one key, or every key of one user. */
type Touched = { accessKeyId: string } | { accountId: string; userName: string };

/**
 * Operations that change what a key resolves to (status, owner's name or path, existence), and which entries that
 * touches; other keys stay remembered.
 */
const CREDENTIAL_WRITES: Readonly<Record<string, (input: Record<string, unknown>, accountId: string) => Touched>> = {
  "iam:UpdateAccessKey": (i) => ({ accessKeyId: String(i.AccessKeyId) }),
  "iam:DeleteAccessKey": (i) => ({ accessKeyId: String(i.AccessKeyId) }),
  "iam:DeleteUser": (i, accountId) => ({ accountId, userName: String(i.UserName) }),
  "iam:UpdateUser": (i, accountId) => ({ accountId, userName: String(i.UserName) }),
};

/** Forgets what a successful credential write may have changed (nothing for other operations). */
export function credentialWriteDone(action: string, input: unknown, accountId: string): void {
  if (!Object.hasOwn(CREDENTIAL_WRITES, action)) return;
  const touched = CREDENTIAL_WRITES[action]?.(input as Record<string, unknown>, accountId);
  // Lookups in flight started before this write: the generation makes them drop what they read.
  generation++;
  if (touched === undefined) return entries.clear();
  if ("accessKeyId" in touched) {
    entries.delete(touched.accessKeyId);
    return;
  }
  const name = touched.userName.toLowerCase();
  for (const [id, entry] of entries) {
    const p = entry.value.principal;
    if (p.accountId === touched.accountId && p.name.toLowerCase() === name) entries.delete(id);
  }
}

/** The generation a lookup started in: a result is kept only if no credential write happened meanwhile. */
export function credentialGeneration(): number {
  return generation;
}

export function cachedKey(accessKeyId: string, now: number): CachedKey | undefined {
  const entry = entries.get(accessKeyId);
  if (entry === undefined) return undefined;
  if (now - entry.storedAt > TTL_MS) {
    entries.delete(accessKeyId);
    return undefined;
  }
  return entry.value;
}

export function rememberKey(accessKeyId: string, value: CachedKey, startedIn: number, now: number): void {
  if (startedIn !== generation) return;
  if (entries.size >= MAX_ENTRIES) entries.clear();
  entries.set(accessKeyId, { value, storedAt: now });
}

/** Called after every successful credential write in this isolate, and by the dev-only reset. */
export function invalidateCredentials(): void {
  generation++;
  entries.clear();
}
