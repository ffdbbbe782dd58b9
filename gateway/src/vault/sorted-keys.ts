/**
 * An in-memory ordered set of index keys, the memory counterpart of a LevelDB sublevel's key order.
 * Keys are compared with `<`, which equals LevelDB's byte order for the ASCII-plus-NUL keys of the
 * listing index.
 */
export class SortedKeys {
  readonly #keys: string[] = [];

  /** Adds `key` (no-op when present). */
  add(key: string): void {
    const at = this.#lowerBound(key);
    if (this.#keys[at] !== key) this.#keys.splice(at, 0, key);
  }

  /** Up to `limit` keys strictly between `gt` and `lt` (no upper bound when `lt` is absent). */
  range(gt: string, lt: string | undefined, limit: number): string[] {
    const out: string[] = [];
    let at = this.#lowerBound(gt);
    if (this.#keys[at] === gt) at++;
    for (; at < this.#keys.length && out.length < limit; at++) {
      const key = this.#keys[at] as string;
      if (lt !== undefined && key >= lt) break;
      out.push(key);
    }
    return out;
  }

  #lowerBound(key: string): number {
    let lo = 0;
    let hi = this.#keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.#keys[mid] as string) < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
