// Records each authenticated attempt (allowed or denied) for service last-accessed reports: after the response, at most once per (entity, action) per few minutes per isolate.
import { openDb } from "../store/db";
import { recordAccessRow, type AccessRow } from "../store/service-access";
import type { Services } from "./invoke";
import type { Operation } from "./operation";
import type { Principal } from "./principal";

/** A hot loop of one principal writes at most once per this interval per action (AWS reports within hours). */
export const ACCESS_RESOLUTION_MS = 5 * 60 * 1000;

/** How many (entity, action) pairs the isolate remembers before it starts over; forgetting only costs a write. */
const MAX_REMEMBERED = 10_000;

/** When each (account, entity, action) was last written from this isolate. */
const written = new Map<string, number>();

/** Writes started and not yet settled; tests await them (`settleAccessRecords`). */
const pending = new Set<Promise<unknown>>();

/**
 * Whose attempt it is, as AWS reports it: an IAM user, a role (its sessions count for the role), or the account's
 * root user (Organizations access reports count it). Federated users and anonymous callers are no IAM entity.
 */
function entityOf(p: Principal): { id: string; arn: string } | undefined {
  switch (p.kind) {
    case "user":
      return { id: p.id, arn: p.arn };
    case "assumed-role":
      return { id: p.session.roleId, arn: p.session.roleArn };
    case "root":
      return { id: p.accountId, arn: p.arn };
    default:
      return undefined;
  }
}

/**
 * Notes that `principal` attempted `op`. Called once the caller is authenticated and before authorization decides,
 * since AWS counts denied attempts too. Never awaited on the response path: the write goes to `waitUntil` on the
 * uncounted D1 binding, so it adds no round trip to the response.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any operation
export function recordAccess(op: Operation<any>, principal: Principal, services: Services): void {
  const entity = entityOf(principal);
  if (!entity) return;
  const action = op.action ?? `${op.service}:${op.name}`;
  const colon = action.indexOf(":");
  const service = action.slice(0, colon);
  const name = action.slice(colon + 1);
  const at = services.now.getTime();
  const key = `${principal.accountId}|${entity.id}|${service}|${name}`;
  const last = written.get(key);
  if (last !== undefined && at - last < ACCESS_RESOLUTION_MS && at >= last) return;
  if (written.size >= MAX_REMEMBERED) written.clear();
  written.set(key, at);
  const row: AccessRow = {
    accountId: principal.accountId,
    entityId: entity.id,
    entityArn: entity.arn,
    service,
    action: name,
    region: services.region,
    lastAt: at,
  };
  const write = recordAccessRow(openDb(services.env.DB), row).catch(() => {
    // A lost record only makes the report older; let the next attempt write again.
    if (written.get(key) === at) written.delete(key);
  });
  pending.add(write);
  void write.finally(() => pending.delete(write));
  services.waitUntil(write);
}

/** Resolves once every record started in this isolate is written (tests observe records deterministically). */
export async function settleAccessRecords(): Promise<void> {
  while (pending.size > 0) await Promise.allSettled([...pending]);
}
