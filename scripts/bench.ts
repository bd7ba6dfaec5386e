/**
 * `npm run bench`: the PRODUCT.md §7 figures in one bounded run (a few minutes on 2 cores); see
 * HELP (`npm run bench -- --help`) for the parts and the knobs.
 */
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { forkApiLoad, formatApiLoad, type ApiLoadResult } from './bench-api-load';
import { forkIngestBench } from './bench-ingest';
import {
  formatIngestBench,
  ingestPassed,
  type IngestBenchOptions,
  type IngestBenchResult,
} from './bench-ingest-report';
import { formatSummary, summarize, writeResults, type BenchResults } from './bench-summary';
import { forkTickBench, formatTickBench, type TickBenchResult } from './bench-tick';
import { isPostgresReachable } from '../testkit/reachability';
import { postgresAdminUrl } from '../testkit/scratch-database';
import { envInt, envList, envNumber } from './lib/env';

const HELP = `npm run bench: the PRODUCT.md §7 figures in one bounded run

  1. handleTick micro-bench with and without the pattern engine, and benchEngine (bench-tick)
  2. end-to-end ingest, simulator → WebSocket → pool → pipeline → writer → database, on PGlite
     and on the local PostgreSQL (when reachable), engine on and off, with a zero-loss check,
     plus one run at a steady pace for event → row-visible latency (bench-ingest)
  3. API load on PostgreSQL: GraphQL recentTicks and REST vs the bare SQL (bench-api-load)

then the target-vs-measured table, also written to bench-results/latest.json. Each part runs in
its own process. Exits 1 when a zero-loss check fails (performance misses are reported, not fatal).

Knobs (environment):
  BENCH_ONLY=tick,ingest,api   parts to run (\`engine\` = tick; default all)
  BENCH_DB=pglite,postgres     ingest databases (default both; PostgreSQL only when reachable)
  BENCH_SECONDS=90             feed seconds per ingest run
  BENCH_REPEAT=2               runs of each engine on/off configuration (ABBA; the best counts)
  BENCH_CORRECTIONS=0.01       share of seconds re-broadcast in the corrections runs (0 = none)
  BENCH_SYMBOLS=10000          symbols (every one trades every second)
  BENCH_PACE=10000             events/s of the latency run (10000 = real time for 10,000 symbols; 0 = skip)
  BENCH_PACED_SECONDS=30       feed seconds of the latency run
  BENCH_API_SECONDS=10         seconds per API load row
  BENCH_FEED=child|inprocess   where the simulator runs (default child)
  BENCH_CONNECTIONS=1          sockets, 1..3
  BENCH_DATABASE_URL           admin URL for scratch databases (else TEST_DATABASE_URL, else local)`;

type Part = 'tick' | 'ingest' | 'api';

const loadAverage = () => os.loadavg().map((x) => Math.round(x * 100) / 100);

