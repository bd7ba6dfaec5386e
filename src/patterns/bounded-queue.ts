/**
 * A FIFO with a fixed capacity that drops its oldest item to make room, so a stalled consumer
 * (database down, Redis slow) costs bounded memory and never pushes back on the producer.
 * push and take are O(1) per item.
 */
export class BoundedQueue<T> {
  private readonly items: Array<T | undefined>;
  private head = 0;
  private size = 0;
  /** Items evicted to make room, since creation. */
  dropped = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`BoundedQueue capacity must be a positive integer (got ${capacity})`);
    }
    this.items = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.size;
  }

  /** Appends; returns false when the oldest item had to be dropped for it. */
  push(item: T): boolean {
    const tail = (this.head + this.size) % this.capacity;
    if (this.size === this.capacity) {
      this.items[tail] = item; // tail === head: overwrite the oldest
      this.head = (this.head + 1) % this.capacity;
      this.dropped++;
      return false;
    }
    this.items[tail] = item;
    this.size++;
    return true;
  }

  /** Removes and returns up to `max` items, oldest first. */
  take(max: number): T[] {
    const n = Math.min(max, this.size);
    const out = new Array<T>(n);
    for (let i = 0; i < n; i++) {
      out[i] = this.items[this.head] as T;
      this.items[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
    }
    this.size -= n;
    return out;
  }
}
