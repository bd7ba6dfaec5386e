import type { SimAggregate } from '../../src/ingest/simulator/generator';

/** A minute bar computed by the tests themselves, independently of the simulator's MinuteBook. */
export interface ExpectedBar {
  symbol: string;
  minuteStartMs: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  vwap: number;
}

/**
 * Independent roll-up of per-second aggregates: events sorted by (symbol, second), then open of
 * the earliest, max high, min low, close of the latest, sum of volume, volume-weighted `vw`.
 */
export function rollUp(events: readonly SimAggregate[]): Map<string, ExpectedBar> {
  const sorted = [...events].sort((a, b) => (a.sym === b.sym ? a.s - b.s : a.sym < b.sym ? -1 : 1));
  const bars = new Map<string, ExpectedBar & { value: number }>();
  for (const event of sorted) {
    const minute = event.s - (event.s % 60_000);
    const key = barKey(event.sym, minute);
    const bar = bars.get(key);
    if (!bar) {
      bars.set(key, {
        symbol: event.sym,
        minuteStartMs: minute,
        open: event.o,
        high: event.h,
        low: event.l,
        close: event.c,
        volume: event.v,
        vwap: 0,
        value: event.vw * event.v,
      });
      continue;
    }
    bar.high = Math.max(bar.high, event.h);
    bar.low = Math.min(bar.low, event.l);
    bar.close = event.c;
    bar.volume += event.v;
    bar.value += event.vw * event.v;
  }
  const out = new Map<string, ExpectedBar>();
  for (const [key, { value, ...bar }] of bars) out.set(key, { ...bar, vwap: value / bar.volume });
  return out;
}

export function barKey(symbol: string, minuteStartMs: number): string {
  return `${symbol}|${minuteStartMs}`;
}
