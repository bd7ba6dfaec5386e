/**
 * A bar size: `multiplier × unit`, as Massive's aggregates API names it (`5/minute`, `1/day`).
 * Buckets are aligned in America/New_York (see src/services/timeframe-buckets.ts).
 */
export type TimeUnit = 'minute' | 'hour' | 'day' | 'week' | 'month';

export const TIME_UNITS: readonly TimeUnit[] = ['minute', 'hour', 'day', 'week', 'month'];

export interface Timeframe {
  multiplier: number;
  unit: TimeUnit;
}

/** ALL: every stored minute (pre-market and after-hours included); REGULAR: 09:30–16:00 New York. */
export type TradingSession = 'ALL' | 'REGULAR';

export const ONE_MINUTE: Timeframe = { multiplier: 1, unit: 'minute' };

/** `5/minute`, `1/day`: how messages and cursors name a timeframe. */
export function timeframeLabel(timeframe: Timeframe): string {
  return `${timeframe.multiplier}/${timeframe.unit}`;
}

export function isOneMinute(timeframe: Timeframe): boolean {
  return timeframe.unit === 'minute' && timeframe.multiplier === 1;
}
