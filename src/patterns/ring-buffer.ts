/**
 * A fixed-capacity window of the last N numbers with a running sum, so pushing and reading the
 * mean are O(1) and allocation-free. Values are share volumes (integers), whose sums stay exact
 * in a double far beyond any real window, so the running sum never drifts.
 */
export class RollingWindow {
  private readonly values: Float64Array;
  private next = 0;
  private size = 0;
  private total = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`RollingWindow capacity must be a positive integer (got ${capacity})`);
    }
    this.values = new Float64Array(capacity);
  }

  /** Values currently held (≤ capacity). */
  get count(): number {
    return this.size;
  }

  get sum(): number {
    return this.total;
  }

  /** Mean of the held values; 0 when empty (never NaN). */
  get mean(): number {
    return this.size === 0 ? 0 : this.total / this.size;
  }

  /** Appends a value, evicting the oldest once full. */
  push(value: number): void {
    if (this.size === this.capacity) {
      this.total -= this.values[this.next];
    } else {
      this.size++;
    }
    this.values[this.next] = value;
    this.total += value;
    this.next = this.next + 1 === this.capacity ? 0 : this.next + 1;
  }

  /** Held values oldest first (for tests and debugging; allocates). */
  toArray(): number[] {
    const out: number[] = [];
    const start = this.size === this.capacity ? this.next : 0;
    for (let i = 0; i < this.size; i++) out.push(this.values[(start + i) % this.capacity]);
    return out;
  }
}
