import { MINUTE_MS, minuteStart } from '../../domain/minute-bar';
import type { SimAggregate } from './generator';
import { roundTo } from './generator';

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
  /** Number of seconds (aggregates) rolled into the minute. */
  n: number;
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
}

/**
 * Every generated second rolled up into minute bars, per symbol, so the REST endpoint serves
 * exactly what the WebSocket could have delivered. Seconds arrive in time order per symbol, so
 * each symbol's bars are an append-only sorted array; bars older than `retainMinutes` are dropped.
 */
export class MinuteBook {
  private readonly bySymbol = new Map<string, BookBar[]>();
  private newestMinuteMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly retainMinutes: number) {}

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
        last.v += event.v;
        last.value += event.vw * event.v;
        last.n++;
      } else {
        bars.push({
          t,
          o: event.o,
          h: event.h,
          l: event.l,
          c: event.c,
          v: event.v,
          value: event.vw * event.v,
          n: 1,
        });
      }
      if (t > this.newestMinuteMs) this.advance(t);
    }
  }

  /**
   * Bars of `symbol` with t in [fromMs, toMs] whose minute ended at or before `completeBeforeMs`
   * (only fully elapsed minutes: a partial minute would later change under the client).
   */
  bars(symbol: string, fromMs: number, toMs: number, completeBeforeMs: number): SimMinuteBar[] {
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
      if (bar.t > toMs || bar.t + MINUTE_MS > completeBeforeMs) break;
      out.push({
        t: bar.t,
        o: bar.o,
        h: bar.h,
        l: bar.l,
        c: bar.c,
        v: bar.v,
        vw: roundTo(bar.value / bar.v, 4),
        n: bar.n,
      });
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
