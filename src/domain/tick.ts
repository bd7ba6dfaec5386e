import type { OhlcvValues } from './minute-bar';
/** Massive aggregate event types TickStock ingests: per-second (`A`) and per-minute (`AM`). */
export type AggregateEventType = 'A' | 'AM';
export type TickSource = 'massive' | 'simulator';

/**
 * The one domain type for an aggregate window.
 *
 * Prices are JS numbers parsed from the frame's JSON. That loses nothing: every price with at
 * most 15 significant digits survives JSON text → double → `String(n)` exactly (ECMAScript's
 * shortest round-trip formatting), and TickStock never does arithmetic on prices — it only
 * compares and selects them — so the text written to NUMERIC columns (`decimalText()`) is the
 * decimal the feed sent.
 */
export interface TickData extends OhlcvValues {
  symbol: string;
  eventType: AggregateEventType;
  /** Window start / end, Unix ms. */
  startMs: number;
  endMs: number;
  /** `vw` is the window VWAP, when sent. */
  /** Day accumulated volume (`av`), when sent. */
  accumulatedVolume: number | null;
  /** Day open (`op`), day VWAP (`a`), average trade size (`z`), when sent. */
  dayOpen: number | null;
  dayVwap: number | null;
  averageTradeSize: number | null;
  source: TickSource;
  /** Local wall-clock receive time, Unix ms (for lag and latency). */
  receivedAtMs: number;
}

/** Why an event or frame was dropped; each is counted separately in stats. */
export const REJECT_REASONS = [
  'malformed_json',
  'not_an_array',
  'not_an_object',
  'unknown_event',
  'missing_field',
  'invalid_number',
  'negative_value',
  'inconsistent_prices',
  'bad_symbol',
  'absurd_timestamp',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** Formats a price for a NUMERIC column: the exact decimal the feed sent (see TickData). */
export function decimalText(value: number): string {
  return String(value);
}
