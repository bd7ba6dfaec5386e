import type { BarDelta, BarKey, StoredBarState } from '../../domain/bar-delta';
import type { TickData } from '../../domain/tick';
import { coverage, type BarState, type Coverage } from './bar-state';
import type { DirtyBarSource } from './bar-store';

/**
 * The writer-facing side of the aggregator: which bars hold seconds not yet written (oldest
 * first, one coalesced delta each, so the backlog is bounded by distinct dirty bars), and which
 * wait for their stored row before their seconds can count (after a restart).
 */
export abstract class BarBook implements DirtyBarSource {
  /** Insertion-ordered, so the oldest dirty bars are written first. */
  protected readonly dirty = new Set<BarState>();
  protected readonly unseeded = new Set<BarState>();
  private backlogThreshold = Infinity;
  private backlogListener: (() => void) | null = null;

  /** Calls `listener` each time the number of dirty bars reaches `threshold` (a batch is full). */
  onBacklog(threshold: number, listener: () => void): void {
    this.backlogThreshold = threshold;
    this.backlogListener = listener;
  }

  /**
   * Hands out up to `max` pending deltas (oldest dirty bars first) and forgets them: the caller
   * owns them from now on and must write them, retrying as-is on failure.
   */
  takeDirty(max = Infinity): BarDelta[] {
    const out: BarDelta[] = [];
    for (const bar of this.dirty) {
      if (out.length >= max) break;
      out.push(bar.takeDelta());
      this.dirty.delete(bar);
      bar.dirty = false;
      if (bar.expired) this.evict(bar);
    }
    return out;
  }

  /** Bars waiting for their stored row (see AggregatorOptions.seedThroughMs). */
  get seedsPending(): number {
    return this.unseeded.size;
  }

  /** Up to `max` bars whose stored rows the writer should read and pass to applySeeds. */
  seedRequests(max = Infinity): BarKey[] {
    const keys: BarKey[] = [];
    for (const bar of this.unseeded) {
      if (keys.length >= max) break;
      keys.push({ symbol: bar.owner.symbol, minuteStartMs: bar.minuteStartMs });
    }
    return keys;
  }

  /**
   * Seeds the requested bars: `stored` holds the rows that exist (a key without a row was never
   * stored). Held ticks whose seconds the row already counts are dropped as duplicates; the
   * rest become the bar's pending delta. A bar that closed meanwhile is announced now.
   */
  applySeeds(keys: readonly BarKey[], stored: readonly StoredBarState[]): void {
    const rows = new Map<string, StoredBarState>();
    for (const row of stored) rows.set(`${row.symbol}@${row.minuteStartMs}`, row);
    for (const key of keys) {
      const bar = this.findBar(key);
      if (bar === undefined || bar.held === null) continue;
      const row = rows.get(`${key.symbol}@${key.minuteStartMs}`);
      const held = bar.held;
      bar.held = null;
      this.unseeded.delete(bar);
      if (row !== undefined) {
        bar.lifeLo |= row.maskLo;
        bar.lifeHi |= row.maskHi;
        bar.addBase(row, row.openSecond, row.closeSecond, row.maskLo, row.maskHi);
      }
      for (const tick of held) this.applyToBar(bar, tick, coverage(tick, bar.minuteStartMs));
      this.seeded(bar);
    }
  }

  /** Bars with seconds not yet handed to the writer. */
  get dirtyCount(): number {
    return this.dirty.size;
  }

  protected markDirty(bar: BarState): void {
    if (bar.dirty) return;
    bar.dirty = true;
    this.dirty.add(bar);
    if (this.dirty.size === this.backlogThreshold) this.backlogListener?.();
  }

  protected abstract findBar(key: BarKey): BarState | undefined;
  protected abstract applyToBar(bar: BarState, tick: TickData, c: Coverage): boolean;
  /** A bar's stored part is known now (announce it if it closed meanwhile). */
  protected abstract seeded(bar: BarState): void;
  protected abstract evict(bar: BarState): void;
}
