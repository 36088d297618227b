/**
 * A map that keeps at most `capacity` entries, dropping the least recently used (a Map keeps insertion order: a read
 * moves its key to the end, an insert beyond capacity drops the first). `onEvict` receives what capacity drops and
 * what clear() drops, for values that hold resources (WASM converters) to release them.
 */
export class LruCache<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(
    readonly capacity: number,
    private readonly onEvict?: (value: V, key: K) => void,
  ) {
    if (!(capacity >= 1)) throw new Error(`An LRU cache needs a capacity of at least 1 (got ${capacity})`);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The value, now the most recently used; undefined when absent. */
  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  /** Whether the key is kept, without counting as a use. */
  has(key: K): boolean {
    return this.entries.has(key);
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) {
      const [oldest, dropped] = this.entries.entries().next().value!;
      this.entries.delete(oldest);
      this.onEvict?.(dropped, oldest);
    }
  }

  /** Drops every entry, handing each to onEvict. */
  clear(): void {
    const all = [...this.entries];
    this.entries.clear();
    for (const [key, value] of all) this.onEvict?.(value, key);
  }

  delete(key: K): boolean {
    return this.entries.delete(key);
  }

  /** Drops every entry the predicate selects (without counting as uses). */
  deleteWhere(predicate: (value: V, key: K) => boolean): void {
    for (const [key, value] of this.entries) if (predicate(value, key)) this.entries.delete(key);
  }
}
