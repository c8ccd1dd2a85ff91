/**
 * Records keyed by names from the user's data (columns, category levels). A column may be
 * called "__proto__" or "constructor": written as an own property and read only when own, such
 * a name is a key like any other, never Object.prototype's. The records stay plain objects,
 * so they serialise, clone to workers and compare as before.
 */
export function setNamed<T>(record: Record<string, T>, name: string, value: T): void {
  Object.defineProperty(record, name, { value, enumerable: true, writable: true, configurable: true });
}

export function getNamed<T>(record: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.hasOwn(record, name) ? record[name] : undefined;
}
