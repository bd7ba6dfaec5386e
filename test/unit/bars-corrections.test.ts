import { MinuteBarAggregator } from '../../src/ingest/bars/aggregator';
import type { RecheckReason } from '../../src/ingest/bars/aggregator';
import type { BarDelta } from '../../src/domain/bar-delta';
import type { TickData } from '../../src/domain/tick';
import { BarOracle, fromTick } from '../../testkit/bar-oracle';
import { secondTick } from '../../testkit/ticks';
import { seededRandom } from '../../testkit/random';

const T0 = Date.UTC(2026, 2, 2, 14, 30, 0);

function tick(symbol: string, m: number, s: number, p: Partial<TickData> = {}): TickData {
  const close = p.close ?? 100 + s / 100;
  return {
    ...secondTick({
      symbol,
      startMs: T0 + m * 60_000 + s * 1000,
      open: p.open ?? close,
      high: p.high ?? close + 0.5,
      low: p.low ?? close - 0.5,
      close,
      volume: p.volume ?? 10,
      vwap: p.vwap === undefined ? close : p.vwap,
    }),
    ...p,
  };
}

/** The stored row after applying each write the way the database does (merge or replace). */
function applyWrites(rows: Map<string, BarDelta>, writes: readonly BarDelta[]): void {
  for (const w of writes) {
    const key = `${w.symbol}|${w.minuteStartMs}`;
    const old = rows.get(key);
    if (old === undefined || w.replace === true) {
      rows.set(key, { ...w });
      continue;
    }
    if ((old.maskLo & w.maskLo) !== 0 || (old.maskHi & w.maskHi) !== 0) continue;
    const volume = old.volume + w.volume;
    rows.set(key, {
      ...old,
      open: w.openSecond < old.openSecond ? w.open : old.open,
      openSecond: Math.min(old.openSecond, w.openSecond),
      close: w.closeSecond > old.closeSecond ? w.close : old.close,
      closeSecond: Math.max(old.closeSecond, w.closeSecond),
      high: Math.max(old.high, w.high),
      low: Math.min(old.low, w.low),
      volume,
      vwap: ((old.vwap ?? 0) * old.volume + (w.vwap ?? 0) * w.volume) / volume,
      maskLo: old.maskLo | w.maskLo,
      maskHi: old.maskHi | w.maskHi,
    });
  }
}

