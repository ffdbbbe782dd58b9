/** A bounded least-recently-used map. */
export class LruCache<K, V> {
  private readonly map = new Map<K, V>();

  /** @param capacity maximum number of entries kept (at least 1). */
  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`LRU capacity must be a positive integer, got ${capacity}`);
  }

  /** Number of entries held. */
  get size(): number {
    return this.map.size;
  }

  /** The value for `key`, marking it most recently used; undefined when absent. */
  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value === undefined) return undefined;
    this.map.delete(key);
    this.map.set(key, value);
    return value;
  }

  /** Stores `value` as the most recently used entry, evicting the least recently used beyond capacity. */
  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) {
      const oldest = this.map.keys().next();
      if (oldest.done !== true) this.map.delete(oldest.value);
    }
  }

  /** Removes every entry. */
  clear(): void {
    this.map.clear();
  }
}
