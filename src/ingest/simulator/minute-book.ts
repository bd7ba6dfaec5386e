import { MINUTE_MS, minuteStart } from '../../domain/minute-bar';
import type { SimAggregate } from './generator';
import { roundTo, tradeCount } from './generator';

/** One REST aggregates result, Massive's field names. */
export interface SimMinuteBar {
  /** Minute start, Unix ms. */
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  /** Volume-weighted average of the seconds' `vw`, 4 decimals. */
  vw: number;
  /** Number of trades: the sum of the seconds' `tradeCount` (their `v / z`). */
  n: number;
  /** Present only for OTC tickers (Massive leaves the field off when false). */
  otc?: true;
}

interface BookBar {
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  value: number;
  n: number;
  /** Starts of the seconds that set the open and the close. */
  openS: number;
  closeS: number;
  otc: true | undefined;
}

/**
 * Every broadcast second rolled up into minute bars, per symbol, so the REST endpoint serves
 * exactly what the WebSocket could have delivered, corrections included. First versions
 * arrive in time order per symbol, so each symbol's bars are an append-only sorted array;
 * a correction replaces its second's contribution in place (volume, VWAP sum and trade count
 * by difference, high/low as a running max/min because corrections only widen them, open and
 * close when the corrected second is the bar's first or last). Bars older than
 * `retainMinutes` are dropped.
 */
export class MinuteBook {
  private readonly bySymbol = new Map<string, BookBar[]>();
  private newestMinuteMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly retainMinutes: number) {}

  /** First versions, in time order per symbol. */
  record(events: readonly SimAggregate[]): void {
    for (let i = 0; i < events.length; i++) {
      const event = events[i];
      const t = minuteStart(event.s);
      let bars = this.bySymbol.get(event.sym);
      if (bars === undefined) {
        bars = [];
        this.bySymbol.set(event.sym, bars);
      }
      const last = bars.length > 0 ? bars[bars.length - 1] : undefined;
      if (last !== undefined && last.t === t) {
        if (event.h > last.h) last.h = event.h;
        if (event.l < last.l) last.l = event.l;
        last.c = event.c;
        last.closeS = event.s;
        last.v += event.v;
        last.value += event.vw * event.v;
        last.n += tradeCount(event);
      } else {
        bars.push({
          t,
          o: event.o,
          h: event.h,
          l: event.l,
          c: event.c,
          v: event.v,
          value: event.vw * event.v,
          n: tradeCount(event),
          openS: event.s,
          closeS: event.s,
          otc: event.otc,
        });
      }
      if (t > this.newestMinuteMs) this.advance(t);
    }
  }

  /** A later version of a second already recorded; ignored when its minute is no longer held. */
  correct(previous: SimAggregate, next: SimAggregate): void {
    const bars = this.bySymbol.get(next.sym);
    if (bars === undefined) return;
    const t = minuteStart(next.s);
    let i = bars.length - 1;
    while (i >= 0 && bars[i].t > t) i--;
    if (i < 0 || bars[i].t !== t) return;
    const bar = bars[i];
    if (next.h > bar.h) bar.h = next.h;
    if (next.l < bar.l) bar.l = next.l;
    if (next.s === bar.openS) bar.o = next.o;
    if (next.s === bar.closeS) bar.c = next.c;
    bar.v += next.v - previous.v;
    bar.value += next.vw * next.v - previous.vw * previous.v;
    bar.n += tradeCount(next) - tradeCount(previous);
  }

  /**
   * Bars of `symbol` with t in [fromMs, toMs] that REST has published by feed time `nowMs`:
   * a minute is published `lagMs(t)` after it ends (a partial minute is never served).
   */
  bars(
    symbol: string,
    fromMs: number,
    toMs: number,
    nowMs: number,
    lagMs: (minuteStartMs: number) => number = () => 0,
  ): SimMinuteBar[] {
    const bars = this.bySymbol.get(symbol);
    if (bars === undefined) return [];
    let lo = 0;
    let hi = bars.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (bars[mid].t < fromMs) lo = mid + 1;
      else hi = mid;
    }
    const out: SimMinuteBar[] = [];
    for (let i = lo; i < bars.length; i++) {
      const bar = bars[i];
      if (bar.t > toMs || bar.t + MINUTE_MS > nowMs) break;
      if (bar.t + MINUTE_MS + lagMs(bar.t) > nowMs) continue;
      const result: SimMinuteBar = {
        t: bar.t,
        o: bar.o,
        h: bar.h,
        l: bar.l,
        c: bar.c,
        v: bar.v,
        vw: roundTo(bar.value / bar.v, 4),
        n: bar.n,
      };
      if (bar.otc) result.otc = true;
      out.push(result);
    }
    return out;
  }

  /** Oldest minute still held, or null when empty. */
  oldestMinuteMs(): number | null {
    let oldest: number | null = null;
    for (const bars of this.bySymbol.values()) {
      if (bars.length > 0 && (oldest === null || bars[0].t < oldest)) oldest = bars[0].t;
    }
    return oldest;
  }

  private advance(newestMinuteMs: number): void {
    this.newestMinuteMs = newestMinuteMs;
    const cutoff = newestMinuteMs - this.retainMinutes * MINUTE_MS;
    for (const bars of this.bySymbol.values()) {
      let drop = 0;
      while (drop < bars.length && bars[drop].t < cutoff) drop++;
      if (drop > 0) bars.splice(0, drop);
    }
  }
}
