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
  // Present in every signed request: whether the caller is an AWS service principal, and then its name.
  if (p.kind === "service") {
    out.push(["aws:principalisawsservice", "true"], ["aws:principalservicename", p.raw]);
  } else if (p.kind !== "anonymous") out.push(["aws:principalisawsservice", "false"]);
  return out;
}

export class RequestContext implements ConditionContext {
  private map: Map<string, string[]> | undefined;
  private absent: Map<string, string> | undefined;

  constructor(
    private readonly raw: Record<string, ContextValue> | undefined,
    private readonly principal: PrincipalInfo,
  ) {}

  private build(): Map<string, string[]> {
    const map = new Map<string, string[]>();
    const raw = this.raw;
    if (raw) for (const k in raw) map.set(k.toLowerCase(), toStrings(raw[k] as ContextValue));
    for (const [k, v] of derivedKeys(this.principal)) if (!map.has(k)) map.set(k, [v]);
    // The clock only arrives in the request: either time key gives the other.
    const current = map.get("aws:currenttime")?.[0];
    const epoch = map.get("aws:epochtime")?.[0];
    if (current !== undefined && epoch === undefined) {
      const ms = parseDateCached(current);
      if (!Number.isNaN(ms)) map.set("aws:epochtime", [String(Math.floor(ms / 1000))]);
    } else if (epoch !== undefined && current === undefined && /^\d+$/.test(epoch)) {
      map.set("aws:currenttime", [new Date(Number(epoch) * 1000).toISOString().replace(".000Z", "Z")]);
    }
    this.map = map;
    return map;
  }

  values(keyLower: string): readonly string[] | undefined {
    return (this.map ?? this.build()).get(keyLower);
  }

  /** Single value for a policy variable; multivalued keys cannot be variables. */
  single(keyLower: string): string | undefined {
    const v = (this.map ?? this.build()).get(keyLower);
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
