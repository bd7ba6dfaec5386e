import type { StoredBar } from './stored-bar';

/**
 * What one flush writes for one bar: the seconds applied to it since its last flush, rolled up.
 * The database merges a delta into the stored row (open/close by second index, high/low by
 * GREATEST/LEAST, volume summed) only when none of its seconds are already counted there, so
 * writing the same delta twice is a no-op.
 */
export interface BarDelta {
  symbol: string;
  /** Minute start, Unix ms. */
  minuteStartMs: number;
  open: number;
  /** Second of the minute (0–59) the open came from: the earliest second in this delta. */
  openSecond: number;
  high: number;
  low: number;
  close: number;
  /** Second of the minute the close came from: the latest second in this delta. */
  closeSecond: number;
  volume: number;
  /** Volume-weighted average of the seconds' window VWAPs, null when none carried one. */
  vwap: number | null;
  /** Seconds 0–29 in this delta (bit n = second n). */
  maskLo: number;
  /** Seconds 30–59 in this delta (bit n = second 30 + n). */
  maskHi: number;
  /**
   * The whole bar after a correction: it replaces the stored row (all values and the mask)
   * instead of merging into it, and only when the stored row counts no second it lacks.
   */
  replace?: true;
}

/** Outcome of writing one batch of deltas. */
export interface UpsertDeltasResult {
  /** Rows inserted or merged, with their merged stored values. */
  stored: StoredBar[];
  /** Deltas the database refused because some of their seconds were already counted. */
  ignored: number;
  /**
   * Of the ignored deltas, those that also held seconds the database did NOT have (a delta that
   * mixes re-delivered and new seconds cannot be split once rolled up): data lost, logged loudly.
   * Also counts rewrites refused because the stored row holds seconds the rewrite lacks.
   * Null when that diagnostic query itself failed.
   */
  conflicts: number | null;
  /** The bars behind `conflicts`: their data is not in the row, so they are re-checked from REST. */
  refused: BarKey[];
}

/**
 * How REST minutes are written: `prompt` fills a gap now (never over a row holding more
 * volume), `final` replaces after the correction window has closed (REST is the truth then).
 */
export type RestWriteMode = 'prompt' | 'final';

/** Identifies one bar. */
export interface BarKey {
  symbol: string;
  minuteStartMs: number;
}

/** A stored row as the aggregator needs it to continue a bar another lifetime began: the same
 * fields as a delta, for all the seconds the row counts. */
export type StoredBarState = BarDelta;

/** Rounds a VWAP to 6 decimals, the scale the database merge also rounds to. */
export function roundVwap(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
