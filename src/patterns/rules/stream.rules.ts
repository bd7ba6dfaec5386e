import {
  confidenceBetween,
  percentChange,
  round6,
  safeRatio,
  type PatternDirection,
  type PatternMatch,
} from '../pattern-catalog';

/**
 * Stream rules: evaluated on every per-second aggregate against the symbol's recent ticks.
 * Pure functions of a StreamContext the engine fills in O(1) from its ring buffer.
 */

/** High_Volume_Surge: volume above this multiple of the preceding window's mean volume. */
export const SURGE_VOLUME_MULTIPLE = 3;
/** High_Volume_Surge: the preceding mean must exceed this (thin tape is not a baseline). */
export const SURGE_MIN_MEAN_VOLUME = 100;
/** High_Volume_Surge: ticks the window needs before its mean means anything. */
export const SURGE_MIN_WINDOW = 10;
/** High_Volume_Surge: relative volume at which confidence reaches 1. */
export const SURGE_FULL_CONFIDENCE_MULTIPLE = 6;
/** Price_Gap: absolute close-to-close move vs the previous tick, in percent, that must be exceeded. */
export const GAP_MIN_PERCENT = 2;
/** Price_Gap: move (percent) at which confidence reaches 1. */
export const GAP_FULL_CONFIDENCE_PERCENT = 4;

/** The current tick and what precedes it; the window excludes the current tick. */
export interface StreamContext {
  open: number;
  close: number;
  volume: number;
  /** Close of the previous tick of this symbol, NaN when there is none. */
  previousClose: number;
  /** Preceding ticks in the window and the sum of their volumes. */
  windowCount: number;
  windowVolumeSum: number;
}

/** Mean volume of the preceding window, 0 for an empty window. */
export function windowMeanVolume(ctx: StreamContext): number {
  return safeRatio(ctx.windowVolumeSum, ctx.windowCount);
}

/** Current volume / preceding mean; 0 when there is no baseline (empty or all-zero window). */
export function relativeVolume(ctx: StreamContext): number {
  return safeRatio(ctx.volume, windowMeanVolume(ctx));
}

/** The tick's move in percent: vs the previous close, or vs its own open for a symbol's first tick. */
export function tickChangePercent(ctx: StreamContext): number {
  const base = Number.isFinite(ctx.previousClose) ? ctx.previousClose : ctx.open;
  return percentChange(base, ctx.close);
}

function directionOf(changePercent: number): PatternDirection {
  return changePercent > 0 ? 'bullish' : changePercent < 0 ? 'bearish' : 'neutral';
}

/** High_Volume_Surge: volume > 3× the mean of the preceding window (≥ 10 ticks), that mean > 100. */
export function detectHighVolumeSurge(ctx: StreamContext): PatternMatch | null {
  if (ctx.windowCount < SURGE_MIN_WINDOW) return null;
  const mean = windowMeanVolume(ctx);
  // The mean test comes first: a flat, all-zero window (the old divide-by-zero) stops here.
  if (!(mean > SURGE_MIN_MEAN_VOLUME)) return null;
  if (!(ctx.volume > SURGE_VOLUME_MULTIPLE * mean)) return null;
  const ratio = ctx.volume / mean;
  const change = tickChangePercent(ctx);
  return {
    pattern: 'High_Volume_Surge',
    direction: directionOf(change),
    confidence: confidenceBetween(ratio, SURGE_VOLUME_MULTIPLE, SURGE_FULL_CONFIDENCE_MULTIPLE),
    priceChange: round6(change),
    indicators: {
      relativeVolume: round6(ratio),
      volume: ctx.volume,
      meanVolume: round6(mean),
      windowSize: ctx.windowCount,
    },
  };
}

/** Price_Gap: |close − previous close| / previous close > 2%. */
export function detectPriceGap(ctx: StreamContext): PatternMatch | null {
  if (!(Number.isFinite(ctx.previousClose) && ctx.previousClose > 0)) return null;
  const change = percentChange(ctx.previousClose, ctx.close);
  if (!(Math.abs(change) > GAP_MIN_PERCENT)) return null;
  return {
    pattern: 'Price_Gap',
    direction: directionOf(change),
    confidence: confidenceBetween(Math.abs(change), GAP_MIN_PERCENT, GAP_FULL_CONFIDENCE_PERCENT),
    priceChange: round6(change),
    indicators: {
      relativeVolume: round6(relativeVolume(ctx)),
      gapPercent: round6(change),
      previousClose: ctx.previousClose,
    },
  };
}

/** The stream rules in evaluation order. */
export const STREAM_RULES: ReadonlyArray<(ctx: StreamContext) => PatternMatch | null> = [
  detectHighVolumeSurge,
  detectPriceGap,
];
