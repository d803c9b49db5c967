// Counts D1 round trips per request (a statement run or a batch), reported in the x-d1-round-trips header.
export interface RoundTripCounter {
  count: number;
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
        return (...args: unknown[]) => {
          counter.count++;
          return fn.apply(target, args);
        };
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
        return (statements: D1PreparedStatement[]) => {
          counter.count++;
          return target.batch(statements.map((s) => realStatement.get(s) ?? s));
        };
      }
      if (prop === "exec") {
        return (query: string) => {
          counter.count++;
          return target.exec(query);
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
