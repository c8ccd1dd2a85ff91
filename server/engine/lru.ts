/**
 * A bounded cache: the least recently used entry goes first. Bounded by entry count and,
 * when a weigher is given, by total weight too (rows held, for results of big datasets).
 */
import type { CacheKey } from '../cache-key.ts';

export class LruCache<V> {
  private readonly entries = new Map<CacheKey, { value: V; weight: number }>();
  private totalWeight = 0;

  constructor(
    private readonly capacity: number,
    private readonly limits: { maxWeight: number; weigh: (value: V) => number } | undefined = undefined,
  ) {}

  get(key: CacheKey): V | undefined {
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry?.value;
  }

  set(key: CacheKey, value: V): void {
    this.delete(key);
    const weight = this.limits?.weigh(value) ?? 0;
    this.entries.set(key, { value, weight });
    this.totalWeight += weight;
    // The newest entry always stays, even when it alone is over the weight limit.
    while (this.entries.size > 1 && (this.entries.size > this.capacity || (this.limits && this.totalWeight > this.limits.maxWeight))) {
      this.delete(this.entries.keys().next().value!);
    }
  }

  private delete(key: CacheKey): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.totalWeight -= entry.weight;
    this.entries.delete(key);
  }

  /**
   * Gets the value, computing and storing it on a miss. With the weight the value will have,
   * the entries it would push out go before it is computed, not after: on a million rows a
   * prepared matrix and its replacement held together were the worker's peak memory.
   */
  getOrCompute(key: CacheKey, compute: () => V, expectedWeight?: number): V {
    const hit = this.get(key);
    if (hit !== undefined) return hit;
    if (expectedWeight !== undefined && this.limits) {
      while (this.entries.size > 0 && this.totalWeight + expectedWeight > this.limits.maxWeight)
        this.delete(this.entries.keys().next().value!);
    }
    const value = compute();
    this.set(key, value);
    return value;
  }

  get size(): number {
    return this.entries.size;
  }

  get weight(): number {
    return this.totalWeight;
  }

  /** Drops every entry whose key the test accepts. */
  deleteWhere(test: (key: CacheKey) => boolean): void {
    for (const key of [...this.entries.keys()]) if (test(key)) this.delete(key);
  }

  clear(): void {
    this.entries.clear();
    this.totalWeight = 0;
  }
}
