// Saving a simulation's answer behind a link: an unguessable id, the KV record, and the absolute URL of its page.
import { linkId } from "../aws/ids";
import type { Principal } from "../core/principal";
import { LINK_TTL_SECONDS, type LinkStore, type SavedSimulation } from "../store/links";

export interface SavedLink {
  id: string;
  url: string;
  expiresAt: string;
}

/** Stores the request and result; `origin` is the request's own, so the URL points back at this deployment. */
export async function saveSimulation(
  store: LinkStore,
  origin: string,
  principal: Principal,
  kind: SavedSimulation["kind"],
  request: unknown,
  result: unknown,
  now: Date,
  rerunOf?: string,
  expiresInDays?: number,
): Promise<SavedLink> {
  const id = linkId();
  const expiresAt = new Date(now.getTime() + (expiresInDays ?? LINK_TTL_SECONDS / 86_400) * 86_400_000).toISOString();
  await store.put({
    kind,
    id,
    createdAt: now.toISOString(),
    createdBy: principal.arn,
    accountId: principal.accountId,
    request,
    result,
    ...(rerunOf !== undefined ? { rerunOf } : {}),
    expiresAt,
  });
  return { id, url: `${origin}/s/${id}`, expiresAt };
}
