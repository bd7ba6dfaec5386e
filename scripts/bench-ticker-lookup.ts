/**
 * What the ticker lookup (SymbolLookupService) costs the legacy REST shim: the same 60-bar
 * `GET /api/ticks/recent` with the ticker exact (`AAPL`, `ABRpD`: remembered after the first
 * lookup, so no extra query) and in legacy lower case (`aapl`: one `lower(symbol) = ANY(…)`
 * lookup per request over 1,000 symbols), 32 keep-alive clients, rounds interleaved so load
 * from elsewhere on the box hits every variant alike. The API runs in its own process
 * (bench-api-server.ts) over a fresh PostgreSQL database.
 *
 * `npm run build:tools && node dist/scripts/bench-ticker-lookup.js '{"durationSeconds":8,"rounds":2}'`
 */
import 'reflect-metadata';
import { openDatabase } from '../ormconfig';
import { createScratchDatabase, postgresAdminUrl } from '../testkit/scratch-database';
import { startApiProcess, stopApiProcess } from './bench-api-server';
import { drive, type LoadResult } from './lib/load-driver';

const VARIANTS = [
  ['exact AAPL', 'AAPL'],
  ['exact ABRpD', 'ABRpD'],
  ['lower-case aapl', 'aapl'],
] as const;

async function main(): Promise<void> {
  const options = {
    durationSeconds: 8,
    rounds: 2,
    concurrency: 32,
    ...(JSON.parse(process.argv[2] ?? '{}') as Record<string, number>),
  };
  const scratch = await createScratchDatabase(postgresAdminUrl(), 'tickstock_bench_lookup');
  const dataSource = await openDatabase({ kind: 'postgres', url: scratch.url });
  try {
    await dataSource.query(
      `INSERT INTO symbols (symbol) SELECT 'S' || lpad(i::text, 4, '0') FROM generate_series(1, 1000) i
       UNION ALL SELECT unnest(ARRAY['AAPL', 'ABRpD', 'BCPC', 'BCpC'])`,
    );
    await dataSource.query(
      `INSERT INTO ohlcv_1min (symbol, "timestamp", open, high, low, close, volume, vwap, open_second, close_second, seconds_mask)
       SELECT s, date_trunc('minute', now()) - m * interval '1 minute', 100, 100.5, 99.5, 100.25, 1000 + m, 100.1, 0, 59, 1152921504606846975
       FROM unnest(ARRAY['AAPL', 'ABRpD', 'BCPC', 'BCpC']) s, generate_series(0, 199) m`,
    );
    await dataSource.query('ANALYZE');
    const { child, apiUrl } = await startApiProcess(scratch.url);
    try {
      const results = new Map<string, LoadResult[]>();
      for (let round = 0; round < options.rounds; round++) {
        for (const [name, ticker] of VARIANTS) {
          const url = `${apiUrl}/api/ticks/recent?symbol=${ticker}&limit=60`;
          const result = await drive(
            name,
            options.concurrency,
            options.durationSeconds * 1000,
            async () => {
              const response = await fetch(url);
              const body = (await response.json()) as { count?: number };
              return response.status === 200 && body.count === 60;
            },
          );
          results.set(name, [...(results.get(name) ?? []), result]);
        }
      }
      const mean = (list: LoadResult[], pick: (r: LoadResult) => number) =>
        list.reduce((sum, r) => sum + pick(r), 0) / list.length;
      const baseline = mean(results.get('exact AAPL')!, (r) => r.reqPerSec);
      for (const [name, list] of results) {
        const rps = mean(list, (r) => r.reqPerSec);
        console.log(
          `${name.padEnd(16)} ${rps.toFixed(0).padStart(6)} req/s  ×${(rps / baseline).toFixed(2)} of exact AAPL  p99 ${mean(list, (r) => r.p99Ms).toFixed(1)} ms  errors ${list.reduce((n, r) => n + r.errors, 0)}`,
        );
      }
    } finally {
      await stopApiProcess(child);
    }
  } finally {
    await dataSource.destroy();
    await scratch.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
