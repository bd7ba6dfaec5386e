/**
 * The most recent N latency samples in a ring buffer: bounded memory, and percentiles that
 * follow the present rather than the whole uptime. Sorting happens only when read.
 */
export class LatencyReservoir {
  private readonly samples: Float64Array;
  private size = 0;
  private next = 0;

  constructor(capacity = 2048) {
    this.samples = new Float64Array(capacity);
  }

  add(ms: number): void {
    this.samples[this.next] = ms;
    this.next = (this.next + 1) % this.samples.length;
    if (this.size < this.samples.length) this.size++;
  }

  /** Nearest-rank percentile (0 < p ≤ 100) of the retained samples; 0 when there are none. */
  percentile(p: number): number {
    if (this.size === 0) return 0;
    const sorted = this.samples.slice(0, this.size).sort();
    const rank = Math.min(this.size, Math.max(1, Math.ceil((p / 100) * this.size)));
    return sorted[rank - 1];
  }
}
