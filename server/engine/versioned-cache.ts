/**
 * What is computed from one dataset version (a sweep, a fit, ranges, stability), kept by
 * that version and as the newest per dataset whatever its version. Customers registered
 * since do not move a sweep, ranges or a stability check enough to wait for new ones, and a
 * fit is extended with them rather than redone: `newest` answers those.
 */
import { cacheKey, type CacheKey, type KeyPart } from '../cache-key.ts';
import { LruCache } from './lru.ts';
import type { TableSource } from './tables.ts';

type Limits<V> = ConstructorParameters<typeof LruCache<V>>[1];

export class VersionedCache<V> {
  private readonly byVersion: LruCache<V>;
  private readonly newestByDataset: LruCache<V>;

  constructor(capacity: number, limits?: Limits<V>) {
    this.byVersion = new LruCache<V>(capacity, limits);
    this.newestByDataset = new LruCache<V>(capacity, limits);
  }

  /** The key of `parts` computed from this version of the dataset. */
  key(source: TableSource, ...parts: KeyPart[]): CacheKey {
    return cacheKey(source.version, ...parts);
  }

  get(source: TableSource, ...parts: KeyPart[]): V | undefined {
    return this.byVersion.get(this.key(source, ...parts));
  }

  /** This version's value, else the newest of any version of the same dataset. */
  newest(source: TableSource, ...parts: KeyPart[]): V | undefined {
    return this.get(source, ...parts) ?? this.newestByDataset.get(cacheKey(source.identity, ...parts));
  }

  set(source: TableSource, parts: readonly KeyPart[], value: V): void {
    this.byVersion.set(this.key(source, ...parts), value);
    this.newestByDataset.set(cacheKey(source.identity, ...parts), value);
  }

  clear(): void {
    this.byVersion.clear();
    this.newestByDataset.clear();
  }
}
