import type { TickData } from '../../domain/tick';
import {
  AGGREGATOR_DEFAULTS,
  type AggregatorOptions,
  type AggregatorStatus,
  type RecheckReason,
} from './aggregator-options';
import type { BarKey } from '../../domain/bar-delta';
import { BarState, coverage, SymbolState, type Coverage, type RememberedMask } from './bar-state';
import {
  MINUTE_MS,
  minuteStart,
  type BarClosedListener,
  type MinuteBar,
} from '../../domain/minute-bar';
import { ListenerSet } from '../listener-set';
import { OpenBars } from './open-bars';
import { BarBook } from './bar-book';
import { MinuteSeconds } from './minute-seconds';

export type { AggregatorOptions, AggregatorStatus, RecheckReason } from './aggregator-options';

/**
 * Pure, synchronous minute roll-up keyed by (symbol, minute start). Out-of-order seconds land by
 * second index, and the seconds applied since the last flush are coalesced into one pending
 * delta per bar, so the write backlog is bounded by the number of distinct dirty bars. A bar
 * keeps its per-second values until its correction window has passed: an identical re-broadcast
 * changes nothing, a different one replaces that second's contribution and the bar's next write
 * is the whole recomputed bar (a replace). A repeat whose earlier version is not in memory (a
 * minute begun before a restart, or evicted) is handed to onRecheck for a REST re-fetch. A bar
 * is announced to BarClosedListeners once, when it closes; it leaves memory once its window has
 * passed and it is flushed, leaving a small remembered mask behind. Bars an earlier lifetime may
 * have stored are seeded with the stored row (through the writer) before their seconds count.
 */
export class MinuteBarAggregator extends BarBook {
  private readonly options: AggregatorOptions;
  private readonly symbols = new Map<string, SymbolState>();
  private readonly open = new OpenBars();
  /** Closed bars inside their correction window, by minute. */
  private readonly retained = new OpenBars();
  /** Per-second values of the minutes inside the correction window. */
  private readonly slabs = new Map<number, MinuteSeconds>();
  private readonly listeners: ListenerSet<MinuteBar>;
  private maxEndMs = -Infinity;
  /** Bars whose minute ends at or before this are closed. */
  private closedThroughMs = -Infinity;
  private readonly count = {
    secondsApplied: 0,
    duplicatesDropped: 0,
    lateApplied: 0,
    correctionsApplied: 0,
    correctionsDeferred: 0,
    barsClosed: 0,
    barsEvicted: 0,
  };
  private readonly closeBar = (bar: BarState): void => this.close(bar);
  private readonly expireBar = (bar: BarState): void => this.expire(bar);

  constructor(options: Partial<AggregatorOptions> = {}) {
    super();
    this.options = { ...AGGREGATOR_DEFAULTS, ...options };
    this.listeners = new ListenerSet<MinuteBar>([], this.options.onListenerError);
  }

  /** Called with each bar once, when it closes (synchronously, from apply/closeThrough/applySeeds). */
  addBarClosedListener(listener: BarClosedListener): void {
    this.listeners.add(listener);
  }

  /**
   * At start-up, before the feed: the newest minute already stored (e.g. the maximum of
   * `latestMinutePerSymbol()`). Bars up to that minute are seeded from the database first.
   */
  setSeedThrough(ms: number): void {
    this.options.seedThroughMs = ms;
  }

  /**
   * Applies one aggregate. O(1), no I/O. Returns false when every second it covers was already
   * counted (a duplicate), true when it was taken.
   */
  apply(tick: TickData): boolean {
    const minute = minuteStart(tick.startMs);
    const c = coverage(tick, minute);
    let sym = this.symbols.get(tick.symbol);
    if (sym === undefined) {
      sym = new SymbolState(tick.symbol);
      this.symbols.set(tick.symbol, sym);
    }
    let bar = sym.bars.get(minute);
    let taken = true;
    if (bar === undefined) {
      const remembered = sym.recent.get(minute);
      if (
        remembered !== undefined &&
        ((remembered.lo & c.lo) !== 0 || (remembered.hi & c.hi) !== 0)
      ) {
        if (tick.eventType === 'A') return this.repeatOutOfMemory(tick, minute, 'evicted');
        this.count.duplicatesDropped++;
        return false;
      }
      bar = this.createBar(sym, minute, remembered);
    }
    if (bar.held !== null) bar.held.push(tick);
    else taken = this.applyToBar(bar, tick, c);

    if (tick.startMs > sym.maxStartMs) sym.maxStartMs = tick.startMs;
    if (sym.maxStartMs >= sym.closeDueMs) this.closeSymbolBars(sym);
    if (tick.endMs > this.maxEndMs) {
      this.maxEndMs = tick.endMs;
      const watermark = tick.endMs - this.options.watermarkGraceMs;
      if (watermark >= this.open.dueMs) this.closeThrough(watermark);
      else if (watermark - this.options.correctionWindowMs >= this.retained.dueMs)
        this.expireThrough(watermark - this.options.correctionWindowMs);
    }
    return taken;
  }

  /**
   * Closes (and announces) every open bar whose minute ends at or before `watermarkMs`. Called
   * internally as feed time advances; callers may also use it with wall-clock time when the
   * feed goes quiet, or with +Infinity at shutdown.
   */
  closeThrough(watermarkMs: number): void {
    if (watermarkMs > this.closedThroughMs) this.closedThroughMs = watermarkMs;
    this.open.closeThrough(watermarkMs, this.closeBar);
    this.expireThrough(watermarkMs - this.options.correctionWindowMs);
  }

