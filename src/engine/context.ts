// The request context: keys looked up case-insensitively, values as strings, principal keys derived when absent.
import type { ConditionContext } from "./conditions/index.ts";
import { parseDateCached } from "./conditions/numeric.ts";
import type { PrincipalInfo } from "./principal.ts";
import type { ContextValue } from "./types.ts";

const PRINCIPAL_TYPE: Partial<Record<PrincipalInfo["kind"], string>> = {
  root: "Account",
  user: "User",
  role: "AssumedRole",
  "assumed-role": "AssumedRole",
  "federated-user": "FederatedUser",
  anonymous: "Anonymous",
};

function toStrings(v: ContextValue): string[] {
  if (Array.isArray(v)) return v.map(String);
  return [String(v)];
}

/** Keys derivable from the principal ARN, as AWS documents them per principal type. */
export function derivedKeys(p: PrincipalInfo): readonly [string, string][] {
  let keys = derivedCache.get(p);
  if (keys === undefined) {
    keys = computeDerivedKeys(p);
    derivedCache.set(p, keys);
  }
  return keys;
}

/** Principals are parsed once and cached, so their derived keys can be too. */
const derivedCache = new WeakMap<PrincipalInfo, readonly [string, string][]>();

function computeDerivedKeys(p: PrincipalInfo): [string, string][] {
  const out: [string, string][] = [];
  if (p.principalArn && p.kind !== "anonymous" && p.kind !== "service") out.push(["aws:principalarn", p.principalArn]);
  if (p.account) out.push(["aws:principalaccount", p.account]);
  const type = PRINCIPAL_TYPE[p.kind];
  if (type) out.push(["aws:principaltype", type]);
  if (p.kind === "user" && p.name) out.push(["aws:username", p.name]);
  if (p.kind === "root" && p.account) out.push(["aws:userid", p.account]);
  if (p.kind === "federated-user" && p.account && p.name) out.push(["aws:userid", `${p.account}:${p.name}`]);
  // AWS documents aws:userid "anonymous" for unauthenticated callers (S3, SNS and SQS accept them).
  if (p.kind === "anonymous") out.push(["aws:userid", "anonymous"]);
  // Present in every signed request: whether the caller is an AWS service principal, and then its name.
  if (p.kind === "service") {
    out.push(["aws:principalisawsservice", "true"], ["aws:principalservicename", p.raw]);
  } else if (p.kind !== "anonymous") out.push(["aws:principalisawsservice", "false"]);
  return out;
}

/** The derived keys as a lookup table of one-value lists, built once per (cached) principal; first spelling wins. */
const derivedTables = new WeakMap<PrincipalInfo, ReadonlyMap<string, readonly string[]>>();

function derivedTable(p: PrincipalInfo): ReadonlyMap<string, readonly string[]> {
  let table = derivedTables.get(p);
  if (table === undefined) {
    const map = new Map<string, readonly string[]>();
    for (const [k, v] of derivedKeys(p)) if (!map.has(k)) map.set(k, [v]);
    derivedTables.set(p, map);
    table = map;
  }
  return table;
}

/** Lower-cased context keys by their spelling: requests of a batch repeat the same few keys. Bounded. */
const lowerKeys = new Map<string, string>();
const LOWER_KEYS_LIMIT = 4096;

function lowerKey(k: string): string {
  let lower = lowerKeys.get(k);
  if (lower === undefined) {
    lower = k.toLowerCase();
    if (lowerKeys.size >= LOWER_KEYS_LIMIT) lowerKeys.clear();
    lowerKeys.set(k, lower);
  }
  return lower;
}

/** What a request without context keys builds: nothing, so every such request shares it (never written to). */
const NO_KEYS: ReadonlyMap<string, readonly string[]> = new Map();

export class RequestContext implements ConditionContext {
  /** The request's own keys; a key found here hides the principal-derived one. */
  private map: ReadonlyMap<string, readonly string[]> | undefined;
  private readonly derived: ReadonlyMap<string, readonly string[]>;
  private absent: Map<string, string> | undefined;

  constructor(
    private readonly raw: Record<string, ContextValue> | undefined,
    principal: PrincipalInfo,
  ) {
    this.derived = derivedTable(principal);
  }

  private build(): ReadonlyMap<string, readonly string[]> {
    const raw = this.raw;
    let map: Map<string, readonly string[]> | undefined;
    if (raw) for (const k in raw) (map ??= new Map()).set(lowerKey(k), toStrings(raw[k] as ContextValue));
    if (map === undefined) return (this.map = NO_KEYS);
    // The clock only arrives in the request: either time key gives the other. (No principal key is a time key.)
    const current = map.get("aws:currenttime")?.[0];
    const epoch = map.get("aws:epochtime")?.[0];
    if (current !== undefined && epoch === undefined) {
      const ms = parseDateCached(current);
      if (!Number.isNaN(ms)) map.set("aws:epochtime", [String(Math.floor(ms / 1000))]);
    } else if (epoch !== undefined && current === undefined && /^\d+$/.test(epoch)) {
      const date = new Date(Number(epoch) * 1000);
      // Beyond Date's range toISOString throws; such an epoch gives no CurrentTime rather than failing the request.
      if (!Number.isNaN(date.getTime())) map.set("aws:currenttime", [date.toISOString().replace(".000Z", "Z")]);
    }
    this.map = map;
    return map;
  }

  values(keyLower: string): readonly string[] | undefined {
    return (this.map ?? this.build()).get(keyLower) ?? this.derived.get(keyLower);
  }

  /** Single value for a policy variable; multivalued keys cannot be variables. */
  single(keyLower: string): string | undefined {
    const v = this.values(keyLower);
    return v !== undefined && v.length === 1 ? v[0] : undefined;
  }

  /** Records a key a statement tested that the request did not supply (first spelling wins). */
  missing(key: string): void {
    const lower = key.toLowerCase();
    this.absent ??= new Map();
    if (!this.absent.has(lower)) this.absent.set(lower, key);
  }

  missingKeys(): string[] {
    return this.absent ? [...this.absent.values()] : [];
  }
}
