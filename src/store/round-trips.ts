// Counts D1 round trips per request (a statement run or a batch) and the time spent waiting on them, reported in the
// x-d1-round-trips and Server-Timing headers.
export interface RoundTripCounter {
  count: number;
  /** Milliseconds spent awaiting D1 (the Workers clock moves at I/O, so each wait is measured whole). */
  ms: number;
}

/** Counts one round trip and adds its duration once it settles, whatever the outcome. */
function timed<T>(counter: RoundTripCounter, run: () => Promise<T>): Promise<T> {
  counter.count++;
  const start = Date.now();
  return run().finally(() => {
    counter.ms += Date.now() - start;
  });
}

/** Proxies hide the real statements from D1's batch(), which only accepts its own objects, so keep the mapping. */
const realStatement = new WeakMap<object, D1PreparedStatement>();

function wrapStatement(stmt: D1PreparedStatement, counter: RoundTripCounter): D1PreparedStatement {
  const proxy = new Proxy(stmt, {
    get(target, prop) {
      if (prop === "bind") {
        return (...values: unknown[]) => wrapStatement(target.bind(...values), counter);
      }
      if (prop === "first" || prop === "run" || prop === "all" || prop === "raw") {
        const fn = target[prop] as (...a: unknown[]) => unknown;
        return (...args: unknown[]) => timed(counter, () => fn.apply(target, args) as Promise<unknown>);
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  realStatement.set(proxy, stmt);
  return proxy;
}

export function countRoundTrips(db: D1Database, counter: RoundTripCounter): D1Database {
  return new Proxy(db, {
    get(target, prop) {
      if (prop === "prepare") return (query: string) => wrapStatement(target.prepare(query), counter);
      if (prop === "batch") {
        return (statements: D1PreparedStatement[]) =>
          timed(counter, () => target.batch(statements.map((s) => realStatement.get(s) ?? s)));
      }
      if (prop === "exec") {
        return (query: string) => timed(counter, () => target.exec(query));
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