  /** Bars (and per-second values) of minutes ending at or before `limitMs` leave the window. */
  private expireThrough(limitMs: number): void {
    this.retained.closeThrough(limitMs, this.expireBar);
    for (const minute of this.slabs.keys())
      if (minute + MINUTE_MS <= limitMs) this.slabs.delete(minute);
  }

  get openBarCount(): number {
    return this.open.size;
  }

  /** Bars held in memory (open, or closed and inside their correction window or unwritten). */
  get barsInMemory(): number {
    let total = 0;
    for (const sym of this.symbols.values()) total += sym.bars.size;
    return total;
  }

  protected findBar(key: BarKey): BarState | undefined {
    return this.symbols.get(key.symbol)?.bars.get(key.minuteStartMs);
  }

  protected seeded(bar: BarState): void {
    if (!bar.closed) return;
    if (bar.announce) this.listeners.emit(bar.toMinuteBar());
    if (bar.expired && !bar.dirty) this.evict(bar);
  }

  /** Monotonic counters, for the status snapshot and tests. */
  status(): AggregatorStatus {
    return {
      ...this.count,
      listenerErrors: this.listeners.errors,
      barsInMemory: this.barsInMemory,
    };
  }

  /** A tick for a bar whose stored part is known: new seconds count, repeats are compared. */
  protected applyToBar(bar: BarState, tick: TickData, c: Coverage): boolean {
    switch (bar.take(tick, c)) {
      case 'added':
        this.count.secondsApplied++;
        if (bar.closed) this.count.lateApplied++;
        this.markDirty(bar);
        return true;
      case 'corrected':
        this.count.correctionsApplied++;
        this.markDirty(bar);
        return true;
      case 'identical':
        this.count.duplicatesDropped++;
        return false;
      case 'unknown':
        return this.repeatOutOfMemory(tick, bar.minuteStartMs, bar.base ? 'restart' : 'evicted');
    }
  }

  private repeatOutOfMemory(tick: TickData, minute: number, reason: RecheckReason): false {
    this.count.correctionsDeferred++;
    this.options.onRecheck?.(tick.symbol, minute, reason);
    return false;
  }

  private createBar(
    sym: SymbolState,
    minute: number,
    remembered: RememberedMask | undefined,
  ): BarState {
    const bar = new BarState(sym, minute);
    sym.bars.set(minute, bar);
    if (this.options.correctionWindowMs > 0) bar.slab = this.slabFor(minute);
    const end = minute + MINUTE_MS;
    if (remembered !== undefined) {
      bar.lifeLo = remembered.lo;
      bar.lifeHi = remembered.hi;
      sym.recent.delete(minute);
    } else if (minute <= this.options.seedThroughMs || minute <= sym.forgottenThroughMs) {
      bar.held = [];
      this.unseeded.add(bar);
    }
    if (
      remembered !== undefined ||
      end <= this.closedThroughMs ||
      end + this.options.symbolGraceMs <= sym.maxStartMs
    ) {
      // Its minute has already closed: write the late seconds, but never announce a bar that
      // listeners either saw already or would receive out of order and incomplete.
      bar.closed = true;
      bar.announce = false;
      this.retain(bar);
      return bar;
    }
    this.open.add(bar);
    const symbolDue = end + this.options.symbolGraceMs;
    if (symbolDue < sym.closeDueMs) sym.closeDueMs = symbolDue;
    return bar;
  }

  private closeSymbolBars(sym: SymbolState): void {
    let due = Infinity;
    for (const bar of sym.bars.values()) {
      if (bar.closed) continue;
      const closeAt = bar.minuteStartMs + MINUTE_MS + this.options.symbolGraceMs;
      if (closeAt <= sym.maxStartMs) this.close(bar);
      else if (closeAt < due) due = closeAt;
    }
    sym.closeDueMs = due;
  }

  private close(bar: BarState): void {
    if (bar.closed) return;
    bar.closed = true;
    bar.releasePending();
    this.open.remove(bar);
    this.count.barsClosed++;
    // An unseeded bar is announced once its stored part is known: applySeeds.
    this.retain(bar);
    if (bar.held !== null) return;
    if (bar.announce) this.listeners.emit(bar.toMinuteBar());
  }

  private slabFor(minute: number): MinuteSeconds {
    let slab = this.slabs.get(minute);
    if (slab === undefined) {
      slab = new MinuteSeconds();
      this.slabs.set(minute, slab);
    }
    return slab;
  }

  /** A closed bar stays for its correction window (in feed time), then goes once written. */
  private retain(bar: BarState): void {
    const windowEndMs = bar.minuteStartMs + MINUTE_MS + this.options.correctionWindowMs;
    if (this.options.correctionWindowMs > 0 && windowEndMs > this.closedThroughMs) {
      this.retained.add(bar);
      return;
    }
    bar.expired = true;
    bar.slab = null;
    if (!bar.dirty && bar.held === null) this.evict(bar);
  }

  /** Its window has passed (retained.closeThrough). */
  private expire(bar: BarState): void {
    this.retained.remove(bar);
    bar.expired = true;
    bar.slab = null;
    if (!bar.dirty && bar.held === null) this.evict(bar);
  }

  protected evict(bar: BarState): void {
    const sym = bar.owner;
    sym.bars.delete(bar.minuteStartMs);
    sym.remember(
      bar.minuteStartMs,
      { lo: bar.lifeLo, hi: bar.lifeHi },
      this.options.recentMinutesPerSymbol,
    );
    this.count.barsEvicted++;
  }
}
