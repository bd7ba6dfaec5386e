import type { MinuteBar } from '../../domain/minute-bar';
import { safeRatio, type PatternMatch } from '../pattern-catalog';

/** The OHLCV fields candle rules read (a MinuteBar or anything shaped like one). */
export type Candle = Pick<MinuteBar, 'open' | 'high' | 'low' | 'close' | 'volume'>;

/** What every candle rule sees: the just-closed bar, the bars before it and its relative volume. */
export interface CandleContext {
  bar: Candle;
  /** Closed bars before `bar`, oldest first (the engine keeps the last few per symbol). */
  prior: readonly Candle[];
  /** bar volume / mean volume of `prior`; 0 when there is no baseline. */
  relativeVolume: number;
}

export type CandleRule = (ctx: CandleContext) => PatternMatch | null;

/** Body and shadows of a candle, absolute and as fractions of its range (0 for a zero-range bar). */
export interface CandleShape {
  range: number;
  body: number;
  bodyTop: number;
  bodyBottom: number;
  upperShadow: number;
  lowerShadow: number;
  /** +1 close above open, −1 below, 0 equal. */
  color: 1 | -1 | 0;
  bodyRatio: number;
  upperRatio: number;
  lowerRatio: number;
}

export function candleShape(c: Candle): CandleShape {
  const range = c.high - c.low;
  const bodyTop = Math.max(c.open, c.close);
  const bodyBottom = Math.min(c.open, c.close);
  const body = bodyTop - bodyBottom;
  const upperShadow = c.high - bodyTop;
  const lowerShadow = bodyBottom - c.low;
  return {
    range,
    body,
    bodyTop,
    bodyBottom,
    upperShadow,
    lowerShadow,
    color: c.close > c.open ? 1 : c.close < c.open ? -1 : 0,
    // A zero-range bar has no shape: ratios are 0, never NaN.
    bodyRatio: safeRatio(body, range),
    upperRatio: safeRatio(upperShadow, range),
    lowerRatio: safeRatio(lowerShadow, range),
  };
}

/**
 * A bar a candle pattern can be read from: it traded and it moved. Zero-range bars (o=h=l=c,
 * common on thin symbols) and zero-volume bars carry no signal, so no candle rule fires on them.
 */
export function isReadableCandle(c: Candle): boolean {
  return c.high > c.low && c.volume > 0;
}

/** Prior bars the trend context looks at. */
export const TREND_BARS = 3;
/** Of those, how many must have the trend's colour. */
export const TREND_MIN_AGREEING_BARS = 2;

export type Trend = 'up' | 'down' | 'none';

/**
 * The trend leading into the current bar: over the last TREND_BARS prior bars, a net move
 * (first open → last close) in one direction with at least TREND_MIN_AGREEING_BARS bars of that
 * colour. Fewer prior bars than TREND_BARS → 'none' (no context, no trend-dependent pattern).
 */
export function priorTrend(prior: readonly Candle[]): Trend {
  if (prior.length < TREND_BARS) return 'none';
  const window = prior.slice(prior.length - TREND_BARS);
  const net = window[window.length - 1].close - window[0].open;
  let up = 0;
  let down = 0;
  for (const c of window) {
    if (c.close > c.open) up++;
    else if (c.close < c.open) down++;
  }
  if (net > 0 && up >= TREND_MIN_AGREEING_BARS) return 'up';
  if (net < 0 && down >= TREND_MIN_AGREEING_BARS) return 'down';
  return 'none';
}

/** The bar's own move, close vs open, in percent. */
export function barChangePercent(c: Candle): number {
  return safeRatio(c.close - c.open, c.open) * 100;
}
