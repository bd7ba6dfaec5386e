import type { TickData } from '../../src/domain/tick';

/** A bar as the database should hold it, in the text form `readStoredBars` returns. */
export interface ExpectedBar {
  symbol: string;
  /** Minute start, ISO-8601. */
  timestamp: string;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: number;
  vwap: number | null;
}

export const barKey = (symbol: string, timestampIso: string) => `${symbol} ${timestampIso}`;

/**
 * Independent reference roll-up, written without the aggregator: keep the first copy of every
 * (symbol, second), group by (symbol, minute), sort each group by second, then take open of the
 * first, close of the last, max/min, sums. Per-second (`A`) ticks only.
 */
export function referenceRollup(ticks: readonly TickData[]): Map<string, ExpectedBar> {
  const firstCopy = new Map<string, TickData>();
  for (const tick of ticks) {
    if (tick.eventType !== 'A') throw new Error('referenceRollup handles per-second ticks only');
    const id = `${tick.symbol}@${tick.startMs}`;
    if (!firstCopy.has(id)) firstCopy.set(id, tick);
  }
  const groups = new Map<string, TickData[]>();
  for (const tick of firstCopy.values()) {
    const minuteIso = new Date(Math.floor(tick.startMs / 60_000) * 60_000).toISOString();
    const key = barKey(tick.symbol, minuteIso);
    const group = groups.get(key);
    if (group) group.push(tick);
    else groups.set(key, [tick]);
  }
  const bars = new Map<string, ExpectedBar>();
  for (const [key, group] of groups) {
    group.sort((a, b) => a.startMs - b.startMs);
    const first = group[0];
    const last = group[group.length - 1];
    let high = first.high;
    let low = first.low;
    let volume = 0;
    let notional = 0;
    let vwapVolume = 0;
    let anyVwap = false;
    for (const t of group) {
      high = Math.max(high, t.high);
      low = Math.min(low, t.low);
      volume += t.volume;
      if (t.vwap !== null) {
        anyVwap = true;
        notional += t.vwap * t.volume;
        vwapVolume += t.volume;
      }
    }
    bars.set(key, {
      symbol: first.symbol,
      timestamp: new Date(Math.floor(first.startMs / 60_000) * 60_000).toISOString(),
      open: String(first.open),
      high: String(high),
      low: String(low),
      close: String(last.close),
      volume,
      vwap: anyVwap && vwapVolume > 0 ? notional / vwapVolume : null,
    });
  }
  return bars;
}
