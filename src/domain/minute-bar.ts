/** What any aggregate window carries: prices as numbers (see TickData), volume in shares. */
export interface OhlcvValues {
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  /** Volume-weighted average price, when known. */
  vwap: number | null;
}

/** A 1-minute bar as the aggregator holds it in memory. */
export interface MinuteBar extends OhlcvValues {
  symbol: string;
  /** Minute start, Unix ms (a multiple of 60,000). */
  minuteStartMs: number;
}

/** Receives each minute bar once, when the aggregator closes it (feed time moved past it). */
export type BarClosedListener = (bar: MinuteBar) => void;

export const MINUTE_MS = 60_000;

export function minuteStart(ms: number): number {
  return ms - (((ms % MINUTE_MS) + MINUTE_MS) % MINUTE_MS);
}
