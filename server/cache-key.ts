/**
 * The one way a cache key is built: its parts in a fixed order, as JSON, so that two keys
 * differ only when what they were computed from differs (not in how an object's fields
 * happened to be ordered, or a separator that also occurs in a name). A leaf.
 */
export type KeyPart = string | number | boolean | null | undefined | readonly KeyPart[];

/** A key made by `cacheKey`; a plain string is not one, so no cache is read with a hand-built key. */
export type CacheKey = string & { readonly cacheKey: unique symbol };

export function cacheKey(...parts: readonly KeyPart[]): CacheKey {
  return JSON.stringify(parts, (_name, value: unknown) => (value === undefined ? null : value)) as CacheKey;
}

/** Whether `key` was made from `parts` followed by more: every key of one dataset version, say. */
export function keyStartsWith(key: CacheKey, ...parts: readonly KeyPart[]): boolean {
  return key.startsWith(`${cacheKey(...parts).slice(0, -1)},`);
}
