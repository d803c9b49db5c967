// Which services and actions a set of permissions policies allows (from the action catalogue), and the service last-accessed report built from them and the recorded attempts. Pure: no I/O.
import { actionInfo, expandActions, serviceName } from "../simulator/action-index";

/** namespace -> (lower-cased action -> the action as the catalogue spells it, `iam:CreateUser`). */
export type AllowedActions = Map<string, Map<string, string>>;

interface Statement {
  Effect?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  Condition?: unknown;
}

const strings = (v: unknown): string[] =>
  typeof v === "string" ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];

function statementsOf(document: string): Statement[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch {
    return [];
  }
  const st = (parsed as { Statement?: unknown } | null)?.Statement;
  const list = Array.isArray(st) ? st : st === undefined ? [] : [st];
  return list.filter((s): s is Statement => typeof s === "object" && s !== null);
}

/** Catalogued actions a list of patterns names (unknown actions name no service AWS reports). */
function expand(patterns: string[]): string[] {
  return expandActions(patterns).actions.filter((a) => actionInfo(a) !== undefined);
}

let everyAction: string[] | undefined;
const allActions = () => (everyAction ??= expand(["*"]));

function namesOf(actions: string[]): Set<string> {
  return new Set(actions.map((a) => a.toLowerCase()));
}

/**
 * The actions the policies allow, by service. As AWS documents for last-accessed data, only permissions policy logic
 * applies: an Allow grants its actions (NotAction: every other action), whatever its resources and conditions; a
 * Deny that holds always (no condition, every resource) takes its actions away.
 */
export function allowedActions(documents: string[]): AllowedActions {
  const allowed = new Map<string, string>();
  const denies: Statement[] = [];
  for (const doc of documents) {
    for (const s of statementsOf(doc)) {
      if (s.Effect === "Deny") {
        denies.push(s);
        continue;
      }
      if (s.Effect !== "Allow") continue;
      if (s.Action !== undefined) {
        for (const a of expand(strings(s.Action))) allowed.set(a.toLowerCase(), a);
      } else if (s.NotAction !== undefined) {
        const not = namesOf(expand(strings(s.NotAction)));
        for (const a of allActions()) if (!not.has(a.toLowerCase())) allowed.set(a.toLowerCase(), a);
      }
    }
  }
  for (const s of denies) {
    if (s.Condition !== undefined || !strings(s.Resource).includes("*")) continue;
    if (s.Action !== undefined) {
      for (const a of expand(strings(s.Action))) allowed.delete(a.toLowerCase());
    } else if (s.NotAction !== undefined) {
      const kept = namesOf(expand(strings(s.NotAction)));
      for (const k of [...allowed.keys()]) if (!kept.has(k)) allowed.delete(k);
    }
  }
  const out: AllowedActions = new Map();
  for (const [lower, action] of allowed) {
    const ns = lower.slice(0, lower.indexOf(":"));
    let m = out.get(ns);
    if (!m) out.set(ns, (m = new Map()));
    m.set(lower, action);
  }
  return out;
}

/**
 * AWS reports action-level data for the management actions (create, delete, modify: every access level but Read
 * and List) of a few services: Amazon S3 first, then Amazon EC2, IAM and AWS Lambda (IAM User Guide, "IAM action
 * last accessed information services and actions").
 */
export const ACTION_LEVEL_SERVICES: ReadonlySet<string> = new Set(["ec2", "iam", "lambda", "s3"]);

export function isTrackedAction(action: string): boolean {
  const info = actionInfo(action);
  if (!info || !ACTION_LEVEL_SERVICES.has(action.slice(0, action.indexOf(":")).toLowerCase())) return false;
  return info.accessLevel !== "Read" && info.accessLevel !== "List";
}

/**
 * The service's name as reports show it: the catalogue's title without a trailing abbreviation in parentheses
 * (AWS's example names IAM "AWS Identity and Access Management").
 */
export function reportServiceName(namespace: string): string {
  const name = serviceName(namespace) ?? namespace;
  return name.replace(/\s+\([A-Z0-9]+\)$/, "");
}

/** One recorded attempt, as the store keeps it. */
export interface Attempt {
  entityId: string;
  entityArn: string;
  service: string;
  action: string;
  region: string;
  lastAt: number;
}

export interface TrackedAction {
  ActionName: string;
  LastAccessedEntity?: string;
  LastAccessedTime?: number;
  LastAccessedRegion?: string;
}

export interface ServiceReport {
  ServiceName: string;
  ServiceNamespace: string;
  LastAuthenticated?: number;
  LastAuthenticatedEntity?: string;
  LastAuthenticatedRegion?: string;
  TotalAuthenticatedEntities: number;
  TrackedActionsLastAccessed?: TrackedAction[];
}

const latest = (rows: Attempt[]): Attempt | undefined =>
  rows.reduce<Attempt | undefined>((best, r) => (best === undefined || r.lastAt > best.lastAt ? r : best), undefined);

/**
 * Every allowed service, ordered by namespace, with the last attempt of any of `entities` (by unique id) where one
 * was recorded; with `actionLevel`, the allowed tracked actions of the services AWS tracks actions for.
 */
export function buildServiceReport(
  allowed: AllowedActions,
  attempts: Attempt[],
  entities: ReadonlySet<string>,
  actionLevel: boolean,
): ServiceReport[] {
  const byService = new Map<string, Attempt[]>();
  for (const a of attempts) {
    if (!entities.has(a.entityId)) continue;
    const ns = a.service.toLowerCase();
    let list = byService.get(ns);
    if (!list) byService.set(ns, (list = []));
    list.push(a);
  }
  return [...allowed.keys()].sort().map((ns) => {
    const rows = byService.get(ns) ?? [];
    const last = latest(rows);
    const entry: ServiceReport = {
      ServiceName: reportServiceName(ns),
      ServiceNamespace: ns,
      TotalAuthenticatedEntities: new Set(rows.map((r) => r.entityId)).size,
    };
    if (last) {
      entry.LastAuthenticated = last.lastAt;
      entry.LastAuthenticatedEntity = last.entityArn;
      entry.LastAuthenticatedRegion = last.region;
    }
    if (actionLevel && ACTION_LEVEL_SERVICES.has(ns)) {
      const actions = [...(allowed.get(ns)?.values() ?? [])].filter(isTrackedAction);
      entry.TrackedActionsLastAccessed = actions
        .map((full) => full.slice(full.indexOf(":") + 1))
        .sort()
        .map((name) => {
          const hit = latest(rows.filter((r) => r.action.toLowerCase() === name.toLowerCase()));
          return hit
            ? {
                ActionName: name,
                LastAccessedEntity: hit.entityArn,
                LastAccessedTime: hit.lastAt,
                LastAccessedRegion: hit.region,
              }
            : { ActionName: name };
        });
    }
    return entry;
  });
}
