import type { DataSource } from 'typeorm';
import type { BarDelta } from '../../src/domain/bar-delta';
import type { MinuteBar } from '../../src/domain/minute-bar';
import type { Timeframe, TradingSession } from '../../src/domain/timeframe';
import { createOhlcvRepository } from '../../src/repositories/ohlcv.repository';
import { createReadRepositories } from '../../src/repositories/read-repositories';
import { RetentionRepository } from '../../src/repositories/retention.repository';
import { TimeframeBarsService } from '../../src/services/timeframe-bars.service';
import { SymbolLookupService } from '../../src/services/symbol-lookup.service';
import type { OracleBar } from '../../testkit/bar-oracle';
import { rollUpTimeframe } from '../../testkit/bar-oracle-timeframe';
import { plainMinutes } from '../../testkit/plain-minutes-rollups';
import { seededRandom } from '../../testkit/random';
import {
  createTestDatabase,
  testDatabaseKinds,
  type TestDatabase,
} from '../helpers/test-databases';

const MINUTE = 60_000;
const DAY = 86_400_000;
const SYMBOL = 'RLpX';
const FULL = 2 ** 30 - 1;
const tf = (multiplier: number, unit: Timeframe['unit']): Timeframe => ({ multiplier, unit });
const TIMEFRAMES = [tf(1, 'day'), tf(2, 'day'), tf(1, 'week'), tf(1, 'month'), tf(24, 'hour')];

/**
 * The daily roll-up: closed days are materialized on the first read, then every kind of write
 * into an already materialized day (a correction rewriting a minute, a REST replace lowering a
 * high, a prompt fill adding a minute, a live merge, retention deleting part of a day, a
 * hand-written UPDATE moving a minute to another day) shows in day, week and month bars at
 * once: equal to the independent oracle, and to the plain-minutes roll-up text for text.
 */
