import type { TickData } from '../../domain/tick';
import {
  AGGREGATOR_DEFAULTS,
  type AggregatorOptions,
  type AggregatorStatus,
} from './aggregator-options';
import type { BarDelta, BarKey, StoredBarState } from '../../domain/bar-delta';
import { BarState, coverage, SymbolState, type Coverage, type RememberedMask } from './bar-state';
import {
  MINUTE_MS,
  minuteStart,
  type BarClosedListener,
  type MinuteBar,
} from '../../domain/minute-bar';
import { ListenerSet } from '../listener-set';
import { OpenBars } from './open-bars';

export type { AggregatorOptions, AggregatorStatus } from './aggregator-options';

/**
 * Pure, synchronous minute roll-up keyed by (symbol, minute start). Each second is applied at
 * most once per process (a per-bar mask), out-of-order seconds land by second index, and the
 * seconds applied since the last flush are coalesced into one pending delta per bar, so the
 * write backlog is bounded by the number of distinct dirty bars. A bar is announced to
 * BarClosedListeners once, when it closes; closed bars leave memory once flushed, leaving only
 * a small remembered mask behind. Bars an earlier lifetime may have stored are seeded with the
 * stored row (through the writer) before their seconds are coalesced, so seconds re-delivered
 * after a restart are recognised one by one.
 */
export class MinuteBarAggregator {
  private readonly options: AggregatorOptions;
  private readonly symbols = new Map<string, SymbolState>();
  /** Insertion-ordered, so the oldest dirty bars are written first. */
  private readonly dirty = new Set<BarState>();
  private readonly unseeded = new Set<BarState>();
  private readonly open = new OpenBars();
  private readonly listeners: ListenerSet<MinuteBar>;
  private maxEndMs = -Infinity;
  /** Bars whose minute ends at or before this are closed. */
  private closedThroughMs = -Infinity;
  private backlogThreshold = Infinity;
  private backlogListener: (() => void) | null = null;
  private readonly count = {
    secondsApplied: 0,
    duplicatesDropped: 0,
    lateApplied: 0,
    barsClosed: 0,
    barsEvicted: 0,
  };
  private readonly closeBar = (bar: BarState): void => this.close(bar);

  constructor(options: Partial<AggregatorOptions> = {}) {
    this.options = { ...AGGREGATOR_DEFAULTS, ...options };
    this.listeners = new ListenerSet<MinuteBar>([], this.options.onListenerError);
  }

  /** Called with each bar once, when it closes (synchronously, from apply/closeThrough/applySeeds). */
  addBarClosedListener(listener: BarClosedListener): void {
    this.listeners.add(listener);
  }

  /** Calls `listener` each time the number of dirty bars reaches `threshold` (a batch is full). */
  onBacklog(threshold: number, listener: () => void): void {
    this.backlogThreshold = threshold;
    this.backlogListener = listener;
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
    const { lo, hi } = c;
    let sym = this.symbols.get(tick.symbol);
    if (sym === undefined) {
      sym = new SymbolState(tick.symbol);
      this.symbols.set(tick.symbol, sym);
    }
    let bar = sym.bars.get(minute);
    if (bar === undefined) {
      const remembered = sym.recent.get(minute);
      if (remembered !== undefined && ((remembered.lo & lo) !== 0 || (remembered.hi & hi) !== 0)) {
        this.count.duplicatesDropped++;
        return false;
      }
      bar = this.createBar(sym, minute, remembered);
    } else if ((bar.lifeLo & lo) !== 0 || (bar.lifeHi & hi) !== 0) {
      this.count.duplicatesDropped++;
      return false;
    }

    bar.lifeLo |= lo;
    bar.lifeHi |= hi;
    if (bar.held !== null) bar.held.push(tick);
    else this.accept(bar, tick, c);

    if (tick.startMs > sym.maxStartMs) sym.maxStartMs = tick.startMs;
    if (sym.maxStartMs >= sym.closeDueMs) this.closeSymbolBars(sym);
    if (tick.endMs > this.maxEndMs) {
      this.maxEndMs = tick.endMs;
      const watermark = tick.endMs - this.options.watermarkGraceMs;
      if (watermark >= this.open.dueMs) this.closeThrough(watermark);
    }
    return true;
  }

  /**
   * Closes (and announces) every open bar whose minute ends at or before `watermarkMs`. Called
   * internally as feed time advances; callers may also use it with wall-clock time when the
   * feed goes quiet, or with +Infinity at shutdown.
   */
  closeThrough(watermarkMs: number): void {
    if (watermarkMs > this.closedThroughMs) this.closedThroughMs = watermarkMs;
    this.open.closeThrough(watermarkMs, this.closeBar);
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
      if (bar.closed) this.evict(bar);
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
      const bar = this.symbols.get(key.symbol)?.bars.get(key.minuteStartMs);
      if (bar === undefined || bar.held === null) continue;
      const row = rows.get(`${key.symbol}@${key.minuteStartMs}`);
      const held = bar.held;
      bar.held = null;
      this.unseeded.delete(bar);
      if (row !== undefined) {
        bar.lifeLo |= row.maskLo;
        bar.lifeHi |= row.maskHi;
        bar.whole.add(row, row.openSecond, row.closeSecond, row.maskLo, row.maskHi);
      }
      for (const tick of held) {
        const c = coverage(tick, bar.minuteStartMs);
        if (row !== undefined && ((row.maskLo & c.lo) !== 0 || (row.maskHi & c.hi) !== 0)) {
          this.count.duplicatesDropped++;
        } else {
          this.accept(bar, tick, c);
        }
      }
      if (bar.closed) {
        if (bar.announce) this.listeners.emit(bar.toMinuteBar());
        if (!bar.dirty) this.evict(bar);
      }
    }
  }

  /** Bars with seconds not yet handed to the writer. */
  get dirtyCount(): number {
    return this.dirty.size;
  }

  get openBarCount(): number {
    return this.open.size;
  }

  /** Bars held in memory (open, or closed and waiting for their seed or flush). */
  get barsInMemory(): number {
    let total = 0;
    for (const sym of this.symbols.values()) total += sym.bars.size;
    return total;
  }

  /** Monotonic counters, for the status snapshot and tests. */
  status(): AggregatorStatus {
    return { ...this.count, listenerErrors: this.listeners.errors };
  }

  private accept(bar: BarState, tick: TickData, c: Coverage): void {
    bar.whole.add(tick, c.first, c.last, c.lo, c.hi);
    bar.pending.add(tick, c.first, c.last, c.lo, c.hi);
    this.count.secondsApplied++;
    if (bar.closed) this.count.lateApplied++;
    if (!bar.dirty) {
      bar.dirty = true;
      this.dirty.add(bar);
      if (this.dirty.size === this.backlogThreshold) this.backlogListener?.();
    }
  }

  private createBar(
    sym: SymbolState,
    minute: number,
    remembered: RememberedMask | undefined,
  ): BarState {
    const bar = new BarState(sym, minute);
    sym.bars.set(minute, bar);
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
    this.open.remove(bar);
    this.count.barsClosed++;
    // An unseeded bar is announced (and evicted) once its stored part is known: applySeeds.
    if (bar.held !== null) return;
    if (bar.announce) this.listeners.emit(bar.toMinuteBar());
    if (!bar.dirty) this.evict(bar);
  }

  private evict(bar: BarState): void {
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
