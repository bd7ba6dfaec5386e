import type { TickData } from '../../src/domain/tick';
import type { Timeframe, TradingSession } from '../../src/domain/timeframe';
import { createReadRepositories } from '../../src/repositories/read-repositories';
import { TimeframeBarsService } from '../../src/services/timeframe-bars.service';
import { SymbolLookupService } from '../../src/services/symbol-lookup.service';
import { BarOracle, fromTick } from '../../testkit/bar-oracle';
import { rollUpTimeframe, type OracleTimeframeBar } from '../../testkit/bar-oracle-timeframe';
import { seededRandom } from '../../testkit/random';
import { secondTick } from '../../testkit/ticks';
import { feedInFrames, startBarLifetime } from '../helpers/bars-harness';
import {
  createTestDatabase,
  testDatabaseKinds,
  type TestDatabase,
} from '../helpers/test-databases';

const DAY = 86_400_000;
const tf = (multiplier: number, unit: Timeframe['unit']): Timeframe => ({ multiplier, unit });

/**
 * Seconds on the days that break naive bucketing: both 2025 DST switches (23- and 25-hour
 * days, sent around the clock), a month and year end, a week end, plus scattered quiet days.
 */
function sentSeconds(symbols: string[]): TickData[] {
  const random = seededRandom(12);
  const ranges: [string, number][] = [
    ['2025-03-07T00:00:00Z', 4], // Fri 7 … Mon 10 March: spring forward on Sunday 9
    ['2025-10-31T00:00:00Z', 4], // Fri 31 Oct … Mon 3 Nov: fall back on Sunday 2
    ['2025-12-30T00:00:00Z', 3], // month and year end
  ];
  for (let i = 0; i < 6; i++) ranges.push([new Date(Date.UTC(2025, 4 + i, 12)).toISOString(), 1]);
  const ticks: TickData[] = [];
  const prices = new Map(symbols.map((symbol) => [symbol, 50 + random() * 100]));
  for (const [start, days] of ranges) {
    const from = Date.parse(start);
    for (let minute = from; minute < from + days * DAY; minute += 60_000) {
      for (const symbol of symbols) {
        if (random() < 0.45) continue; // empty minutes: buckets with none must be absent
        const seconds = 1 + Math.floor(random() * 3);
        for (let s = 0; s < seconds; s++) {
          const open = Math.round(prices.get(symbol)! * 100) / 100;
          const close = Math.max(1, Math.round((open + (random() - 0.5) * 0.4) * 100) / 100);
          prices.set(symbol, close);
          const high = Math.round((Math.max(open, close) + random() * 0.1) * 100) / 100;
          const low = Math.round((Math.min(open, close) - random() * 0.1) * 100) / 100;
          const volume = 1 + Math.floor(random() * 500);
          const vwap = Math.round(((high + low) / 2) * 10_000) / 10_000;
          ticks.push(
            secondTick({
              symbol,
              startMs: minute + s * 17_000,
              open,
              high,
              low,
              close,
              volume,
              vwap,
            }),
          );
        }
      }
    }
  }
  return ticks;
}

const TIMEFRAMES: Timeframe[] = [
  tf(1, 'minute'),
  tf(5, 'minute'),
  tf(15, 'minute'),
  tf(30, 'minute'),
  tf(1, 'hour'),
  tf(2, 'hour'),
  tf(4, 'hour'),
  tf(1, 'day'),
  tf(2, 'day'),
  tf(1, 'week'),
  tf(1, 'month'),
  tf(3, 'month'),
];

interface Plain {
  startMs: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  minutes: number;
}

const plain = (bar: OracleTimeframeBar): Plain => ({
  startMs: bar.startMs,
  open: bar.open,
  high: bar.high,
  low: bar.low,
  close: bar.close,
  volume: bar.volume,
  minutes: bar.minutes,
});

