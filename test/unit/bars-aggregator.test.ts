import { MinuteBarAggregator } from '../../src/ingest/bars/aggregator';
import type { StoredBarState } from '../../src/domain/bar-delta';
import type { MinuteBar } from '../../src/domain/minute-bar';
import { bitCount, highBit, lowBit } from '../../src/domain/seconds-mask';
import type { TickData } from '../../src/domain/tick';
import { secondTick } from '../../testkit/ticks';

const T0 = Date.UTC(2026, 2, 2, 14, 30, 0);

/** A per-second tick at minute `m`, second `s` of the stream starting at T0. */
function tick(symbol: string, m: number, s: number, p: Partial<TickData> = {}): TickData {
  const startMs = T0 + m * 60_000 + s * 1000;
  const close = p.close ?? 100 + s / 100;
  const window = secondTick({
    symbol,
    startMs,
    open: p.open ?? close,
    high: p.high ?? close + 0.5,
    low: p.low ?? close - 0.5,
    close,
    volume: p.volume ?? 10,
    vwap: p.vwap === undefined ? close : p.vwap,
  });
  return { ...window, ...p };
}

const secondsIn = (d: { maskLo: number; maskHi: number }) =>
  bitCount(d.maskLo) + bitCount(d.maskHi);

describe('MinuteBarAggregator', () => {
  it('applies a duplicate second once', () => {
    const agg = new MinuteBarAggregator();
    expect(agg.apply(tick('AAPL', 0, 5, { volume: 100 }))).toBe(true);
    expect(agg.apply(tick('AAPL', 0, 5, { volume: 100 }))).toBe(false);
    expect(agg.apply(tick('AAPL', 0, 6, { volume: 1 }))).toBe(true);
    const [delta] = agg.takeDirty();
    expect(delta.volume).toBe(101);
    expect(secondsIn(delta)).toBe(2);
    expect(agg.status().duplicatesDropped).toBe(1);
    // Still a duplicate after the delta was handed out (its values are kept for the window).
    expect(agg.apply(tick('AAPL', 0, 5, { volume: 100 }))).toBe(false);
    expect(agg.takeDirty()).toEqual([]);
  });

  it('places out-of-order seconds by second index, within and across deltas', () => {
    const agg = new MinuteBarAggregator();
    agg.apply(tick('MSFT', 0, 20, { open: 5, close: 6, high: 9, low: 4 }));
    agg.apply(tick('MSFT', 0, 7, { open: 1, close: 2, high: 3, low: 1 }));
    agg.apply(tick('MSFT', 0, 40, { open: 7, close: 8, high: 8, low: 7 }));
    const [first] = agg.takeDirty();
    expect(first).toMatchObject({
      open: 1,
      openSecond: 7,
      close: 8,
      closeSecond: 40,
      high: 9,
      low: 1,
      volume: 30,
    });
    expect(first.maskLo).toBe(lowBit(7) | lowBit(20));
    expect(first.maskHi).toBe(highBit(40));

    // A later delta holding only an earlier second: its own open/close come from that second.
    agg.apply(tick('MSFT', 0, 3, { open: 0.5, close: 0.6, high: 0.7, low: 0.4 }));
    const [second] = agg.takeDirty();
    expect(second).toMatchObject({
      open: 0.5,
      openSecond: 3,
      close: 0.6,
      closeSecond: 3,
      volume: 10,
    });

    // The whole in-memory bar, announced on close, has everything.
    const closed: MinuteBar[] = [];
    agg.addBarClosedListener((bar) => closed.push(bar));
    agg.apply(tick('MSFT', 1, 0));
    expect(closed).toEqual([
      {
        symbol: 'MSFT',
        minuteStartMs: T0,
        open: 0.5,
        high: 9,
        low: 0.4,
        close: 8,
        volume: 40,
        vwap: expect.any(Number),
      },
    ]);
  });

  it('counts an AM event as all sixty seconds and never mixes it with per-second data', () => {
    const agg = new MinuteBarAggregator();
    const am = {
      ...tick('NVDA', 0, 0, { open: 10, high: 12, low: 9, close: 11, volume: 600 }),
      eventType: 'AM' as const,
    };
    am.endMs = am.startMs + 60_000;
    expect(agg.apply(am)).toBe(true);
    expect(agg.apply(tick('NVDA', 0, 30))).toBe(false); // second already covered by the minute
    expect(agg.apply(am)).toBe(false);
    const [delta] = agg.takeDirty();
    expect(delta).toMatchObject({
      open: 10,
      openSecond: 0,
      close: 11,
      closeSecond: 59,
      volume: 600,
    });
    expect(secondsIn(delta)).toBe(60);

    // A minute that already has seconds refuses a whole-minute aggregate (it would double count).
    agg.apply(tick('NVDA', 1, 4));
    const am2 = { ...tick('NVDA', 1, 0), eventType: 'AM' as const };
    expect(agg.apply(am2)).toBe(false);
  });

  it('computes the bar VWAP volume-weighted over the seconds that carry one', () => {
    const agg = new MinuteBarAggregator();
    agg.apply(tick('AMD', 0, 1, { vwap: 10, volume: 100 }));
    agg.apply(tick('AMD', 0, 2, { vwap: 20, volume: 300 }));
    agg.apply(tick('AMD', 0, 3, { vwap: null, volume: 50 }));
    expect(agg.takeDirty()[0].vwap).toBe(17.5);
    agg.apply(tick('AMD', 0, 4, { vwap: null }));
    expect(agg.takeDirty()[0].vwap).toBeNull();
  });

  it('closes a bar once, when its symbol moves to a later minute, and announces the whole bar', () => {
    const agg = new MinuteBarAggregator();
    const closed: MinuteBar[] = [];
    agg.addBarClosedListener((bar) => closed.push(bar));
    agg.apply(tick('AAPL', 0, 10, { volume: 1 }));
    agg.apply(tick('AAPL', 0, 50, { volume: 2 }));
    agg.apply(tick('MSFT', 1, 0)); // another symbol's feed time does not close AAPL (grace)
    expect(closed).toHaveLength(0);
    agg.apply(tick('AAPL', 1, 0, { volume: 4 }));
    expect(closed.map((b) => [b.symbol, b.minuteStartMs, b.volume])).toEqual([['AAPL', T0, 3]]);
    // A late second of the closed minute is still counted for the database, never re-announced.
    expect(agg.apply(tick('AAPL', 0, 55, { volume: 8 }))).toBe(true);
    agg.apply(tick('AAPL', 1, 1));
    agg.apply(tick('AAPL', 2, 0));
    expect(closed.map((b) => [b.minuteStartMs, b.volume])).toEqual([
      [T0, 3],
      [T0 + 60_000, 14],
    ]);
    expect(agg.status().lateApplied).toBe(1);
    const deltas = agg.takeDirty();
    expect(deltas.filter((d) => d.minuteStartMs === T0).reduce((v, d) => v + d.volume, 0)).toBe(11);
  });

  it('closes quiet symbols when the global watermark passes the minute end', () => {
    const agg = new MinuteBarAggregator({ watermarkGraceMs: 5_000 });
    const closed: string[] = [];
    agg.addBarClosedListener((bar) => closed.push(bar.symbol));
    agg.apply(tick('QUIET', 0, 30));
    agg.apply(tick('BUSY', 1, 3)); // feed time 1:04 - 5 s grace = 0:59: not yet past 1:00
    expect(closed).toEqual([]);
    agg.apply(tick('BUSY', 1, 4)); // 1:05 - 5 s = 1:00
    expect(closed).toEqual(['QUIET']);
    expect(agg.openBarCount).toBe(1);
    agg.closeThrough(Infinity);
    expect(closed).toEqual(['QUIET', 'BUSY']);
    expect(agg.openBarCount).toBe(0);
  });

  it('evicts closed, flushed bars and still drops their late duplicates', () => {
    const agg = new MinuteBarAggregator({ correctionWindowMs: 0 });
    const closed: MinuteBar[] = [];
    agg.addBarClosedListener((bar) => closed.push(bar));
    agg.apply(tick('AAPL', 0, 1));
    agg.apply(tick('AAPL', 0, 2));
    agg.apply(tick('AAPL', 1, 0)); // closes minute 0
    expect(agg.barsInMemory).toBe(2);
    agg.takeDirty();
    expect(agg.barsInMemory).toBe(1); // minute 0 closed and flushed: gone
    expect(agg.apply(tick('AAPL', 0, 2))).toBe(false); // late duplicate, from the remembered mask
    expect(agg.takeDirty()).toEqual([]);
    expect(agg.apply(tick('AAPL', 0, 3, { volume: 7 }))).toBe(true); // late new second
    const deltas = agg.takeDirty();
    expect(deltas).toHaveLength(1);
    expect(deltas[0]).toMatchObject({
      minuteStartMs: T0,
      volume: 7,
      openSecond: 3,
      closeSecond: 3,
    });
    expect(closed).toHaveLength(1); // never re-announced
    expect(agg.apply(tick('AAPL', 0, 3))).toBe(false); // remembered again after the second eviction
  });

  it('remembers only a bounded number of evicted minutes per symbol', () => {
    const agg = new MinuteBarAggregator({ recentMinutesPerSymbol: 2, correctionWindowMs: 0 });
    for (let m = 0; m < 5; m++) {
      agg.apply(tick('AAPL', m, 0));
      agg.takeDirty();
    }
    // Minute 4 is open; 3 and 2 are remembered; 0 and 1 are forgotten (the database guard
    // still refuses those seconds, see the integration tests).
    expect(agg.apply(tick('AAPL', 3, 0))).toBe(false);
    expect(agg.apply(tick('AAPL', 2, 0))).toBe(false);
    expect(agg.apply(tick('AAPL', 0, 0))).toBe(true);
  });

  it('coalesces pending seconds per bar and hands out the oldest dirty bars first', () => {
    const agg = new MinuteBarAggregator();
    let fired = 0;
    agg.onBacklog(3, () => fired++);
    for (let s = 0; s < 60; s++) agg.apply(tick('A', 0, s));
    expect(agg.dirtyCount).toBe(1);
    agg.apply(tick('B', 0, 0));
    agg.apply(tick('C', 0, 0));
    expect(fired).toBe(1);
    const firstTwo = agg.takeDirty(2);
    expect(firstTwo.map((d) => d.symbol)).toEqual(['A', 'B']);
    expect(secondsIn(firstTwo[0])).toBe(60);
    expect(agg.takeDirty(10).map((d) => d.symbol)).toEqual(['C']);
  });

  it('keeps memory bounded at 10,000 symbols over many minutes', () => {
    const agg = new MinuteBarAggregator({ correctionWindowMs: 2 * 60_000 });
    const symbols = Array.from({ length: 10_000 }, (_, i) => `S${i}`);
    const sizes: number[] = [];
    for (let m = 0; m < 8; m++) {
      for (const s of [5, 35]) for (const sym of symbols) agg.apply(tick(sym, m, s));
      expect(agg.takeDirty().length).toBe(10_000);
      sizes.push(agg.barsInMemory);
    }
    // Each symbol's open minute plus the closed minutes still inside the 2-minute correction
    // window stay; older ones left with their flush.
    expect(sizes).toEqual([10_000, 20_000, 30_000, 30_000, 30_000, 30_000, 30_000, 30_000]);
    expect(agg.status().barsClosed).toBe(70_000);
  });

  it('keeps going when a closed-bar listener throws', () => {
    const errors: unknown[] = [];
    const agg = new MinuteBarAggregator({ onListenerError: (e) => errors.push(e) });
    const seen: number[] = [];
    agg.addBarClosedListener(() => {
      throw new Error('pattern engine bug');
    });
    agg.addBarClosedListener((bar) => seen.push(bar.minuteStartMs));
    agg.apply(tick('X', 0, 0));
    agg.apply(tick('X', 1, 0));
    expect(seen).toEqual([T0]);
    expect(errors).toHaveLength(1);
    expect(agg.status().listenerErrors).toBe(1);
  });

  describe('after a restart (seeding from the stored row)', () => {
    const stored = (
      m: number,
      seconds: number[],
      v: Partial<StoredBarState> = {},
    ): StoredBarState => ({
      symbol: 'AAPL',
      minuteStartMs: T0 + m * 60_000,
      open: 50,
      openSecond: Math.min(...seconds),
      high: 60,
      low: 40,
      close: 55,
      closeSecond: Math.max(...seconds),
      volume: 1000,
      vwap: 52,
      maskLo: seconds.reduce((mask, s) => mask | lowBit(s), 0),
      maskHi: seconds.reduce((mask, s) => mask | highBit(s), 0),
      ...v,
    });

    it('holds ticks of possibly-stored minutes until seeded, then drops the seconds already stored', () => {
      const agg = new MinuteBarAggregator();
      agg.setSeedThrough(T0 + 60_000);
      expect(agg.apply(tick('AAPL', 0, 5, { volume: 1 }))).toBe(true); // stored before the restart
      expect(agg.apply(tick('AAPL', 0, 20, { volume: 2, close: 57, high: 57 }))).toBe(true); // new
      expect(agg.apply(tick('AAPL', 0, 20, { volume: 2, close: 57, high: 57 }))).toBe(true); // held
      agg.apply(tick('MSFT', 1, 0, { volume: 3 }));
      agg.apply(tick('TSLA', 2, 0, { volume: 4 })); // a minute after the stored horizon: no seed
      expect(agg.seedsPending).toBe(2);
      expect(agg.takeDirty().map((d) => d.symbol)).toEqual(['TSLA']);

      const keys = agg.seedRequests();
      expect(keys).toEqual([
        { symbol: 'AAPL', minuteStartMs: T0 },
        { symbol: 'MSFT', minuteStartMs: T0 + 60_000 },
      ]);
      agg.applySeeds(keys, [stored(0, [0, 5, 10])]); // MSFT has no stored row
      expect(agg.seedsPending).toBe(0);
      const deltas = agg.takeDirty();
      expect(deltas).toEqual([
        expect.objectContaining({
          symbol: 'AAPL',
          volume: 2,
          openSecond: 20,
          closeSecond: 20,
          maskLo: lowBit(20),
        }),
        expect.objectContaining({ symbol: 'MSFT', volume: 3 }),
      ]);
      // Second 5 is part of the stored row: its repeat cannot be compared, so it is re-checked;
      // the repeat of second 20 was identical.
      expect(agg.status()).toMatchObject({ duplicatesDropped: 1, correctionsDeferred: 1 });
      expect(agg.apply(tick('AAPL', 0, 10))).toBe(false);
      expect(agg.status().correctionsDeferred).toBe(2);
    });

    it('announces a bar that closed while unseeded once seeded, stored part included', () => {
      const agg = new MinuteBarAggregator({ seedThroughMs: T0 });
      const closed: MinuteBar[] = [];
      agg.addBarClosedListener((bar) => closed.push(bar));
      agg.apply(tick('AAPL', 0, 30, { volume: 5, high: 61, low: 45, close: 50 }));
      agg.apply(tick('AAPL', 1, 0)); // closes minute 0, still unseeded
      expect(closed).toEqual([]);
      agg.applySeeds(agg.seedRequests(), [stored(0, [0, 10])]);
      expect(closed).toEqual([
        {
          symbol: 'AAPL',
          minuteStartMs: T0,
          open: 50,
          high: 61,
          low: 40,
          close: 50,
          volume: 1005,
          vwap: expect.any(Number),
        },
      ]);
      // Minute 1 (never stored) was written-ready first; minute 0 only after its seed.
      expect(agg.takeDirty()).toEqual([
        expect.objectContaining({ minuteStartMs: T0 + 60_000 }),
        expect.objectContaining({ minuteStartMs: T0, volume: 5, openSecond: 30 }),
      ]);
      // Minute 0 is closed but inside its correction window.
      expect(agg.barsInMemory).toBe(2);
    });

    it('seeds late ticks of minutes whose masks were forgotten', () => {
      const agg = new MinuteBarAggregator({ recentMinutesPerSymbol: 1, correctionWindowMs: 0 });
      for (let m = 0; m < 3; m++) {
        agg.apply(tick('AAPL', m, 0));
        agg.takeDirty();
      }
      agg.apply(tick('AAPL', 0, 0)); // minute 0 forgotten: could be stored, must be checked
      expect(agg.seedsPending).toBe(1);
      agg.applySeeds(agg.seedRequests(), [stored(0, [0])]);
      expect(agg.takeDirty()).toEqual([]);
    });
  });
});
