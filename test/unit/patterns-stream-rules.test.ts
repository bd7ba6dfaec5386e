import type { PatternMatch } from '../../src/patterns/pattern-catalog';
import {
  detectHighVolumeSurge,
  detectPriceGap,
  GAP_MIN_PERCENT,
  SURGE_MIN_MEAN_VOLUME,
  SURGE_MIN_WINDOW,
  SURGE_VOLUME_MULTIPLE,
  type StreamContext,
} from '../../src/patterns/rules/stream.rules';

/** A context: `window` preceding volumes, then the current tick. */
function ctx(
  window: number[],
  tick: { volume: number; close?: number; open?: number },
  previousClose = Number.NaN,
): StreamContext {
  return {
    open: tick.open ?? tick.close ?? 100,
    close: tick.close ?? 100,
    volume: tick.volume,
    previousClose,
    windowCount: window.length,
    windowVolumeSum: window.reduce((a, b) => a + b, 0),
  };
}

const repeat = (n: number, v: number) => Array.from({ length: n }, () => v);

function expectWellFormed(match: PatternMatch): void {
  expect(match.confidence).toBeGreaterThanOrEqual(0);
  expect(match.confidence).toBeLessThanOrEqual(1);
  expect(Number.isFinite(match.priceChange)).toBe(true);
  for (const value of Object.values(match.indicators)) expect(Number.isFinite(value)).toBe(true);
  expect(match.indicators).toHaveProperty('relativeVolume');
}

describe('High_Volume_Surge', () => {
  it('uses the documented thresholds', () => {
    expect([SURGE_VOLUME_MULTIPLE, SURGE_MIN_MEAN_VOLUME, SURGE_MIN_WINDOW]).toEqual([3, 100, 10]);
  });

  it.each([
    ['3× a 200 mean, plus one share', repeat(100, 200), 601, 100.5, 100],
    ['a short but sufficient window', repeat(10, 150), 451, 100, 100],
    ['a mixed window (mean 150)', [...repeat(50, 100), ...repeat(50, 200)], 1000, 99, 100],
  ])('fires: %s', (_label, window, volume, close, previousClose) => {
    const match = detectHighVolumeSurge(ctx(window, { volume, close }, previousClose));
    expect(match).not.toBeNull();
    expect(match!.pattern).toBe('High_Volume_Surge');
    const mean = window.reduce((a, b) => a + b, 0) / window.length;
    expect(match!.indicators.relativeVolume).toBeCloseTo(volume / mean, 5);
    expect(match!.indicators.meanVolume).toBeCloseTo(mean, 5);
    expect(match!.indicators.windowSize).toBe(window.length);
    expect(match!.direction).toBe(
      close > previousClose ? 'bullish' : close < previousClose ? 'bearish' : 'neutral',
    );
    expectWellFormed(match!);
  });

  it.each([
    ['exactly 3× the mean (must exceed)', repeat(100, 200), 600],
    ['mean exactly 100 (must exceed)', repeat(100, 100), 10_000],
    ['mean below 100', repeat(100, 99), 10_000],
    ['window of 9 ticks is too short', repeat(SURGE_MIN_WINDOW - 1, 500), 10_000],
    ['empty window', [], 10_000],
    ['flat all-zero window (the old divide-by-zero)', repeat(100, 0), 10_000],
    ['zero-volume tick', repeat(100, 200), 0],
  ])('does not fire: %s', (_label, window, volume) => {
    expect(detectHighVolumeSurge(ctx(window, { volume }, 100))).toBeNull();
  });

  it('grows confidence with relative volume: 0.5 at 3×, 1 at 6× and beyond', () => {
    const window = repeat(100, 200);
    const at = (volume: number) => detectHighVolumeSurge(ctx(window, { volume }, 100))!.confidence;
    expect(at(601)).toBeCloseTo(0.5, 2);
    expect(at(900)).toBeCloseTo(0.75, 5);
    expect(at(1200)).toBe(1);
    expect(at(100_000)).toBe(1);
    expect(at(700)).toBeLessThan(at(800));
  });
});

describe('Price_Gap', () => {
  it('uses the documented threshold', () => expect(GAP_MIN_PERCENT).toBe(2));

  it.each([
    ['up 2.01%', 100, 102.01, 'bullish'],
    ['down 2.1%', 100, 97.9, 'bearish'],
    ['up 10% on a penny stock', 0.1, 0.11, 'bullish'],
    ['down 50%', 40, 20, 'bearish'],
  ] as const)('fires: %s', (_label, previousClose, close, direction) => {
    const match = detectPriceGap(ctx(repeat(20, 200), { volume: 400, close }, previousClose));
    expect(match).not.toBeNull();
    expect(match!.pattern).toBe('Price_Gap');
    expect(match!.direction).toBe(direction);
    const change = ((close - previousClose) / previousClose) * 100;
    expect(match!.priceChange).toBeCloseTo(change, 5);
    expect(match!.indicators.gapPercent).toBeCloseTo(change, 5);
    expect(match!.indicators.previousClose).toBe(previousClose);
    expect(match!.indicators.relativeVolume).toBeCloseTo(2, 5);
    expectWellFormed(match!);
  });

  it.each([
    ['exactly +2% (must exceed)', 100, 102],
    ['exactly −2%', 100, 98],
    ['+1.99%', 100, 101.99],
    ['unchanged', 100, 100],
    ['first tick of a symbol (no previous close)', Number.NaN, 150],
  ])('does not fire: %s', (_label, previousClose, close) => {
    expect(detectPriceGap(ctx(repeat(20, 200), { volume: 400, close }, previousClose))).toBeNull();
  });

  it('reports relativeVolume 0, not NaN, after a flat all-zero window', () => {
    const match = detectPriceGap(ctx(repeat(100, 0), { volume: 0, close: 110 }, 100));
    expect(match).not.toBeNull();
    expect(match!.indicators.relativeVolume).toBe(0);
    expectWellFormed(match!);
  });

  it('grows confidence with the gap: 0.5 at 2%, 1 at 4%', () => {
    const at = (close: number) => detectPriceGap(ctx([], { volume: 1, close }, 100))!.confidence;
    expect(at(102.0001)).toBeCloseTo(0.5, 3);
    expect(at(97)).toBeCloseTo(0.75, 5);
    expect(at(104)).toBe(1);
    expect(at(150)).toBe(1);
  });
});
