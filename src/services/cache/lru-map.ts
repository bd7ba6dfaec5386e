/**
 * A size-capped LRU on a Map (insertion order = recency: a hit re-inserts). Bounded both by
 * entry count and by an estimated byte size, whichever is reached first; the oldest entries go.
 * lru-cache would do, but it is only a transitive dependency here, and this is all we need.
 */
export class LruMap<K, V> {
  private readonly map = new Map<K, { value: V; bytes: number }>();
  private totalBytes = 0;
  evictions = 0;

  constructor(
    readonly maxEntries: number,
    readonly maxBytes: number,
  ) {}

  get size(): number {
    return this.map.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  get(key: K): V | undefined {
    const slot = this.map.get(key);
    if (slot === undefined) return undefined;
    this.map.delete(key);
    this.map.set(key, slot);
    return slot.value;
  }

  set(key: K, value: V, bytes: number): void {
    this.delete(key);
    if (bytes > this.maxBytes || this.maxEntries === 0) return;
    this.map.set(key, { value, bytes });
    this.totalBytes += bytes;
    while (this.map.size > this.maxEntries || this.totalBytes > this.maxBytes) {
      const oldest = this.map.keys().next();
      if (oldest.done === true) break;
      this.delete(oldest.value);
      this.evictions++;
    }
  }

  delete(key: K): void {
    const slot = this.map.get(key);
    if (slot === undefined) return;
    this.map.delete(key);
    this.totalBytes -= slot.bytes;
  }

  clear(): void {
    this.map.clear();
    this.totalBytes = 0;
  }
}
