/**
 * `npm run bench:bars`: timeframe roll-up latency on PostgreSQL with a year of minutes for
 * 10 symbols (252 weekdays × 960 minutes 04:00–20:00 New York ≈ 2.42M rows, generated with
 * generate_series in a scratch database that is dropped afterwards). Measures, through the
 * real TimeframeBarsService → BarRollupRepository path, the two PRODUCT.md §8 targets (a
 * session of 5-minute bars p99 < 10 ms; a year of daily bars p99 < 50 ms), each against two
 * same-run baselines: the plain-minutes path (the same service with the daily roll-up turned
 * off) and a bare range scan summing the same minutes (no grouping, no service). Then the
 * one-time materialization of a year, and what the roll-up triggers cost a live flush.
 * BENCH_DATABASE_URL picks the server; BARS_BENCH_SYMBOLS / BARS_BENCH_ITERATIONS the size,
 * BARS_BENCH_WRITE_SYMBOLS / BARS_BENCH_WRITE_ROUNDS the write-cost run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createReadRepositories } from '../src/repositories/read-repositories';
import { TimeframeBarsService } from '../src/services/timeframe-bars.service';
import { SymbolLookupService } from '../src/services/symbol-lookup.service';
import type { Timeframe, TradingSession } from '../src/domain/timeframe';
import { percentileOf } from '../testkit/percentile';
import { createFreshDatabase, postgresAdminUrl } from '../testkit/scratch-database';
import { envInt } from './lib/env';
import { measureWriteCost } from './bench-rollup-writes';
import { plainMinutes } from '../testkit/plain-minutes-rollups';

const YEAR_FROM = '2025-01-01';
const YEAR_TO = '2025-12-31';

interface Case {
  name: string;
  target: number | null;
  timeframe: Timeframe;
  session: TradingSession;
  /** From/to for iteration i. */
  range: (i: number) => { from: Date; to: Date };
  symbol: (i: number) => string;
}

