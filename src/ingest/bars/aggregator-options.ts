import type { MinuteBar } from '../../domain/minute-bar';

/** Tuning of MinuteBarAggregator; every field has a default (AGGREGATOR_DEFAULTS). */
export interface AggregatorOptions {
  /**
   * A bar closes for every symbol once the global watermark (newest window end seen on the feed,
   * any symbol, minus this grace) passes its minute end. Covers quiet symbols.
   */
  watermarkGraceMs: number;
  /** A bar closes when its own symbol's feed time reaches the minute end plus this (0 = next minute). */
  symbolGraceMs: number;
  /** Masks of evicted bars remembered per symbol, so late duplicates are still recognised. */
  recentMinutesPerSymbol: number;
  /**
   * Bars of minutes up to this (Unix ms) may already be stored by an earlier lifetime: their
   * ticks are held until the writer seeds them with the stored row (see setSeedThrough).
   */
  seedThroughMs: number;
  /** A closed-bar listener threw; the aggregator carries on (counted; createIngest logs it). */
  onListenerError?: (error: unknown, bar: MinuteBar) => void;
}

export const AGGREGATOR_DEFAULTS: AggregatorOptions = {
  watermarkGraceMs: 5_000,
  symbolGraceMs: 0,
  recentMinutesPerSymbol: 5,
  seedThroughMs: -Infinity,
};

/** Monotonic counters of the aggregator (its status()), for the snapshot and tests. */
export interface AggregatorStatus {
  secondsApplied: number;
  /** Seconds (or AM minutes) already counted in this process, dropped. */
  duplicatesDropped: number;
  /** Applied to a bar that had already closed (written to the database, not re-announced). */
  lateApplied: number;
  barsClosed: number;
  barsEvicted: number;
  listenerErrors: number;
}
