import type { PatternEvent } from '../../src/domain/pattern-event';
import { createLogger } from '../../src/logger';
import { PatternEngine } from '../../src/patterns/engine';
import { PATTERN_NAMES, PATTERN_VALIDITY_MS } from '../../src/patterns/pattern-catalog';
import { benchEngine } from '../../testkit/engine-bench';
import { feedEngine } from '../../testkit/engine-feed';
import { syntheticTicks } from '../../testkit/synthetic-ticks';
import {
  c,
  DECLINE,
  HAMMER_SHAPE,
  makeBar,
  makeTick,
  RISE,
  T0,
} from '../helpers/patterns-factories';

function engineWithEvents() {
  const events: PatternEvent[] = [];
  const engine = new PatternEngine({ sink: (e) => events.push(e) });
  return { engine, events };
}

describe('PatternEngine stream patterns', () => {
  it('emits a complete Price_Gap event stamped with the tick window start', () => {
    const { engine, events } = engineWithEvents();
    engine.onTick(makeTick('AAPL', 0, 100));
    engine.onTick(makeTick('AAPL', 1, 103, 200, 100));
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event).toEqual({
      symbol: 'AAPL',
      pattern: 'Price_Gap',
      direction: 'bullish',
      confidence: 0.75,
      price: 103,
      priceChange: 3,
      timestamp: new Date(T0 + 1000),
      expiresAt: new Date(T0 + 1000 + PATTERN_VALIDITY_MS.Price_Gap),
      indicators: { relativeVolume: 1, gapPercent: 3, previousClose: 100 },
      source: 'tickstock',
    });
    expect(engine.status().detectedByPattern.Price_Gap).toBe(1);
  });

  it('keeps symbols apart', () => {
    const { engine, events } = engineWithEvents();
    engine.onTick(makeTick('AAPL', 0, 100));
    engine.onTick(makeTick('MSFT', 1, 300));
    engine.onTick(makeTick('AAPL', 2, 100.5));
    engine.onTick(makeTick('MSFT', 3, 301));
    expect(events).toHaveLength(0);
  });

  it('ignores a re-delivered or out-of-order second, so a pattern fires once per tick', () => {
    const { engine, events } = engineWithEvents();
    engine.onTick(makeTick('AAPL', 0, 100));
    engine.onTick(makeTick('AAPL', 2, 105));
    engine.onTick(makeTick('AAPL', 2, 105)); // duplicate
    engine.onTick(makeTick('AAPL', 1, 99)); // late
    expect(events.map((e) => e.pattern)).toEqual(['Price_Gap']);
    expect(engine.status().ticksIgnored).toBe(2);
  });

  it('ignores minute aggregates (AM) on the per-second stream', () => {
    const { engine, events } = engineWithEvents();
    engine.onTick(makeTick('AAPL', 0, 100));
    engine.onTick({ ...makeTick('AAPL', 60, 150, 1_000_000), eventType: 'AM' });
    expect(events).toHaveLength(0);
    expect(engine.status().ticksIgnored).toBe(1);
  });

  it('fires High_Volume_Surge against the preceding window only', () => {
    const { engine, events } = engineWithEvents();
    for (let s = 0; s < 20; s++) engine.onTick(makeTick('AAPL', s, 100, 200));
    engine.onTick(makeTick('AAPL', 20, 100, 601));
    engine.onTick(makeTick('AAPL', 21, 100, 601)); // the surge is now part of the window: mean > 200
    expect(events.map((e) => [e.pattern, e.timestamp.getTime()])).toEqual([
      ['High_Volume_Surge', T0 + 20_000],
    ]);
    expect(events[0].indicators).toMatchObject({
      relativeVolume: 3.005,
      meanVolume: 200,
      windowSize: 20,
    });
  });

  it('keeps exactly the last 100 ticks in the window', () => {
    const { engine, events } = engineWithEvents();
    let s = 0;
    for (let i = 0; i < 100; i++) engine.onTick(makeTick('AAPL', s++, 100, 1000));
    for (let i = 0; i < 100; i++) engine.onTick(makeTick('AAPL', s++, 100, 150));
    // Mean of the last 100 is 150 (450 threshold); had the old ticks stayed, it would be 575.
    engine.onTick(makeTick('AAPL', s++, 100, 500));
    expect(events.map((e) => e.pattern)).toEqual(['High_Volume_Surge']);
    expect(events[0].indicators.meanVolume).toBe(150);
    expect(events[0].indicators.windowSize).toBe(100);
  });

  it('survives a flat all-zero window (the old divide-by-zero) without events or errors', () => {
    const { engine, events } = engineWithEvents();
    for (let s = 0; s < 150; s++) engine.onTick(makeTick('AAPL', s, 100, 0));
    engine.onTick(makeTick('AAPL', 150, 100, 5000));
    expect(events).toHaveLength(0);
    expect(engine.status().errors).toBe(0);
  });
});

