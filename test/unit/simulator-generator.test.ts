import { FeedGenerator } from '../../src/ingest/simulator/generator';
import {
  DEFAULT_UNIVERSE,
  referencePrice,
  simulatorSymbols,
} from '../../src/ingest/simulator/universe';
import { fromAggregate } from '../../src/ingest/tick-validation';

const T0 = Date.UTC(2025, 0, 2, 14, 30);

function run(generator: FeedGenerator, seconds: number) {
  return Array.from({ length: seconds }, (_, i) => generator.generateSecond(T0 + i * 1000));
}

describe('simulator universe', () => {
  it('starts with familiar large caps and continues with SYM0001…', () => {
    const symbols = simulatorSymbols(DEFAULT_UNIVERSE.length + 3);
    expect(symbols.slice(0, 7)).toEqual(['AAPL', 'MSFT', 'NVDA', 'AMZN', 'GOOGL', 'META', 'TSLA']);
    expect(symbols.slice(-3)).toEqual(['SYM0001', 'SYM0002', 'SYM0003']);
    expect(DEFAULT_UNIVERSE.length).toBeGreaterThanOrEqual(50);
    expect(new Set(simulatorSymbols(12_000)).size).toBe(12_000);
  });

  it('gives generated tickers a deterministic price, some under $1', () => {
    const prices = simulatorSymbols(2_000).map(referencePrice);
    expect(referencePrice('SYM0042')).toBe(referencePrice('SYM0042'));
    expect(prices.some((p) => p < 1)).toBe(true);
    expect(prices.every((p) => p >= 0.2 && p <= 900)).toBe(true);
  });
});

describe('FeedGenerator', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const symbols = simulatorSymbols(30);
    const a = run(new FeedGenerator({ seed: 7, symbols, eventsPerSecond: 10 }), 50);
    const b = run(new FeedGenerator({ seed: 7, symbols, eventsPerSecond: 10 }), 50);
    const c = run(new FeedGenerator({ seed: 8, symbols, eventsPerSecond: 10 }), 50);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('sends exactly eventsPerSecond distinct symbols each second (capped at the universe)', () => {
    const symbols = simulatorSymbols(40);
    for (const seconds of run(new FeedGenerator({ seed: 1, symbols, eventsPerSecond: 15 }), 100)) {
      expect(seconds).toHaveLength(15);
      expect(new Set(seconds.map((e) => e.sym)).size).toBe(15);
    }
    expect(
      run(new FeedGenerator({ seed: 1, symbols, eventsPerSecond: 1_000 }), 3).map((s) => s.length),
    ).toEqual([40, 40, 40]);
  });

  it('produces events that pass TickData validation, with exact decimals and integer volumes', () => {
    const symbols = simulatorSymbols(400); // includes sub-$1 tickers
    const events = run(new FeedGenerator({ seed: 3, symbols, eventsPerSecond: 400 }), 120).flat();
    let subDollar = 0;
    const problems: string[] = [];
    for (const event of events) {
      const result = fromAggregate({ ...event }, 'A', {
        source: 'simulator',
        receivedAtMs: event.e,
        maxFutureMs: 0,
      });
      if (!result.ok) problems.push(`${result.reason}: ${result.detail}`);
      // Cents above $1, 1/100 cent below; symbols far from $1 never mix the two.
      const maxDecimals = referencePrice(event.sym) >= 5 ? 2 : 4;
      for (const price of [event.o, event.h, event.l, event.c]) {
        const text = String(price);
        const decimals = text.includes('.') ? text.split('.')[1].length : 0;
        if (!/^\d+(\.\d+)?$/.test(text) || decimals > maxDecimals)
          problems.push(`price ${text} of ${event.sym}`);
      }
      if (event.c < 1) subDollar++;
      if (!Number.isInteger(event.v) || event.v < 1) problems.push(`volume ${event.v}`);
      if (event.vw < event.l || event.vw > event.h)
        problems.push(`vw ${event.vw} outside [${event.l}, ${event.h}]`);
      if (event.e - event.s !== 1000) problems.push(`window ${event.s}..${event.e}`);
    }
    expect(problems.slice(0, 5)).toEqual([]);
    expect(events).toHaveLength(400 * 120);
    expect(subDollar).toBeGreaterThan(0);
  });

  it('walks continuously: each second opens at the previous close, and day volume accumulates', () => {
    const generator = new FeedGenerator({ seed: 5, symbols: ['AAPL'], eventsPerSecond: 1 });
    const events = run(generator, 300).flat();
    for (let i = 1; i < events.length; i++) {
      expect(events[i].o).toBe(events[i - 1].c);
      expect(events[i].av).toBe(events[i - 1].av + events[i].v);
      expect(events[i].op).toBe(events[0].op);
    }
    expect(new Set(events.map((e) => e.c)).size).toBeGreaterThan(10);
  });

  it('refuses to go back in time', () => {
    const generator = new FeedGenerator({ seed: 5, symbols: ['AAPL'], eventsPerSecond: 1 });
    generator.generateSecond(T0);
    expect(() => generator.generateSecond(T0)).toThrow(RangeError);
  });
});
