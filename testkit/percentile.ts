/**
 * Latency statistics for tests, benches and the soak: nearest-rank percentiles, and a bounded
 * uniform sample (Vitter's algorithm R) so a run of millions of events keeps a few hundred KB.
 */

/** Nearest-rank percentile (0 < p ≤ 100) of an ascending array; NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

/** percentile() of values in any order (sorts a copy). */
export function percentileOf(values: readonly number[], p: number): number {
  return percentile(Float64Array.from(values).sort(), p);
}

export interface Summary {
  count: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

/** A uniform random sample of at most `capacity` values out of everything added. */
export class SampleSet {
  private readonly values: Float64Array;
  private size = 0;
  /** Values offered, kept or not. */
  seen = 0;
  private sum = 0;
  private maximum = Number.NEGATIVE_INFINITY;

  constructor(capacity = 100_000) {
    this.values = new Float64Array(capacity);
  }

  add(value: number): void {
    this.seen++;
    this.sum += value;
    if (value > this.maximum) this.maximum = value;
    if (this.size < this.values.length) {
      this.values[this.size++] = value;
      return;
    }
    const slot = Math.floor(Math.random() * this.seen);
    if (slot < this.values.length) this.values[slot] = value;
  }

  summary(): Summary {
    const sorted = this.values.slice(0, this.size).sort();
    return {
      count: this.seen,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      max: this.seen === 0 ? Number.NaN : this.maximum,
      mean: this.seen === 0 ? Number.NaN : this.sum / this.seen,
    };
  }
}

/** Rounds for display and JSON: `digits` decimals, NaN kept as null. */
export function round(value: number, digits = 1): number | null {
  if (!Number.isFinite(value)) return null;
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