describe.each(testDatabaseKinds())('bars at every timeframe (%s)', (kind) => {
  const symbols = ['TFAAA', 'TFBpB'];
  const ticks = sentSeconds(symbols);
  const oracle = new BarOracle().addAll(ticks.map(fromTick));
  let db: TestDatabase;
  let service: TimeframeBarsService;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    const life = await startBarLifetime(db.dataSource, { flushBatchSize: 2000 });
    await feedInFrames(life.pipeline, ticks, 5000);
    await life.writer.drain();
    life.writer.stop();
    service = timeframeBarsOver(db.dataSource);
  }, 120_000);

  afterAll(async () => {
    await db?.drop();
  });

  /** Every page of one query, following cursors; also checks each page's size. */
  async function allPages(
    symbol: string,
    timeframe: Timeframe,
    session: TradingSession,
    sort: 'asc' | 'desc',
    limit: number,
  ) {
    const bars = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page = await service.bars({ symbol, timeframe, session, sort, limit, after });
      if (page.nextCursor !== null) expect(page.bars).toHaveLength(limit);
      bars.push(...page.bars);
      after = page.nextCursor;
      pages++;
    } while (after !== null);
    return { bars, pages };
  }

  it.each(TIMEFRAMES.map((t) => [`${t.multiplier}/${t.unit}`, t] as const))(
    '%s equals the oracle value by value (ALL and REGULAR), pages chain without gap or overlap',
    async (_label, timeframe) => {
      for (const symbol of symbols) {
        for (const session of ['ALL', 'REGULAR'] as const) {
          const want = rollUpTimeframe(oracle.bars().values(), symbol, timeframe, session);
          expect(want.length).toBeGreaterThan(0);
          const limit = timeframe.unit === 'minute' && timeframe.multiplier < 15 ? 997 : 7;
          const { bars, pages } = await allPages(symbol, timeframe, session, 'asc', limit);
          if (want.length > limit) expect(pages).toBeGreaterThan(1);
          const got = bars.map((bar) => ({
            startMs: bar.timestamp.getTime(),
            open: Number(bar.open),
            high: Number(bar.high),
            low: Number(bar.low),
            close: Number(bar.close),
            volume: bar.volume,
            minutes: bar.minutes,
          }));
          expect(got).toEqual(want.map(plain));
          bars.forEach((bar, i) => {
            const expected = want[i].vwap;
            if (expected === null) expect(bar.vwap).toBeNull();
            else expect(Math.abs(Number(bar.vwap) - expected)).toBeLessThan(1e-4);
          });
          const backwards = await allPages(symbol, timeframe, session, 'desc', limit);
          expect(backwards.bars.map((bar) => bar.timestamp.getTime())).toEqual(
            want.map((bar) => bar.startMs).reverse(),
          );
        }
      }
    },
    120_000,
  );

  it('from/to select every bucket holding a minute in range, whole; the 25-hour day is one bar', async () => {
    const day = tf(1, 'day');
    const page = await service.bars({
      symbol: 'TFAAA',
      timeframe: day,
      from: new Date('2025-11-02T12:00:00Z'),
      to: new Date('2025-11-02T13:00:00Z'),
    });
    const want = rollUpTimeframe(oracle.bars().values(), 'TFAAA', day).filter(
      (bar) => bar.startMs === Date.parse('2025-11-02T04:00:00Z'),
    );
    expect(page.bars.map((bar) => bar.timestamp.toISOString())).toEqual([
      '2025-11-02T04:00:00.000Z',
    ]);
    expect(page.bars[0].minutes).toBe(want[0].minutes);
    expect(want[0].minutes).toBeGreaterThan(24 * 60 * 0.5); // 25 hours of minutes, about half filled
    expect(page.nextCursor).toBeNull();
  });

  it('rejects bad input with the field named, and a cursor replayed with other arguments', async () => {
    await expect(service.bars({ symbol: '1tfaaa', timeframe: tf(1, 'day') })).rejects.toThrow(
      /symbol/,
    );
    // A legacy lower-case ticker finds the stored one (exact, else the unique case-insensitive match).
    expect(await service.bars({ symbol: 'tfaaa', timeframe: tf(1, 'day') })).toEqual(
      await service.bars({ symbol: 'TFAAA', timeframe: tf(1, 'day') }),
    );
    await expect(service.bars({ symbol: 'TFAAA', timeframe: tf(7, 'minute') })).rejects.toThrow(
      /not aligned/,
    );
    await expect(
      service.bars({ symbol: 'TFAAA', timeframe: tf(1, 'day'), limit: 1001 }),
    ).rejects.toThrow(/limit/);
    await expect(
      service.bars({
        symbol: 'TFAAA',
        timeframe: tf(1, 'day'),
        from: new Date('2025-02-01'),
        to: new Date('2025-01-01'),
      }),
    ).rejects.toThrow(/from/);
    const first = await service.bars({ symbol: 'TFAAA', timeframe: tf(1, 'hour'), limit: 3 });
    expect(first.nextCursor).not.toBeNull();
    await expect(
      service.bars({ symbol: 'TFAAA', timeframe: tf(1, 'day'), limit: 3, after: first.nextCursor }),
    ).rejects.toThrow(/different query/);
    await expect(
      service.bars({ symbol: 'TFAAA', timeframe: tf(1, 'hour'), after: 'garbage!' }),
    ).rejects.toThrow(/cursor/);
  });
});

/** The service as the API builds it, over one database. */
function timeframeBarsOver(
  dataSource: Parameters<typeof createReadRepositories>[0],
): TimeframeBarsService {
  const repositories = createReadRepositories(dataSource);
  return new TimeframeBarsService(
    repositories.barRollups,
    new SymbolLookupService(repositories.symbols),
  );
}