describe.each(testDatabaseKinds())('daily roll-up stays exact under every writer (%s)', (kind) => {
  let db: TestDatabase;
  let service: TimeframeBarsService;
  let minutesOnly: TimeframeBarsService;
  /** What is stored, as the oracle sees it. */
  const stored = new Map<number, MinuteBar>();

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    const repositories = createReadRepositories(db.dataSource);
    const lookup = new SymbolLookupService(repositories.symbols);
    service = new TimeframeBarsService(repositories.barRollups, lookup);
    minutesOnly = new TimeframeBarsService(plainMinutes(repositories.barRollups), lookup);
    const random = seededRandom(7);
    const bars: MinuteBar[] = [];
    const today = Math.floor(Date.now() / MINUTE) * MINUTE;
    const spans: [number, number][] = [
      [Date.parse('2025-03-07T05:00:00Z'), 4 * DAY], // across spring-forward
      [Date.parse('2025-05-26T04:00:00Z'), 16 * DAY], // > 31 days later: two materialize steps
      [today - 2 * DAY, 2 * DAY - 5 * MINUTE], // yesterday (closed) and today (open, from minutes)
    ];
    let price = 80;
    for (const [from, span] of spans) {
      for (let t = from; t < from + span; t += MINUTE) {
        if (random() < 0.6) continue;
        price = Math.max(1, Math.round((price + (random() - 0.5)) * 100) / 100);
        const bar = minute(t, price, 1 + Math.floor(random() * 900), random() < 0.1);
        bars.push(bar);
      }
    }
    await write(db.dataSource, bars);
  }, 120_000);

  afterAll(async () => {
    await db?.drop();
  });

  function minute(t: number, price: number, volume: number, noVwap = false): MinuteBar {
    return {
      symbol: SYMBOL,
      minuteStartMs: t,
      open: price,
      high: Math.round((price + 0.3) * 100) / 100,
      low: Math.round((price - 0.3) * 100) / 100,
      close: Math.round((price + 0.1) * 100) / 100,
      volume,
      vwap: noVwap ? null : Math.round((price + 0.05) * 10_000) / 10_000,
    };
  }

  async function write(ds: DataSource, bars: MinuteBar[]): Promise<void> {
    await createOhlcvRepository(ds).writeRestBars(bars, 'final');
    for (const bar of bars) stored.set(bar.minuteStartMs, bar);
  }

  async function expectExact(): Promise<void> {
    const oracleBars = [...stored.values()].map((bar): OracleBar => ({ ...bar, seconds: 60 }));
    for (const timeframe of TIMEFRAMES) {
      for (const session of ['ALL', 'REGULAR'] as TradingSession[]) {
        const query = { symbol: SYMBOL, timeframe, session, limit: 1000 };
        const [page, plain] = [await service.bars(query), await minutesOnly.bars(query)];
        expect(JSON.stringify(page.bars)).toBe(JSON.stringify(plain.bars));
        const want = rollUpTimeframe(oracleBars, SYMBOL, timeframe, session);
        expect(
          page.bars.map((b) => [
            b.timestamp.getTime(),
            +b.open,
            +b.high,
            +b.low,
            +b.close,
            b.volume,
            b.minutes,
          ]),
        ).toEqual(
          want.map((b) => [b.startMs, b.open, b.high, b.low, b.close, b.volume, b.minutes]),
        );
        page.bars.forEach((bar, i) => {
          if (want[i].vwap === null) expect(bar.vwap).toBeNull();
          else expect(Math.abs(Number(bar.vwap) - want[i].vwap)).toBeLessThan(1e-6);
        });
      }
    }
  }

  const materializedDays = async (): Promise<number> => {
    const [row] = await db.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM bar_rollup_day WHERE symbol = $1 AND NOT regular`,
      [SYMBOL],
    );
    return Number(row.n);
  };

  /** A minute stored in a materialized (closed, past) day: the highest of 2025-06-03. */
  function peakOf(dayIso: string): MinuteBar {
    const from = Date.parse(dayIso);
    const inDay = [...stored.values()].filter(
      (b) => b.minuteStartMs >= from && b.minuteStartMs < from + DAY,
    );
    return inDay.reduce((a, b) => (b.high > a.high ? b : a));
  }

  it('materializes the closed days on the first read, not today, and equals the oracle', async () => {
    await expectExact();
    const days = await materializedDays();
    expect(days).toBeGreaterThan(15);
    const [coverage] = await db.dataSource.query<{ through: Date | string }[]>(
      `SELECT through FROM bar_rollup_coverage WHERE symbol = $1`,
      [SYMBOL],
    );
    expect(new Date(coverage.through).getTime()).toBeLessThanOrEqual(Date.now());
    expect(new Date(coverage.through).getTime()).toBeGreaterThan(Date.now() - DAY - 3_600_000);
  });

  it('a correction rewriting a minute of a materialized day shows in every timeframe', async () => {
    const peak = peakOf('2025-06-03T04:00:00Z');
    const corrected = { ...peak, high: peak.high + 7, volume: peak.volume + 1234 };
    const delta: BarDelta = {
      ...corrected,
      openSecond: 0,
      closeSecond: 59,
      maskLo: FULL,
      maskHi: FULL,
      replace: true,
    };
    const result = await createOhlcvRepository(db.dataSource).upsertDeltas([delta]);
    expect(result.stored).toHaveLength(1);
    stored.set(peak.minuteStartMs, corrected);
    await expectExact();
  });

  it('a REST replace lowering the day high, and a fill adding a minute to an empty day', async () => {
    const peak = peakOf('2025-06-04T04:00:00Z');
    const lowered = { ...peak, high: peak.open + 0.01, close: peak.open };
    const sunday = Date.parse('2025-06-01T14:00:00Z'); // a day that held no minute
    await write(db.dataSource, [lowered, minute(sunday, 81.5, 42)]);
    await expectExact();
  });

  it('a live merge into a materialized day, and retention deleting part of the oldest day', async () => {
    const gap = Date.parse('2025-06-05T13:31:00Z') + 17 * MINUTE;
    stored.delete(gap);
    await db.dataSource.query(`DELETE FROM ohlcv_1min WHERE symbol = $1 AND "timestamp" = $2`, [
      SYMBOL,
      new Date(gap).toISOString(),
    ]);
    await expectExact();
    const live = minute(gap, 90.25, 77);
    const delta: BarDelta = {
      ...live,
      openSecond: 3,
      closeSecond: 9,
      maskLo: 0b1111111000,
      maskHi: 0,
    };
    await createOhlcvRepository(db.dataSource).upsertDeltas([delta]);
    stored.set(gap, live);
    const cutoff = Date.parse('2025-03-07T15:00:00Z');
    const retention = new RetentionRepository(db.dataSource);
    while ((await retention.deleteBatch('ohlcv_1min', new Date(cutoff), 50, SYMBOL)) === 50);
    for (const key of [...stored.keys()]) if (key < cutoff) stored.delete(key);
    await expectExact();
  });

  it('a hand-written UPDATE moving a minute to another day, and a correction of yesterday', async () => {
    const peak = peakOf('2025-06-06T04:00:00Z');
    const to = Date.parse('2025-06-09T18:00:00Z') + 7 * MINUTE;
    await db.dataSource.query(`DELETE FROM ohlcv_1min WHERE symbol = $1 AND "timestamp" = $2`, [
      SYMBOL,
      new Date(to).toISOString(),
    ]);
    stored.delete(to);
    await db.dataSource.query(
      `UPDATE ohlcv_1min SET "timestamp" = $3 WHERE symbol = $1 AND "timestamp" = $2`,
      [SYMBOL, new Date(peak.minuteStartMs).toISOString(), new Date(to).toISOString()],
    );
    stored.delete(peak.minuteStartMs);
    stored.set(to, { ...peak, minuteStartMs: to });
    const yesterday = peakOf(new Date(Date.now() - DAY - 12 * 3_600_000).toISOString());
    await write(db.dataSource, [{ ...yesterday, low: yesterday.low - 5 }]);
    await expectExact();
  });
});
