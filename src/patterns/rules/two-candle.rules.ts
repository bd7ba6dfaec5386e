import { confidenceBetween, round6, safeRatio, type PatternMatch } from '../pattern-catalog';
import {
  barChangePercent,
  candleShape,
  isReadableCandle,
  type CandleContext,
  type CandleRule,
} from './candle-geometry';

/**
 * Two-candle patterns on each closed 1-minute bar and the bar before it. The colour of the
 * first candle is the trend context these definitions need (a bearish candle being engulfed,
 * a long candle being "pregnant" with a small one).
 */

/** Engulfing: the engulfing body's size (× the engulfed body) at which confidence reaches 1. */
export const ENGULFING_FULL_CONFIDENCE_MULTIPLE = 3;
/** Harami: the first (mother) candle's body is at least this fraction of its range (a long candle). */
export const HARAMI_MIN_MOTHER_BODY_RATIO = 0.5;
/** Harami: the second body is at most this fraction of the first body. */
export const HARAMI_MAX_BODY_FRACTION = 0.5;

function engulfing(ctx: CandleContext, bullish: boolean): PatternMatch | null {
  const previous = ctx.prior[ctx.prior.length - 1];
  if (previous === undefined || !isReadableCandle(ctx.bar)) return null;
  const cur = candleShape(ctx.bar);
  const prev = candleShape(previous);
  const colour = bullish ? 1 : -1;
  // Opposite colours: the engulfed candle goes with the old move, the engulfing one against it.
  if (prev.color !== -colour || cur.color !== colour) return null;
  // The real body covers the previous real body, and is strictly larger (equal bodies are not engulfing).
  if (!(cur.bodyBottom <= prev.bodyBottom && cur.bodyTop >= prev.bodyTop && cur.body > prev.body)) {
    return null;
  }
  const multiple = safeRatio(cur.body, prev.body);
  return {
    pattern: bullish ? 'Engulfing_Bull' : 'Engulfing_Bear',
    direction: bullish ? 'bullish' : 'bearish',
    confidence: confidenceBetween(multiple, 1, ENGULFING_FULL_CONFIDENCE_MULTIPLE),
    priceChange: round6(barChangePercent(ctx.bar)),
    indicators: {
      relativeVolume: round6(ctx.relativeVolume),
      bodyMultiple: round6(multiple),
      bodyRatio: round6(cur.bodyRatio),
    },
  };
}

/** Engulfing_Bull: a bearish candle, then a bullish one whose body covers it and is larger; bullish. */
export const detectEngulfingBull: CandleRule = (ctx) => engulfing(ctx, true);

/** Engulfing_Bear: a bullish candle, then a bearish one whose body covers it and is larger; bearish. */
export const detectEngulfingBear: CandleRule = (ctx) => engulfing(ctx, false);

/**
 * Harami: a long candle (body ≥ 50% of its range), then a body ≤ 50% of it inside its body
 * (either colour; a doji inside is the harami cross); reversal of the first candle's move.
 */
export const detectHarami: CandleRule = (ctx) => {
  const previous = ctx.prior[ctx.prior.length - 1];
  if (previous === undefined || !isReadableCandle(ctx.bar)) return null;
  const cur = candleShape(ctx.bar);
  const mother = candleShape(previous);
  if (mother.color === 0 || !(mother.bodyRatio >= HARAMI_MIN_MOTHER_BODY_RATIO)) return null;
  if (!(cur.bodyTop <= mother.bodyTop && cur.bodyBottom >= mother.bodyBottom)) return null;
  const fraction = safeRatio(cur.body, mother.body);
  if (!(fraction <= HARAMI_MAX_BODY_FRACTION)) return null;
  return {
    pattern: 'Harami',
    direction: 'reversal',
    confidence: confidenceBetween(fraction, HARAMI_MAX_BODY_FRACTION, 0),
    priceChange: round6(barChangePercent(ctx.bar)),
    indicators: {
      relativeVolume: round6(ctx.relativeVolume),
      bodyFraction: round6(fraction),
      motherBodyRatio: round6(mother.bodyRatio),
      /** +1: the first candle was bullish (a bearish reversal is signalled), −1 the opposite. */
      priorColor: mother.color,
    },
  };
};

export const TWO_CANDLE_RULES: readonly CandleRule[] = [
  detectEngulfingBull,
  detectEngulfingBear,
  detectHarami,
];
