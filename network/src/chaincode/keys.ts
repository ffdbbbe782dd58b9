/** Key ordering shared by the simulator and tests: Fabric (Go, LevelDB) compares keys as UTF-8 bytes. */

/**
 * Compares two keys by their UTF-8 encoding, as Go's string comparison and LevelDB do. This differs
 * from JavaScript's UTF-16 `<` for characters outside the Basic Multilingual Plane.
 */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Sorts keys in place (and returns them) in UTF-8 byte order. */
export function sortKeys<T extends string>(keys: T[]): T[] {
  return keys.sort(compareKeys);
}
