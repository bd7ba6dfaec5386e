/**
 * The API part of `npm run bench`: a fresh PostgreSQL database seeded with minute bars, the API
 * served by bench-api-server.ts in its own process (production mode, as an operator runs it),
 * and runApiBench's load — GraphQL recentTicks and the REST shim, 60 bars, 32 keep-alive
 * clients — next to the same SQL run straight through pg.
 *
 * Standalone: `node dist/scripts/bench-api-load.js '{"durationSeconds":10}'`.
 */
import 'reflect-metadata';
import type { ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { DataSource } from 'typeorm';
import { openDatabase } from '../ormconfig';
import {
  createScratchDatabase,
  postgresAdminUrl,
  type ScratchDatabase,
} from '../testkit/scratch-database';
import { formatApiBench, runApiBench, type ApiBenchResult } from './bench-api';
import { startBareServer } from './bench-api-bare';
import { startApiProcess, stopApiProcess } from './bench-api-server';
import { runBenchPart, runInChild } from './lib/child-run';

export interface ApiLoadOptions {
  durationSeconds: number;
  concurrency: number;
  bars: number;
  seedSymbols: number;
  seedMinutes: number;
  /** Live writes (one tick per symbol per interval, flushed every 250 ms) during the load. */
  writeEveryMs: number | null;
  generator?: 'wrk' | 'autocannon';
  rounds?: number;
  only?: ('rest' | 'graphql' | 'graphqlGet')[];
  /** false: the API serves every read from the database (the figures before the read cache). */
  readCache?: boolean;
}

export interface ApiLoadResult extends ApiBenchResult {
  /** The API's own counters after the load (/metrics), over every target and round. */
  served: Record<string, number>;
  seededBars: number;
  seedSeconds: number;
  writeEveryMs: number | null;
}

const DEFAULTS: ApiLoadOptions = {
  durationSeconds: 10,
  concurrency: 32,
  bars: 60,
  seedSymbols: 50,
  seedMinutes: 2_000,
  writeEveryMs: 250,
};

/** Real-looking bars (2-decimal prices, low ≤ open/close ≤ high) for `symbols` × `minutes`. */
export async function seed(
  dataSource: DataSource,
  symbols: number,
  minutes: number,
): Promise<void> {
  await dataSource.query(
    `INSERT INTO symbols (symbol) SELECT 'S' || lpad(i::text, 4, '0') FROM generate_series(1, $1) i`,
    [symbols],
  );
  await dataSource.query(
    `INSERT INTO ohlcv_1min (symbol, "timestamp", open, high, low, close, volume, vwap, open_second, close_second, seconds_mask)
     SELECT 'S' || lpad(s::text, 4, '0'), date_trunc('minute', now()) - m * interval '1 minute',
            p, p + 0.25, p - 0.25, p + 0.1, 1000 + ((s * 7919 + m * 104729) % 100000), p + 0.05, 0, 59, 1152921504606846975
     FROM generate_series(1, $1) s, generate_series(1, $2) m,
          LATERAL (SELECT round((100 + random() * 50 + s * 0 + m * 0)::numeric, 2) AS p) price`,
    [symbols, minutes],
  );
  await dataSource.query('ANALYZE');
}

/** BENCH_API_CPU_PROF=<dir>: the API process writes a V8 CPU profile there (see docs). */
function apiExecArgv(): string[] {
  const dir = process.env.BENCH_API_CPU_PROF;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

export async function runApiLoad(partial: Partial<ApiLoadOptions> = {}): Promise<ApiLoadResult> {
  const options = { ...DEFAULTS, ...partial };
  let scratch: ScratchDatabase | null = null;
  let dataSource: DataSource | null = null;
  let child: ChildProcess | null = null;
  let bare: ChildProcess | null = null;
  try {
    scratch = await createScratchDatabase(postgresAdminUrl(), 'tickstock_bench_api');
    dataSource = await openDatabase({ kind: 'postgres', url: scratch.url });
    const seedStart = performance.now();
    await seed(dataSource, options.seedSymbols, options.seedMinutes);
    const seedSeconds = (performance.now() - seedStart) / 1000;
    const symbols = Array.from(
      { length: options.seedSymbols },
      (_, i) => `S${String(i + 1).padStart(4, '0')}`,
    );
    const writes =
      options.writeEveryMs === null ? null : { symbols, everyMs: options.writeEveryMs };
    const served = await startApiProcess(
      scratch.url,
      writes,
      apiExecArgv(),
      options.readCache ?? true,
    );
    child = served.child;
    const baseline = await startBareServer(scratch.url);
    bare = baseline.child;
    const result = await runApiBench({
      apiUrl: served.apiUrl,
      bareUrl: baseline.url,
      symbols,
      connections: options.concurrency,
      bars: options.bars,
      durationSeconds: options.durationSeconds,
      generator: options.generator,
      rounds: options.rounds,
      only: options.only,
    });
    return {
      ...result,
      served: await servedCounters(served.apiUrl),
      seededBars: options.seedSymbols * options.seedMinutes,
      seedSeconds,
      writeEveryMs: options.writeEveryMs,
    };
  } finally {
    if (child !== null) await stopApiProcess(child);
    if (bare !== null) await stopApiProcess(bare);
    if (dataSource?.isInitialized) await dataSource.destroy();
    await scratch?.drop();
  }
}

const COUNTERS = [
  'tickstock_http_fast_answers_total',
  'tickstock_http_fast_remade_total',
  'tickstock_read_cache_hits_total',
  'tickstock_read_cache_misses_total',
  'tickstock_read_cache_bypassed_total',
];

/** How the API answered: fast-path answers and read cache outcomes, from its /metrics. */
async function servedCounters(apiUrl: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${apiUrl}/metrics`)).text();
  const counters: Record<string, number> = {};
  for (const name of COUNTERS) {
    const value = new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1];
    if (value !== undefined) counters[name.replace(/^tickstock_|_total$/g, '')] = Number(value);
  }
  return counters;
}

export function formatApiLoad(result: ApiLoadResult): string {
  const served = Object.entries(result.served ?? {})
    .map(([name, value]) => `${name} ${value}`)
    .join(', ');
  return `API process counters: ${served}\nseeded ${result.seededBars.toLocaleString('en-US')} bars in ${result.seedSeconds.toFixed(1)} s; live writes during the load: ${result.writeEveryMs === null ? 'none' : `every ${result.writeEveryMs} ms, all symbols`}\n${formatApiBench(result)}`;
}

export function forkApiLoad(options: Partial<ApiLoadOptions>): Promise<ApiLoadResult> {
  return runInChild<ApiLoadResult>('API bench', __filename, options);
}

if (require.main === module) runBenchPart(runApiLoad, formatApiLoad);