describe('MinuteBarAggregator corrections (re-broadcast seconds)', () => {
  it('the later version of a second replaces the earlier one, before and after a flush', () => {
    const agg = new MinuteBarAggregator();
    agg.apply(tick('AAPL', 0, 5, { volume: 100, high: 101 }));
    agg.apply(tick('AAPL', 0, 6, { volume: 1 }));
    expect(agg.apply(tick('AAPL', 0, 5, { volume: 150, high: 102 }))).toBe(true);
    const [first] = agg.takeDirty();
    expect(first).toMatchObject({ volume: 151, high: 102, replace: true });

    // Flushed; a later correction still rewrites the whole minute, exactly.
    expect(agg.apply(tick('AAPL', 0, 6, { volume: 4, low: 90 }))).toBe(true);
    const [second] = agg.takeDirty();
    expect(second).toMatchObject({ volume: 154, low: 90, high: 102, replace: true });
    expect(agg.status()).toMatchObject({ correctionsApplied: 2, correctionsDeferred: 0 });
  });

  it('an identical repeat changes nothing', () => {
    const agg = new MinuteBarAggregator();
    agg.apply(tick('AAPL', 0, 5, { volume: 100 }));
    agg.takeDirty();
    expect(agg.apply(tick('AAPL', 0, 5, { volume: 100 }))).toBe(false);
    expect(agg.takeDirty()).toEqual([]);
    expect(agg.status()).toMatchObject({ duplicatesDropped: 1, correctionsApplied: 0 });
  });

  it('a correction of a closed bar inside its window is written but never re-announced', () => {
    const agg = new MinuteBarAggregator();
    const closed: number[] = [];
    agg.addBarClosedListener((bar) => closed.push(bar.volume));
    agg.apply(tick('AAPL', 0, 5, { volume: 100 }));
    agg.apply(tick('AAPL', 2, 0)); // minute 0 closed (watermark)
    agg.takeDirty();
    expect(agg.apply(tick('AAPL', 0, 5, { volume: 120 }))).toBe(true);
    expect(agg.takeDirty()).toEqual([expect.objectContaining({ volume: 120, replace: true })]);
    expect(closed).toEqual([100]);
  });

  it('frees a bar once its window has passed, then hands repeats to the REST re-check', () => {
    const rechecks: [string, number, RecheckReason][] = [];
    const agg = new MinuteBarAggregator({
      correctionWindowMs: 2 * 60_000,
      onRecheck: (s, m, why) => rechecks.push([s, m, why]),
    });
    agg.apply(tick('AAPL', 0, 5, { volume: 100 }));
    agg.apply(tick('AAPL', 2, 10)); // minute 0 closed, inside its window
    agg.takeDirty();
    expect(agg.barsInMemory).toBe(2);
    agg.apply(tick('AAPL', 3, 10)); // watermark 3:06 passes 0:00 + 1 + 2 minutes
    agg.takeDirty();
    expect(agg.barsInMemory).toBe(2); // minutes 2 and 3
    expect(agg.apply(tick('AAPL', 0, 5, { volume: 130 }))).toBe(false);
    expect(rechecks).toEqual([['AAPL', T0, 'evicted']]);
    expect(agg.status().correctionsDeferred).toBe(1);
  });

  it('a repeat of a second the stored row counts (after a restart) is re-checked, not guessed', () => {
    const rechecks: RecheckReason[] = [];
    const agg = new MinuteBarAggregator({
      seedThroughMs: T0,
      onRecheck: (_s, _m, why) => rechecks.push(why),
    });
    agg.apply(tick('AAPL', 0, 5, { volume: 7 }));
    agg.apply(tick('AAPL', 0, 30, { volume: 3 }));
    agg.applySeeds(agg.seedRequests(), [
      {
        symbol: 'AAPL',
        minuteStartMs: T0,
        open: 1,
        openSecond: 5,
        high: 2,
        low: 1,
        close: 2,
        closeSecond: 5,
        volume: 5,
        vwap: 1.5,
        maskLo: 1 << 5,
        maskHi: 0,
      },
    ]);
    expect(rechecks).toEqual(['restart']);
    // A correction of second 30 (held in memory) rewrites stored part + seconds; the SQL guard
    // refuses it if the row has gained seconds this process never saw.
    expect(agg.apply(tick('AAPL', 0, 30, { volume: 4 }))).toBe(true);
    expect(agg.takeDirty()).toEqual([expect.objectContaining({ volume: 9, replace: true })]);
  });

  // Any decimals (kept as doubles on the side) and cent prices that mostly fit the 16-bit
  // columns but now and then move more than 3.27 from the bar's first price (kept wide).
  const anyPrice = (random: () => number) => 100 + random();
  const centPrice = (random: () => number) =>
    Math.round((random() < 0.1 ? 1 + 2000 * random() : 50 + 5 * random()) * 100) / 100;
  const anyRaise = (random: () => number) => random();
  const centRaise = (random: () => number) => Math.round(random() * 400) / 100;
  it.each([
    ['any decimals', anyPrice, anyRaise],
    ['cent prices, some far from the first', centPrice, centRaise],
  ])('random seconds with 5 %% re-broadcasts end equal to the oracle (%s)', (_, price, raise) => {
    const random = seededRandom(7);
    const agg = new MinuteBarAggregator();
    const oracle = new BarOracle();
    const rows = new Map<string, BarDelta>();
    const sent: TickData[] = [];
    for (let m = 0; m < 10; m++) {
      for (let s = 0; s < 60; s++) {
        for (const sym of ['A', 'B', 'C']) {
          if (random() < 0.3) continue;
          const t = tick(sym, m, s, {
            volume: 1 + Math.floor(random() * 100),
            close: price(random),
          });
          sent.push(t);
          agg.apply(t);
          oracle.add(fromTick(t));
          if (random() < 0.05 && sent.length > 10) {
            const old =
              sent[sent.length - 1 - Math.floor(random() * Math.min(sent.length - 1, 200))];
            const fix = {
              ...old,
              volume: old.volume + 1 + Math.floor(random() * 50),
              high: Math.round((old.high + raise(random)) * 10_000) / 10_000,
            };
            agg.apply(fix);
            oracle.add(fromTick(fix));
          }
        }
        if (s % 7 === 0) applyWrites(rows, agg.takeDirty());
      }
    }
    agg.closeThrough(Infinity);
    applyWrites(rows, agg.takeDirty());
    expect(agg.status().correctionsApplied).toBeGreaterThan(50);
    const want = oracle.bars();
    expect(rows.size).toBe(want.size);
    for (const [key, bar] of want) {
      const got = rows.get(key);
      expect(got).toBeDefined();
      expect({ o: got?.open, h: got?.high, l: got?.low, c: got?.close, v: got?.volume }).toEqual({
        o: bar.open,
        h: bar.high,
        l: bar.low,
        c: bar.close,
        v: bar.volume,
      });
      expect(got?.vwap).toBeCloseTo(bar.vwap ?? 0, 4);
    }
  });
});
