import type { PatternEvent } from '../domain/pattern-event';

/** Every pattern the engine can emit; the `pattern` column and GraphQL `pattern` hold these names. */
export const PATTERN_NAMES = [
  'High_Volume_Surge',
  'Price_Gap',
  'Doji',
  'Hammer',
  'Hanging_Man',
  'Shooting_Star',
  'Engulfing_Bull',
  'Engulfing_Bear',
  'Harami',
  'Morning_Star',
  'Evening_Star',
] as const;
export type PatternName = (typeof PATTERN_NAMES)[number];

export type PatternDirection = PatternEvent['direction'];

const MINUTE = 60_000;

/**
 * How long a detection stays actionable (`expiresAt = timestamp + validity`). Stream signals
 * are about the next few seconds/minutes; multi-bar candle formations describe a longer setup.
 */
export const PATTERN_VALIDITY_MS: Readonly<Record<PatternName, number>> = {
  High_Volume_Surge: 5 * MINUTE,
  Price_Gap: 5 * MINUTE,
  Doji: 15 * MINUTE,
  Hammer: 15 * MINUTE,
  Hanging_Man: 15 * MINUTE,
  Shooting_Star: 15 * MINUTE,
  Engulfing_Bull: 20 * MINUTE,
  Engulfing_Bear: 20 * MINUTE,
  Harami: 20 * MINUTE,
  Morning_Star: 30 * MINUTE,
  Evening_Star: 30 * MINUTE,
};

/** What a rule reports when it holds; the engine adds symbol, price, timestamps and source. */
export interface PatternMatch {
  pattern: PatternName;
  direction: PatternDirection;
  /** 0..1, from how far past its threshold the rule holds. */
  confidence: number;
  /** Percent change the rule measured (the move for stream rules, the bar's close vs open for candles). */
  priceChange: number;
  /** What the rule measured; always finite numbers (JSON has no NaN/Infinity). */
  indicators: Record<string, number>;
}

/** Clamps to 0..1; a non-finite input (never expected) becomes 0 rather than leaking NaN. */
export function clamp01(value: number): number {
  if (!Number.isFinite(value)) return 0;
  return value < 0 ? 0 : value > 1 ? 1 : value;
}

/** a / b, or `fallback` when b is zero (flat windows, zero-range bars): never NaN or Infinity. */
export function safeRatio(a: number, b: number, fallback = 0): number {
  return b === 0 ? fallback : a / b;
}

/**
 * Maps "how strongly the rule holds" to a confidence: exactly at the threshold → 0.5, at
 * `full` (or beyond) → 1. Works for either direction of comparison (full < threshold too).
 */
export function confidenceBetween(value: number, threshold: number, full: number): number {
  return clamp01(0.5 + 0.5 * safeRatio(value - threshold, full - threshold));
}

/** Percent change from `from` to `to`; 0 when `from` is 0. */
export function percentChange(from: number, to: number): number {
  return safeRatio(to - from, from) * 100;
}

/** Rounds an indicator so events stay small and readable (6 significant decimals is plenty). */
export function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
