import { MINUTE_MS } from '../../domain/minute-bar';
import type { BarState } from './bar-state';

/**
 * The aggregator's open bars, bucketed by minute, with the earliest minute end among them so
 * the watermark check on the hot path is a single comparison.
 */
export class OpenBars {
  private readonly byMinute = new Map<number, Set<BarState>>();
  private count = 0;
  /** Earliest minute end among open bars (may be stale-low, never stale-high). */
  private earliestEndMs = Infinity;

  get size(): number {
    return this.count;
  }

  /** Minute end of the oldest open bar: the watermark must reach it before anything closes. */
  get dueMs(): number {
    return this.earliestEndMs;
  }

  add(bar: BarState): void {
    let bucket = this.byMinute.get(bar.minuteStartMs);
    if (bucket === undefined) {
      bucket = new Set();
      this.byMinute.set(bar.minuteStartMs, bucket);
    }
    bucket.add(bar);
    this.count++;
    const end = bar.minuteStartMs + MINUTE_MS;
    if (end < this.earliestEndMs) this.earliestEndMs = end;
  }

  /** `bar` closed: it is no longer open. */
  remove(bar: BarState): void {
    this.count--;
    const bucket = this.byMinute.get(bar.minuteStartMs);
    if (bucket !== undefined) {
      bucket.delete(bar);
      if (bucket.size === 0) this.byMinute.delete(bar.minuteStartMs);
    }
  }

  /** Hands every open bar whose minute ends at or before `watermarkMs` to `close`. */
  closeThrough(watermarkMs: number, close: (bar: BarState) => void): void {
    let due = Infinity;
    for (const [minute, bucket] of this.byMinute) {
      const end = minute + MINUTE_MS;
      if (end > watermarkMs) {
        if (end < due) due = end;
        continue;
      }
      this.byMinute.delete(minute);
      for (const bar of bucket) close(bar);
    }
    this.earliestEndMs = due;
  }
}
