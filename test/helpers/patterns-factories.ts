import type { MinuteBar } from '../../src/domain/minute-bar';
import type { PatternEvent } from '../../src/domain/pattern-event';
import type { TickData } from '../../src/domain/tick';
import type { Candle } from '../../src/patterns/rules/candle-geometry';
import { secondTick } from '../../testkit/ticks';

export const T0 = Date.UTC(2026, 0, 5, 14, 30); // a minute boundary

/** A per-second `A` aggregate; `second` counts from T0. */
export function makeTick(
  symbol: string,
  second: number,
  close: number,
  volume = 200,
  open = close,
): TickData {
  return secondTick({
    symbol,
    startMs: T0 + second * 1000,
    open,
    high: Math.max(open, close),
    low: Math.min(open, close),
    close,
    volume,
  });
}

/** A Price_Gap event at second `i` from T0, valid five minutes; override what a test looks at. */
export function makePatternEvent(i: number, overrides: Partial<PatternEvent> = {}): PatternEvent {
  const timestamp = new Date(T0 + i * 1000);
  return {
    symbol: 'EVT',
    pattern: 'Price_Gap',
    direction: 'bullish',
    confidence: 0.5,
    price: 100 + i / 100,
    priceChange: 2.5,
    timestamp,
    expiresAt: new Date(timestamp.getTime() + 300_000),
    indicators: { relativeVolume: 1.25, gapPercent: 2.5 },
    source: 'tickstock',
    ...overrides,
  };
}

/** A candle from [open, high, low, close] and a volume. */
export function c(ohlc: [number, number, number, number], volume = 1000): Candle {
  const [open, high, low, close] = ohlc;
  return { open, high, low, close, volume };
}

/** A closed minute bar; `minute` counts from T0. */
export function makeBar(symbol: string, minute: number, candle: Candle): MinuteBar {
  return { symbol, minuteStartMs: T0 + minute * 60_000, vwap: null, ...candle };
}

/** Three bearish bars, net down: the "decline" context. */
export const DECLINE: Candle[] = [
  c([110, 111, 104, 105]),
  c([105, 106, 99, 100]),
  c([100, 101, 94, 95]),
];
/** Three bullish bars, net up: the "rise" context. */
export const RISE: Candle[] = [c([90, 96, 89, 95]), c([95, 101, 94, 100]), c([100, 106, 99, 105])];
/** Three mixed bars with no net move: no trend. */
export const SIDEWAYS: Candle[] = [
  c([100, 102, 98, 101]),
  c([101, 103, 99, 99]),
  c([99, 101, 97, 100]),
];

/** Hammer shape (range 10: lower shadow 8, body 1.5 on top, upper shadow 0.5), below DECLINE's last body. */
export const HAMMER_SHAPE = c([93, 95, 85, 94.5]);
/** Inverted shape (upper shadow 8, body 1.5 at the bottom, lower shadow 0.5), above RISE's last body. */
export const SHOOTING_SHAPE = c([107, 115, 105, 105.5]);