async function main(): Promise<number> {
  const started = performance.now();
  const parts = envList<Part>('BENCH_ONLY', ['tick', 'ingest', 'api'], {
    engine: 'tick',
    handletick: 'tick',
  });
  const databases = envList('BENCH_DB', ['pglite', 'postgres'] as const);
  const symbols = envInt('BENCH_SYMBOLS', 10_000, 1, 20_000);
  const seconds = envInt('BENCH_SECONDS', 90, 5, 3600);
  const pace = envInt('BENCH_PACE', 10_000, 0, 1_000_000);
  const pacedSeconds = envInt('BENCH_PACED_SECONDS', 30, 5, 3600);
  const apiSeconds = envInt('BENCH_API_SECONDS', 10, 1, 600);
  const connections = envInt('BENCH_CONNECTIONS', 1, 1, 3) as 1 | 2 | 3;
  const repeat = envInt('BENCH_REPEAT', 2, 1, 10);
  const correctionRate = envNumber('BENCH_CORRECTIONS', 0.01, 0, 0.5);
  const feed: IngestBenchOptions['feed'] =
    process.env.BENCH_FEED === 'inprocess' ? 'inprocess' : 'child';
  const adminUrl = postgresAdminUrl();
  const pgReachable = await isPostgresReachable(adminUrl);
  const skipped: string[] = [];
  const loadAverageStart = loadAverage();
  console.log(
    `TickStock bench: parts ${parts.join(', ')}; ${os.cpus().length} cores, load average ${loadAverageStart.join(' ')}; ` +
      `PostgreSQL ${pgReachable ? 'reachable' : 'NOT reachable'} at ${new URL(adminUrl).host}`,
  );
  if (!pgReachable)
    skipped.push('postgres: not reachable (ingest on PostgreSQL and the API bench skipped)');

  let tick: TickBenchResult | null = null;
  const ingest: IngestBenchResult[] = [];
  let api: ApiLoadResult | null = null;
  let failures = 0;

  if (parts.includes('tick')) {
    console.log('\n== 1. handleTick micro-bench');
    try {
      tick = await forkTickBench({ symbols, minutes: 2 });
      console.log(formatTickBench(tick));
    } catch (error) {
      failures++;
      console.error(`handleTick micro-bench failed: ${String(error)}`);
    }
  }

  if (parts.includes('ingest')) {
    console.log('\n== 2. end-to-end ingest');
    const runs: Partial<IngestBenchOptions>[] = [];
    for (const database of databases) {
      if (database === 'postgres' && !pgReachable) continue;
      // ABBA order: a slow drift in background load hits engine on and off alike.
      for (let i = 0; i < repeat; i++)
        for (const engine of i % 2 === 0 ? [true, false] : [false, true])
          runs.push({ database, engine });
    }
    // Corrections against the engine-on runs above, interleaved on the first database.
    if (correctionRate > 0 && runs.length > 0) {
      const database = runs[0].database;
      for (let i = 0; i < repeat; i++)
        runs.splice(1 + i * 3, 0, { database, engine: true, correctionRate });
    }
    if (pace > 0 && runs.length > 0) {
      const database = databases.includes('postgres') && pgReachable ? 'postgres' : databases[0];
      runs.push({ database, engine: true, paceEventsPerSec: pace, seconds: pacedSeconds });
    }
    for (const run of runs) {
      try {
        const result = await forkIngestBench({
          symbols,
          eventsPerSecond: symbols,
          seconds,
          connections,
          feed,
          ...run,
        });
        ingest.push(result);
        console.log(formatIngestBench(result));
        if (!ingestPassed(result)) failures++;
      } catch (error) {
        failures++;
        console.error(`ingest run ${JSON.stringify(run)} failed: ${String(error)}`);
      }
    }
  }

  if (parts.includes('api')) {
    console.log('\n== 3. API load (PostgreSQL)');
    if (!pgReachable) console.log('skipped: PostgreSQL not reachable');
    else {
      try {
        api = await forkApiLoad({ durationSeconds: apiSeconds, concurrency: 32, bars: 60 });
        console.log(formatApiLoad(api));
      } catch (error) {
        failures++;
        console.error(`API bench failed: ${String(error)}`);
      }
    }
  }

  const summary = summarize(tick, ingest, api);
  const durationSeconds = Math.round((performance.now() - started) / 1000);
  const results: BenchResults = {
    generatedAt: new Date().toISOString(),
    host: {
      cpus: os.cpus().length,
      node: process.version,
      loadAverageStart,
      loadAverageEnd: loadAverage(),
    },
    settings: {
      parts,
      databases,
      symbols,
      seconds,
      repeat,
      pace,
      pacedSeconds,
      correctionRate,
      apiSeconds,
      connections,
      feed,
    },
    tick,
    ingest,
    api,
    skipped,
    summary,
    durationSeconds,
  };
  const file = writeResults(path.resolve(__dirname, '..', '..'), results);
  console.log(
    `\n== Summary (PRODUCT.md §7), ${durationSeconds} s, load average ${results.host.loadAverageEnd.join(' ')}`,
  );
  console.log(formatSummary(summary));
  for (const line of skipped) console.log(`skipped: ${line}`);
  console.log(`results: ${path.relative(process.cwd(), file)}`);
  return failures === 0 ? 0 : 1;
}

if (process.argv.includes('--help')) {
  console.log(HELP);
  process.exit(0);
}
main()
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
