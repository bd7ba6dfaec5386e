import type { TickData } from '../../domain/tick';
import type { BarDelta } from '../../domain/bar-delta';
import type { MinuteBar, OhlcvValues } from '../../domain/minute-bar';
import { HALF_MASK, highBit, lowBit } from '../../domain/seconds-mask';
import { Rollup } from './rollup';
import { priceBaseOf, type MinuteSeconds } from './minute-seconds';

/** The seconds of its minute one tick covers, as a span and as mask bits. */
export interface Coverage {
  first: number;
  last: number;
  lo: number;
  hi: number;
}

/**
 * Which seconds of its minute a tick covers: one for `A`; all sixty for `AM`, so a whole-minute
 * aggregate only applies to a minute nothing of which is counted yet (mixing it with
 * per-second data would double count).
 */
export function coverage(tick: TickData, minute: number): Coverage {
  if (tick.eventType === 'AM') return { first: 0, last: 59, lo: HALF_MASK, hi: HALF_MASK };
  const second = Math.floor((tick.startMs - minute) / 1000);
  return { first: second, last: second, lo: lowBit(second), hi: highBit(second) };
}

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

  /** Keeps the mask of an evicted bar; beyond `keep` minutes the oldest is forgotten. */
  remember(minute: number, mask: RememberedMask, keep: number): void {
    this.recent.set(minute, mask);
    if (this.recent.size <= keep) return;
    const oldest = this.recent.keys().next();
    if (oldest.done === true) return;
    this.recent.delete(oldest.value);
    if (oldest.value > this.forgottenThroughMs) this.forgottenThroughMs = oldest.value;
  }
}

/**
 * What one tick did to a bar: `added` new seconds; `identical` repeated a counted second's values;
 * `corrected` replaced a counted second with new values (the bar must be rewritten whole);
 * `unknown` repeated a second whose earlier version is not held here (stored row, evicted).
 */
export type TakeOutcome = 'added' | 'identical' | 'corrected' | 'unknown';

/** One bar in memory (internal): the whole bar, the delta pending since its last flush, flags. */
export class BarState {
  /** Every second counted (this process, remembered, or stored when seeded). */
  lifeLo = 0;
  lifeHi = 0;
  readonly whole = new Rollup();
  /**
   * Seconds not handed to the writer yet. Released once a closed bar's delta is taken: most
   * bars of the correction window are closed and idle, and this is a sixth of their cost.
   */
  private pending: Rollup | null = new Rollup();
  /**
   * The part of the bar known only as a roll-up (its stored row when seeded, an `AM` minute):
   * a repeat of one of its seconds cannot be applied from memory.
   */
  base: Rollup | null = null;
  /**
   * Where the per-second values of the seconds this process took are kept (for corrections):
   * the minute's shared store, null once the correction window has passed. `head` is this
   * bar's newest entry there.
   */
  slab: MinuteSeconds | null = null;
  head = -1;
  /** This bar's price base in its slab (set by its first second). */
  priceBase = 0;
  /** A second was corrected: the next write replaces the stored row with the whole bar. */
  rewrite = false;
  closed = false;
  /** False for bars (re)created after their minute had closed: they are never announced. */
  announce = true;
  dirty = false;
  /** Its correction window has passed: evict it once it is written. */
  expired = false;
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

  /** Applies one tick covering `c` (its earlier versions are compared second by second). */
  take(tick: TickData, c: Coverage): TakeOutcome {
    if ((this.lifeLo & c.lo) !== 0 || (this.lifeHi & c.hi) !== 0) return this.repeat(tick, c);
    this.lifeLo |= c.lo;
    this.lifeHi |= c.hi;
    if (tick.eventType === 'AM') {
      this.addBase(tick, c.first, c.last, c.lo, c.hi);
    } else {
      this.whole.add(tick, c.first, c.last, c.lo, c.hi);
      if (this.slab !== null) {
        if (this.head < 0) this.priceBase = priceBaseOf(tick);
        this.head = this.slab.append(this.head, c.first, tick, this.priceBase);
      }
    }
    (this.pending ??= new Rollup()).add(tick, c.first, c.last, c.lo, c.hi);
    return 'added';
  }

  /**
   * A second counted already: the latest version is the truth. Applied from memory when its
   * earlier version is held here and every counted second of the bar is too (so the whole bar
   * can be rewritten). A repeated `AM` minute is taken as identical.
   */
  private repeat(tick: TickData, c: Coverage): TakeOutcome {
    if (tick.eventType === 'AM') return 'identical';
    const slab = this.slab;
    const entry = slab === null || this.expired ? -1 : slab.find(this.head, c.first);
    const w = this.whole;
    if (slab === null || entry < 0 || w.maskLo !== this.lifeLo || w.maskHi !== this.lifeHi)
      return 'unknown';
    // Another second's open or close never is the bar's: only the first and last seconds' are.
    const sameEdges =
      (c.first !== w.openSecond || tick.open === w.open) &&
      (c.first !== w.closeSecond || tick.close === w.close);
    if (sameEdges && slab.same(entry, tick, this.priceBase)) return 'identical';
    slab.replace(entry, tick, this.priceBase);
    this.recompute(c.first, tick);
    this.rewrite = true;
    return 'corrected';
  }

  /** Adds a roll-up-only part (stored row, `AM` minute) to the bar. */
  addBase(values: OhlcvValues, first: number, last: number, lo: number, hi: number): void {
    this.base ??= new Rollup();
    this.base.add(values, first, last, lo, hi);
    this.whole.add(values, first, last, lo, hi);
  }

  /** Rebuilds the whole bar from its base and its seconds after `second` was corrected. */
  private recompute(second: number, tick: OhlcvValues): void {
    const w = this.whole;
    const b = this.base;
    let high = -Infinity;
    let low = Infinity;
    let volume = 0;
    let notional = 0;
    let vwapVolume = 0;
    let vwapLast: number | null = null;
    const fold = (h: number, l: number, v: number, vwap: number | null) => {
      if (h > high) high = h;
      if (l < low) low = l;
      volume += v;
      if (vwap !== null) {
        notional += vwap * v;
        vwapVolume += v;
        vwapLast = vwap;
      }
    };
    if (b !== null && !b.isEmpty) fold(b.high, b.low, b.volume, b.vwap());
    if (this.slab !== null)
      for (const r of this.slab.chain(this.head, this.priceBase))
        fold(r.high, r.low, r.volume, r.vwap);
    w.restore({
      open: second === w.openSecond ? tick.open : w.open,
      close: second === w.closeSecond ? tick.close : w.close,
      high,
      low,
      volume,
      notional,
      vwapVolume,
      vwapLast,
    });
  }

  /** A closed bar with nothing pending gives its pending roll-up back (see `pending`). */
  releasePending(): void {
    if (this.closed && !this.dirty) this.pending = null;
  }

  /** The pending delta, or the whole bar as a replace when a second was corrected. */
  takeDelta(): BarDelta {
    const p = this.rewrite || this.pending === null ? this.whole : this.pending;
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
      ...(this.rewrite ? { replace: true as const } : {}),
    };
    if (this.closed) this.pending = null;
    else this.pending?.reset();
    this.rewrite = false;
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
