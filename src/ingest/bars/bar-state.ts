import type { TickData } from '../../domain/tick';
import type { BarDelta } from '../../domain/bar-delta';
import type { MinuteBar } from '../../domain/minute-bar';
import { Rollup } from './rollup';

/** Seconds mask of a bar remembered after its eviction. */
export interface RememberedMask {
  lo: number;
  hi: number;
}

/** Per-symbol state of the aggregator (internal). */
export class SymbolState {
  readonly bars = new Map<number, BarState>();
  /** Masks of recently evicted bars, oldest first. */
  readonly recent = new Map<number, RememberedMask>();
  /** Newest minute whose mask was dropped from `recent`: older minutes are unknown again. */
  forgottenThroughMs = -Infinity;
  maxStartMs = -Infinity;
  /** Earliest feed time at which one of this symbol's open bars is due to close. */
  closeDueMs = Infinity;
  constructor(readonly symbol: string) {}
}

/** One bar in memory (internal): the whole bar, the delta pending since its last flush, flags. */
export class BarState {
  /** Every second counted (this process, remembered, or stored when seeded). */
  lifeLo = 0;
  lifeHi = 0;
  readonly whole = new Rollup();
  readonly pending = new Rollup();
  closed = false;
  /** False for bars (re)created after their minute had closed: they are never announced. */
  announce = true;
  dirty = false;
  /**
   * Ticks held back until the stored row of this bar is known (non-null = awaiting its seed):
   * a bar another lifetime may have written cannot be coalesced blindly, or a re-delivered
   * second mixed with new ones would make the whole delta a duplicate in the database.
   */
  held: TickData[] | null = null;

  constructor(
    readonly owner: SymbolState,
    readonly minuteStartMs: number,
  ) {}

  takeDelta(): BarDelta {
    const p = this.pending;
    const delta: BarDelta = {
      symbol: this.owner.symbol,
      minuteStartMs: this.minuteStartMs,
      open: p.open,
      openSecond: p.openSecond,
      high: p.high,
      low: p.low,
      close: p.close,
      closeSecond: p.closeSecond,
      volume: p.volume,
      vwap: p.vwap(),
      maskLo: p.maskLo,
      maskHi: p.maskHi,
    };
    p.reset();
    return delta;
  }

  toMinuteBar(): MinuteBar {
    const w = this.whole;
    return {
      symbol: this.owner.symbol,
      minuteStartMs: this.minuteStartMs,
      open: w.open,
      high: w.high,
      low: w.low,
      close: w.close,
      volume: w.volume,
      vwap: w.vwap(),
    };
  }
}
