import { confidenceBetween, round6, safeRatio, type PatternMatch } from '../pattern-catalog';
import {
  barChangePercent,
  candleShape,
  isReadableCandle,
  type CandleContext,
  type CandleRule,
} from './candle-geometry';

/**
 * Three-candle star patterns on each closed 1-minute bar and the two bars before it.
 * Textbook stars gap away from the first body; consecutive intraday minutes rarely gap, so the
 * star's body need only sit beyond the first candle's close (at or past it), not gap.
 */

/** Stars: the first candle is long, its body at least this fraction of its range. */
export const STAR_MIN_FIRST_BODY_RATIO = 0.5;
/** Stars: the star's body is at most this fraction of the first body. */
export const STAR_MAX_STAR_BODY_FRACTION = 0.3;
/** Stars: the third candle closes at least this far into the first body (0.5 = past its midpoint). */
export const STAR_MIN_PENETRATION = 0.5;

function star(ctx: CandleContext, morning: boolean): PatternMatch | null {
  const n = ctx.prior.length;
  if (n < 2 || !isReadableCandle(ctx.bar)) return null;
  const first = ctx.prior[n - 2];
  const s1 = candleShape(first);
  const s2 = candleShape(ctx.prior[n - 1]);
  const s3 = candleShape(ctx.bar);
  const down = morning ? -1 : 1; // colour of the first candle: the move the star reverses
  if (s1.color !== down || !(s1.bodyRatio >= STAR_MIN_FIRST_BODY_RATIO)) return null;
  if (!(s2.body <= STAR_MAX_STAR_BODY_FRACTION * s1.body)) return null;
  // The star sits beyond the first close: below it for a morning star, above it for an evening star.
  if (morning ? !(s2.bodyTop <= first.close) : !(s2.bodyBottom >= first.close)) return null;
  if (s3.color !== -down) return null;
  // How far the third close travels back into the first body, 0 at its close, 1 at its open.
  const penetration = safeRatio((ctx.bar.close - first.close) * -down, s1.body);
  if (!(penetration > STAR_MIN_PENETRATION)) return null;
  return {
    pattern: morning ? 'Morning_Star' : 'Evening_Star',
    direction: morning ? 'bullish' : 'bearish',
    confidence: confidenceBetween(penetration, STAR_MIN_PENETRATION, 1),
    priceChange: round6(barChangePercent(ctx.bar)),
    indicators: {
      relativeVolume: round6(ctx.relativeVolume),
      penetration: round6(penetration),
      starBodyFraction: round6(safeRatio(s2.body, s1.body)),
    },
  };
}

/** Morning_Star: long bearish candle, small star at/below its close, bullish close past its midpoint; bullish. */
export const detectMorningStar: CandleRule = (ctx) => star(ctx, true);

/** Evening_Star: long bullish candle, small star at/above its close, bearish close past its midpoint; bearish. */
export const detectEveningStar: CandleRule = (ctx) => star(ctx, false);

export const THREE_CANDLE_RULES: readonly CandleRule[] = [detectMorningStar, detectEveningStar];
