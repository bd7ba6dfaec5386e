/** A 1-minute bar as the aggregator holds it in memory (prices as numbers, see TickData). */
export interface MinuteBar {
  symbol: string;
  /** Minute start, Unix ms (a multiple of 60,000). */
  minuteStartMs: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  vwap: number | null;
}

/** Receives each minute bar once, when the aggregator closes it (feed time moved past it). */
export type BarClosedListener = (bar: MinuteBar) => void;

export const MINUTE_MS = 60_000;

export function minuteStart(ms: number): number {
  return ms - (((ms % MINUTE_MS) + MINUTE_MS) % MINUTE_MS);
}