describe('PatternEngine candle patterns', () => {
  const feed = (engine: PatternEngine, symbol: string, candles: typeof DECLINE, fromMinute = 0) =>
    candles.forEach((candle, i) => engine.onBarClosed(makeBar(symbol, fromMinute + i, candle)));

  it('emits Hammer on the closed bar after a decline, stamped with the minute start', () => {
    const { engine, events } = engineWithEvents();
    feed(engine, 'AAPL', [...DECLINE, HAMMER_SHAPE]);
    expect(events.map((e) => e.pattern)).toEqual(['Hammer']);
    const event = events[0];
    expect(event.timestamp).toEqual(new Date(T0 + 3 * 60_000));
    expect(event.expiresAt.getTime() - event.timestamp.getTime()).toBe(PATTERN_VALIDITY_MS.Hammer);
    expect(event.price).toBe(94.5);
    expect(event.direction).toBe('bullish');
    expect(event.indicators.relativeVolume).toBe(1); // 1000 vs a prior mean of 1000
  });

  it('computes relativeVolume against the prior bars', () => {
    const { engine, events } = engineWithEvents();
    feed(engine, 'AAPL', [...DECLINE, { ...HAMMER_SHAPE, volume: 2500 }]);
    expect(events[0].indicators.relativeVolume).toBe(2.5);
  });

  it('fires at most once per bar: a re-closed or older minute is ignored', () => {
    const { engine, events } = engineWithEvents();
    feed(engine, 'AAPL', [...DECLINE, HAMMER_SHAPE]);
    engine.onBarClosed(makeBar('AAPL', 3, HAMMER_SHAPE));
    engine.onBarClosed(makeBar('AAPL', 1, HAMMER_SHAPE));
    expect(events).toHaveLength(1);
    expect(engine.status().barsIgnored).toBe(2);
  });

  it('reads trend context per symbol', () => {
    const { engine, events } = engineWithEvents();
    feed(engine, 'UP', RISE);
    feed(engine, 'DOWN', DECLINE);
    engine.onBarClosed(makeBar('UP', 3, c([113, 115, 105, 114.5])));
    engine.onBarClosed(makeBar('DOWN', 3, HAMMER_SHAPE));
    expect(events.map((e) => `${e.symbol}:${e.pattern}`).sort()).toEqual([
      'DOWN:Hammer',
      'UP:Hanging_Man',
    ]);
  });

  it('emits nothing for a run of zero-range, zero-volume bars', () => {
    const { engine, events } = engineWithEvents();
    for (let m = 0; m < 10; m++)
      engine.onBarClosed(makeBar('THIN', m, c([7, 7, 7, 7], m % 2 === 0 ? 0 : 100)));
    expect(events).toHaveLength(0);
    expect(engine.status().errors).toBe(0);
  });
});

describe('PatternEngine never throws into its caller', () => {
  it('counts a throwing sink and keeps going', () => {
    let calls = 0;
    const engine = new PatternEngine({
      sink: () => {
        calls++;
        throw new Error('sink broke');
      },
      logger: createLogger('silent'),
    });
    engine.onTick(makeTick('AAPL', 0, 100));
    expect(() => engine.onTick(makeTick('AAPL', 1, 110))).not.toThrow();
    expect(() => engine.onTick(makeTick('AAPL', 2, 120))).not.toThrow();
    expect(calls).toBe(2);
    expect(engine.status().errors).toBe(2);
  });

  it('counts garbage input instead of throwing', () => {
    const { engine } = engineWithEvents();
    expect(() => engine.onTick(null as never)).not.toThrow();
    expect(() => engine.onBarClosed(undefined as never)).not.toThrow();
    expect(engine.status().errors).toBe(2);
  });
});

describe('PatternEngine on a generated simulator-like stream', () => {
  it('finds stream and candle patterns, all well-formed, each at most once per key', () => {
    const ticks = syntheticTicks({ symbols: 20, seconds: 900, seed: 7, startMs: T0 });
    const { engine, events } = engineWithEvents();
    const result = benchEngine(ticks); // same stream through the bench harness
    const bars = feedEngine(engine, ticks).length;
    const names = new Set(events.map((e) => e.pattern));
    expect(names).toContain('High_Volume_Surge');
    expect(names).toContain('Price_Gap');
    expect([...names].some((n) => !['High_Volume_Surge', 'Price_Gap'].includes(n))).toBe(true);
    expect(bars).toBeGreaterThan(0);
    const keys = new Set(events.map((e) => `${e.symbol}|${e.pattern}|${e.timestamp.getTime()}`));
    expect(keys.size).toBe(events.length);
    for (const e of events) {
      expect(PATTERN_NAMES).toContain(e.pattern);
      expect(e.confidence).toBeGreaterThanOrEqual(0);
      expect(e.confidence).toBeLessThanOrEqual(1);
      expect(Number.isFinite(e.priceChange)).toBe(true);
      expect(Object.values(e.indicators).every(Number.isFinite)).toBe(true);
      expect(e.expiresAt.getTime()).toBeGreaterThan(e.timestamp.getTime());
    }
    expect(engine.status().errors).toBe(0);
    // The bench harness saw the same stream: same stream-pattern counts.
    expect(result.ticks).toBe(ticks.length);
    expect(result.detectedByPattern.Price_Gap).toBe(engine.status().detectedByPattern.Price_Gap);
    expect(result.detectedByPattern.High_Volume_Surge).toBe(
      engine.status().detectedByPattern.High_Volume_Surge,
    );
    expect(result.nsPerTick).toBeGreaterThan(0);
  });
});
