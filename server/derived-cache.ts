/**
 * What is derived from an object that never changes (a cached result, a chart config, an
 * overview): kept beside it for as long as it lives, by a typed key (cache-key.ts). The one
 * way the web layer and the engine keep charts, escaped JSON, rendered regions and labelled
 * results, so none is built twice for the same object and none outlives it.
 */
import { cacheKey, type CacheKey } from './cache-key.ts';

const ONLY = cacheKey();

export class DerivedCache<Owner extends object, V> {
  private readonly byOwner = new WeakMap<Owner, Map<CacheKey, V>>();

  /** The value derived from `owner` under `key` (one per owner when the key is left out), built on first use. */
  of(owner: Owner, build: () => V, key: CacheKey = ONLY): V {
    const byKey = this.keysOf(owner);
    if (byKey.has(key)) return byKey.get(key)!;
    const value = build();
    byKey.set(key, value);
    return value;
  }

  /** The same for a value built asynchronously (a rendered view). */
  async ofAsync(owner: Owner, build: () => Promise<V>, key: CacheKey = ONLY): Promise<V> {
    const byKey = this.keysOf(owner);
    if (byKey.has(key)) return byKey.get(key)!;
    const value = await build();
    byKey.set(key, value);
    return value;
  }

  private keysOf(owner: Owner): Map<CacheKey, V> {
    let byKey = this.byOwner.get(owner);
    if (!byKey) this.byOwner.set(owner, (byKey = new Map()));
    return byKey;
  }
}
