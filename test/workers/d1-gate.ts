// Holds chosen D1 calls of the Worker under test until the test lets them go, so a race's losing order runs every time.
import { env } from "cloudflare:workers";

/** A hold on the D1 calls whose SQL matches a pattern. */
export interface Gate {
  /** Resolves once `count` matching calls are waiting: each request has done every read before that write. */
  reached: Promise<void>;
  /** Lets the held calls (and any later match) run. */
  release: () => void;
}

interface Hold {
  pattern: RegExp;
  left: number;
  waiting: number;
  released: boolean;
}

const holds: Hold[] = [];
/** D1's batch() only accepts its own statements, so each proxy is mapped back to the statement it wraps. */
const realStatement = new WeakMap<object, D1PreparedStatement>();
const sqlOf = new WeakMap<object, string>();

/** Waits if one of `queries` is the next a hold still takes; resolves at once otherwise. */
async function pass(queries: string[]): Promise<void> {
  const hold = holds.find((h) => h.left > 0 && queries.some((q) => h.pattern.test(q)));
  if (!hold) return;
  hold.left--;
  hold.waiting++;
  await until(() => hold.released);
}

/**
 * Resolves once `ready()` holds, looking every millisecond. Each side polls in its own request rather than awaiting
 * a promise the other settles: workerd does not always resume a request for a promise another request resolved.
 */
async function until(ready: () => boolean): Promise<void> {
  while (!ready()) await new Promise((resolve) => setTimeout(resolve, 1));
}

function wrapStatement(stmt: D1PreparedStatement, query: string): D1PreparedStatement {
  const proxy = new Proxy(stmt, {
    get(target, prop) {
      if (prop === "bind") return (...values: unknown[]) => wrapStatement(target.bind(...values), query);
      if (prop === "first" || prop === "run" || prop === "all" || prop === "raw") {
        const fn = target[prop] as (...a: unknown[]) => unknown;
        return async (...args: unknown[]) => {
          await pass([query]);
          return fn.apply(target, args);
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  realStatement.set(proxy, stmt);
  sqlOf.set(proxy, query);
  return proxy;
}

function gated(db: D1Database): D1Database {
  return new Proxy(db, {
    get(target, prop) {
      if (prop === "prepare") return (query: string) => wrapStatement(target.prepare(query), query);
      if (prop === "batch") {
        return async (statements: D1PreparedStatement[]) => {
          await pass(statements.map((s) => sqlOf.get(s) ?? ""));
          return target.batch(statements.map((s) => realStatement.get(s) ?? s));
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** Puts the gate in front of the Worker's D1 binding (the test and the Worker share `env`); returns the undo. */
export function installGate(): () => void {
  const real = env.DB;
  Object.defineProperty(env, "DB", { value: gated(real), configurable: true, writable: true });
  return () => {
    for (const h of holds.splice(0)) h.released = true;
    Object.defineProperty(env, "DB", { value: real, configurable: true, writable: true });
  };
}

/** Holds the next `count` D1 calls (a statement or a batch) with a statement matching `pattern`. */
export function hold(pattern: RegExp, count = 1): Gate {
  const h: Hold = { pattern, left: count, waiting: 0, released: false };
  holds.push(h);
  return {
    reached: until(() => h.waiting >= count),
    release: () => {
      h.left = 0;
      h.released = true;
      const at = holds.indexOf(h);
      if (at >= 0) holds.splice(at, 1);
    },
  };
}