async function main(): Promise<void> {
  const symbols = envInt('BARS_BENCH_SYMBOLS', 10, 1, 100);
  const iterations = envInt('BARS_BENCH_ITERATIONS', 300, 10, 100_000);
  const db = await createFreshDatabase('postgres', {
    adminUrl: postgresAdminUrl(),
    prefix: 'tickstock_bench_bars',
    dropOnSignal: true,
  });
  try {
    const names = Array.from({ length: symbols }, (_, i) => `BB${String(i).padStart(2, '0')}`);
    const loadStart = performance.now();
    await db.dataSource.query(`INSERT INTO symbols (symbol) SELECT unnest($1::varchar[])`, [names]);
    for (const symbol of names) {
      // One symbol per statement keeps memory flat; prices are a deterministic walk.
      await db.dataSource.query(
        `INSERT INTO ohlcv_1min (symbol, "timestamp", open, high, low, close, volume, vwap)
         SELECT $1, ts, p, p + 0.05, p - 0.05, p + 0.01, 100 + (n % 900), p + 0.005
         FROM (
           SELECT ((d::date + time '04:00') + m * interval '1 minute') AT TIME ZONE 'America/New_York' AS ts,
                  round((100 + 20 * sin((extract(doy FROM d) * 960 + m) / 5000.0))::numeric, 2) AS p,
                  (extract(doy FROM d) * 960 + m)::int AS n
           FROM generate_series($2::date, $3::date, interval '1 day') AS d,
                generate_series(0, 959) AS m
           WHERE extract(isodow FROM d) < 6
         ) rows`,
        [symbol, YEAR_FROM, YEAR_TO],
      );
    }
    await db.dataSource.query('VACUUM ANALYZE ohlcv_1min');
    const [{ n }] = await db.dataSource.query<{ n: string }[]>(
      'SELECT count(*)::text AS n FROM ohlcv_1min',
    );
    const loadSeconds = (performance.now() - loadStart) / 1000;
    console.log(`loaded ${n} minute rows for ${symbols} symbols in ${loadSeconds.toFixed(1)} s`);

    const service = timeframeBarsOver(db.dataSource);
    const minutesOnly = timeframeBarsOver(db.dataSource, false);
    // One-time cost: the first daily read of each symbol materializes its year of closed days.
    const materializeMs: number[] = [];
    for (const symbol of names) {
      const t0 = performance.now();
      await service.bars({ symbol, timeframe: { multiplier: 1, unit: 'day' }, limit: 1000 });
      materializeMs.push(performance.now() - t0);
    }
    console.log(
      `first daily read per symbol (materializes a year of days): p50 ${round(percentileOf(materializeMs, 50))} ms, max ${round(Math.max(...materializeMs))} ms`,
    );
    const weekdays: string[] = [];
    for (
      let t = Date.parse(`${YEAR_FROM}T12:00:00Z`);
      t <= Date.parse(`${YEAR_TO}T12:00:00Z`);
      t += 86_400_000
    ) {
      const day = new Date(t).getUTCDay();
      if (day !== 0 && day !== 6) weekdays.push(new Date(t).toISOString().slice(0, 10));
    }
    // 08:00Z + 17 h covers 04:00–20:00 New York in EDT (08:00Z–00:00Z) and EST (09:00Z–01:00Z).
    const session = (i: number) => {
      const day = weekdays[(i * 37) % weekdays.length];
      const from = new Date(`${day}T08:00:00Z`);
      return { from, to: new Date(from.getTime() + 17 * 3_600_000 - 60_000) };
    };
    const year = () => ({
      from: new Date(`${YEAR_FROM}T05:00:00Z`),
      to: new Date(`${YEAR_TO}T23:00:00Z`),
    });
    const pick = (i: number) => names[i % names.length];
    const cases: Case[] = [
      {
        name: 'session of 5-minute bars (ALL, 192 bars)',
        target: 10,
        timeframe: { multiplier: 5, unit: 'minute' },
        session: 'ALL',
        range: session,
        symbol: pick,
      },
      {
        name: 'session of 5-minute bars (REGULAR, 78 bars)',
        target: 10,
        timeframe: { multiplier: 5, unit: 'minute' },
        session: 'REGULAR',
        range: session,
        symbol: pick,
      },
      {
        name: 'year of daily bars (261 bars)',
        target: 50,
        timeframe: { multiplier: 1, unit: 'day' },
        session: 'ALL',
        range: year,
        symbol: pick,
      },
      {
        name: 'year of weekly bars',
        target: null,
        timeframe: { multiplier: 1, unit: 'week' },
        session: 'ALL',
        range: year,
        symbol: pick,
      },
      {
        name: 'session of 1-minute bars (960 bars)',
        target: null,
        timeframe: { multiplier: 1, unit: 'minute' },
        session: 'ALL',
        range: session,
        symbol: pick,
      },
    ];
    const results: Record<string, unknown>[] = [];
    console.log(
      'case                                          bars   roll-up path p50/p99   plain minutes p50/p99   bare scan p99   target',
    );
    for (const c of cases) {
      const rollup: number[] = [];
      const minutes: number[] = [];
      const baseline: number[] = [];
      let bars = 0;
      for (let i = -20; i < iterations; i++) {
        const { from, to } = c.range(i + 20);
        const symbol = c.symbol(i + 20);
        const query = { symbol, timeframe: c.timeframe, session: c.session, from, to, limit: 1000 };
        // Baseline: the bare range scan over the same minutes, one statement, no service.
        const b0 = performance.now();
        await db.dataSource.query(
          `SELECT sum(volume)::text AS v, max(high)::text AS h FROM ohlcv_1min WHERE symbol = $1 AND "timestamp" >= $2 AND "timestamp" <= $3`,
          [symbol, from.toISOString(), to.toISOString()],
        );
        const b1 = performance.now();
        const plain = await minutesOnly.bars(query);
        const b2 = performance.now();
        const page = await service.bars(query);
        const b3 = performance.now();
        if (i >= 0) {
          baseline.push(b1 - b0);
          minutes.push(b2 - b1);
          rollup.push(b3 - b2);
          bars = page.bars.length;
          if (JSON.stringify(page.bars) !== JSON.stringify(plain.bars))
            throw new Error(`${c.name}: roll-up path and plain minutes differ for ${symbol}`);
        }
      }
      const p99 = percentileOf(rollup, 99);
      const row = {
        case: c.name,
        bars,
        p50Ms: round(percentileOf(rollup, 50)),
        p99Ms: round(p99),
        minutesP50Ms: round(percentileOf(minutes, 50)),
        minutesP99Ms: round(percentileOf(minutes, 99)),
        baselineP50Ms: round(percentileOf(baseline, 50)),
        baselineP99Ms: round(percentileOf(baseline, 99)),
        speedupP99: round(percentileOf(minutes, 99) / p99),
        targetP99Ms: c.target,
        meetsTarget: c.target === null ? null : p99 < c.target,
      };
      results.push(row);
      console.log(
        `${c.name.padEnd(44)} ${String(bars).padStart(5)}   ${`${row.p50Ms} / ${row.p99Ms} ms`.padEnd(21)}  ` +
          `${`${row.minutesP50Ms} / ${row.minutesP99Ms} ms`.padEnd(22)}  ${`${row.baselineP99Ms} ms`.padEnd(14)}  ` +
          (c.target === null
            ? `(×${row.speedupP99} vs minutes)`
            : `p99 < ${c.target} ms: ${row.meetsTarget ? 'MET' : 'MISSED'} (×${row.speedupP99} vs minutes)`),
      );
    }
    const writeCost = await measureWriteCost(
      db.dataSource,
      envInt('BARS_BENCH_WRITE_SYMBOLS', 5000, 10, 20_000),
      envInt('BARS_BENCH_WRITE_ROUNDS', 24, 4, 400),
    );
    console.log(
      `live flush of ${writeCost.symbols} bars (median, ${writeCost.rounds} ABBA rounds): roll-up triggers on ${writeCost.withTriggersMs} ms, off ${writeCost.withoutTriggersMs} ms, ratio ×${writeCost.ratio}`,
    );
    const dir = path.join(process.cwd(), 'bench-results');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'bars-latest.json');
    writeFileSync(
      file,
      `${JSON.stringify({ rows: Number(n), symbols, iterations, materializeMs: materializeMs.map(round), results, writeCost }, null, 2)}\n`,
    );
    console.log(`written ${file}`);
  } finally {
    await db.drop();
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

/** The service as the API builds it, over one database. */
function timeframeBarsOver(
  dataSource: Parameters<typeof createReadRepositories>[0],
  dailyRollup = true,
): TimeframeBarsService {
  const repositories = createReadRepositories(dataSource);
  return new TimeframeBarsService(
    dailyRollup ? repositories.barRollups : plainMinutes(repositories.barRollups),
    new SymbolLookupService(repositories.symbols),
  );
}
