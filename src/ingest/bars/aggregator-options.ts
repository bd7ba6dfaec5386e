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
  /**
   * How long after its minute ends (in feed time) a bar keeps its per-second values, so a
   * re-broadcast second replaces exactly its own contribution. Massive corrects for up to 15
   * minutes; CORRECTION_WINDOW_MINUTES (default 16). 0 = corrections are never applied from memory.
   */
  correctionWindowMs: number;
  /** A closed-bar listener threw; the aggregator carries on (counted; createIngest logs it). */
  onListenerError?: (error: unknown, bar: MinuteBar) => void;
  /**
   * A repeat of a second whose earlier version is not in memory (a minute begun before a restart,
   * or already evicted): the minute must be re-fetched from REST once its window has closed.
   */
  onRecheck?: (symbol: string, minuteStartMs: number, reason: RecheckReason) => void;
}

/** Why a minute is re-fetched from REST after its correction window (counted per reason). */
export type RecheckReason = 'restart' | 'evicted' | 'conflict' | 'gap-fill' | 'reconcile';

export const AGGREGATOR_DEFAULTS: AggregatorOptions = {
  watermarkGraceMs: 5_000,
  symbolGraceMs: 0,
  recentMinutesPerSymbol: 5,
  seedThroughMs: -Infinity,
  correctionWindowMs: 16 * 60_000,
};

/** Monotonic counters of the aggregator (its status()), for the snapshot and tests. */
export interface AggregatorStatus {
  secondsApplied: number;
  /** Repeats identical to the version already counted (or repeated AM minutes), dropped. */
  duplicatesDropped: number;
  /** Re-broadcast seconds with new values, applied from memory (the bar is rewritten). */
  correctionsApplied: number;
  /** Re-broadcast seconds whose earlier version is not in memory: their minute is re-checked. */
  correctionsDeferred: number;
  /** Applied to a bar that had already closed (written to the database, not re-announced). */
  lateApplied: number;
  barsClosed: number;
  barsEvicted: number;
  listenerErrors: number;
  /** Bars in memory now (open, or closed and inside their correction window). */
  barsInMemory: number;
}
