// A least-recently-used map bounded by the total cost of its entries (an estimate of their bytes), not their count.

/** Entries are evicted oldest-used first until the total cost fits; an entry costlier than the cap is not kept. */
export class CostLru<V> {
  private readonly map = new Map<string, { value: V; cost: number }>();
  private total = 0;

  constructor(readonly capacity: number) {}

  /** The summed cost of the entries held: never above `capacity`. */
  get cost(): number {
    return this.total;
  }

  get count(): number {
    return this.map.size;
  }

  get(key: string): V | undefined {
    const e = this.map.get(key);
    if (e === undefined) return undefined;
    // Re-inserting moves the entry to the young end of the Map's insertion order.
    this.map.delete(key);
    this.map.set(key, e);
    return e.value;
  }

  set(key: string, value: V, cost: number): void {
    const old = this.map.get(key);
    if (old !== undefined) {
      this.map.delete(key);
      this.total -= old.cost;
    }
    if (cost > this.capacity) return;
    for (const [k, e] of this.map) {
      if (this.total + cost <= this.capacity) break;
      this.map.delete(k);
      this.total -= e.cost;
    }
    this.map.set(key, { value, cost });
    this.total += cost;
  }

  clear(): void {
    this.map.clear();
    this.total = 0;
  }
}
