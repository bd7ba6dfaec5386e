import { confidenceBetween, round6, type PatternMatch } from '../pattern-catalog';
import {
  barChangePercent,
  candleShape,
  isReadableCandle,
  priorTrend,
  type CandleContext,
  type CandleRule,
  type CandleShape,
} from './candle-geometry';

/**
 * Single-candle patterns, read from each closed 1-minute bar (textbook definitions, e.g. Nison,
 * "Japanese Candlestick Charting Techniques"). Ratios are fractions of the bar's high−low range.
 */

/** Doji: body at most this fraction of the range (open ≈ close: indecision). */
export const DOJI_MAX_BODY_RATIO = 0.1;
/** Hammer family: body at most this fraction of the range (a small real body at one end). */
export const SMALL_BODY_MAX_RATIO = 1 / 3;
/** Hammer family: the long shadow is at least this multiple of the body. */
export const LONG_SHADOW_BODY_MULTIPLE = 2;
/** Hammer family: the opposite shadow is at most this fraction of the range ("little or none"). */
export const SHORT_SHADOW_MAX_RATIO = 0.1;
/**
 * Hammer family: the smallest long-shadow fraction the three conditions above allow (body 0.3,
 * opposite shadow 0.1); confidence rises from 0.5 there to 1 for a shadow spanning the range.
 */
export const LONG_SHADOW_MIN_RATIO = 0.6;

function indicatorsOf(ctx: CandleContext, shape: CandleShape): Record<string, number> {
  return {
    relativeVolume: round6(ctx.relativeVolume),
    bodyRatio: round6(shape.bodyRatio),
    upperShadowRatio: round6(shape.upperRatio),
    lowerShadowRatio: round6(shape.lowerRatio),
  };
}

/** Doji: |close − open| ≤ 10% of the range; neutral (indecision), any trend. */
export const detectDoji: CandleRule = (ctx) => {
  if (!isReadableCandle(ctx.bar)) return null;
  const shape = candleShape(ctx.bar);
  if (!(shape.bodyRatio <= DOJI_MAX_BODY_RATIO)) return null;
  return {
    pattern: 'Doji',
    direction: 'neutral',
    confidence: confidenceBetween(shape.bodyRatio, DOJI_MAX_BODY_RATIO, 0),
    priceChange: round6(barChangePercent(ctx.bar)),
    indicators: indicatorsOf(ctx, shape),
  };
};

/** Small body at the top, lower shadow ≥ 2× body, upper shadow ≤ 10% of range. */
function hasHammerShape(s: CandleShape): boolean {
  return (
    s.bodyRatio <= SMALL_BODY_MAX_RATIO &&
    s.lowerShadow >= LONG_SHADOW_BODY_MULTIPLE * s.body &&
    s.upperRatio <= SHORT_SHADOW_MAX_RATIO
  );
}

/** Small body at the bottom, upper shadow ≥ 2× body, lower shadow ≤ 10% of range. */
function hasInvertedShape(s: CandleShape): boolean {
  return (
    s.bodyRatio <= SMALL_BODY_MAX_RATIO &&
    s.upperShadow >= LONG_SHADOW_BODY_MULTIPLE * s.body &&
    s.lowerRatio <= SHORT_SHADOW_MAX_RATIO
  );
}

function hammerFamily(
  ctx: CandleContext,
  pattern: 'Hammer' | 'Hanging_Man' | 'Shooting_Star',
): PatternMatch | null {
  if (!isReadableCandle(ctx.bar)) return null;
  const shape = candleShape(ctx.bar);
  const inverted = pattern === 'Shooting_Star';
  if (!(inverted ? hasInvertedShape(shape) : hasHammerShape(shape))) return null;
  const needed = pattern === 'Hammer' ? 'down' : 'up';
  if (priorTrend(ctx.prior) !== needed) return null;
  const shadowRatio = inverted ? shape.upperRatio : shape.lowerRatio;
  return {
    pattern,
    direction: pattern === 'Hammer' ? 'bullish' : 'bearish',
    confidence: confidenceBetween(shadowRatio, LONG_SHADOW_MIN_RATIO, 1),
    priceChange: round6(barChangePercent(ctx.bar)),
    indicators: indicatorsOf(ctx, shape),
  };
}

/** Hammer: hammer shape (long lower shadow, small body on top) after a decline; bullish. */
export const detectHammer: CandleRule = (ctx) => hammerFamily(ctx, 'Hammer');

/** Hanging_Man: the same hammer shape after a rise; bearish. */
export const detectHangingMan: CandleRule = (ctx) => hammerFamily(ctx, 'Hanging_Man');

/** Shooting_Star: long upper shadow, small body at the bottom, after a rise; bearish. */
export const detectShootingStar: CandleRule = (ctx) => hammerFamily(ctx, 'Shooting_Star');

export const SINGLE_CANDLE_RULES: readonly CandleRule[] = [
  detectDoji,
  detectHammer,
  detectHangingMan,
  detectShootingStar,
];
