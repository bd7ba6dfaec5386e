/**
 * API load bench: `recentTicks` (60 bars) over GraphQL and the legacy REST shim, each driven by
 * `concurrency` keep-alive clients for a fixed time, next to a baseline of the very same SQL
 * run straight through `pg` in the same run — the ratio is what the API layer costs.
 *
 * Run alone (after `npm run build`): `node dist/scripts/bench-api.js [durationSeconds]`.
 * It creates its own PostgreSQL database (BENCH_DATABASE_URL / TEST_DATABASE_URL or the local
 * default), seeds it, serves the API from a child process (so the load generator does not
 * share the server's event loop), prints the table, and drops the database.
 */
import 'reflect-metadata';
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Client, Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { openDatabase } from '../ormconfig';
import { createAppEvents } from '../src/events/app-events';
import { createServer } from '../src/http/server';
import type { IngestStatusSnapshot } from '../src/domain/status';
import { createLogger } from '../src/logger';
import { RECENT_BARS_SQL } from '../src/repositories/bar-read.sql';
import { createReadRepositories } from '../src/repositories/read-repositories';
import { createApiServices } from '../src/services/api-services';

export interface ApiBenchOptions {
  /** Base URL of a running TickStock API. */
  url: string;
  /** The API's database, for the direct-SQL baseline (PostgreSQL: a separate pg.Pool on the same URL). */
  dataSource: DataSource;
  symbol: string;
  concurrency?: number;
  durationMs: number;
  /** Bars per request (default 60). */
  bars?: number;
  /** Bearer token when the API requires one. */
  apiToken?: string | null;
}

export interface LoadResult {
  name: string;
  requests: number;
  errors: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

export interface ApiBenchResult {
  concurrency: number;
  durationMs: number;
  bars: number;
  sql: LoadResult;
  graphql: LoadResult;
  rest: LoadResult;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Runs `once` from `concurrency` loops for `durationMs` (after a short warm-up); latencies in ms. */
async function drive(
  name: string,
  concurrency: number,
  durationMs: number,
  once: () => Promise<boolean>,
): Promise<LoadResult> {
  const warmupUntil = performance.now() + Math.min(1000, durationMs / 5);
  while (performance.now() < warmupUntil)
    await Promise.all(Array.from({ length: concurrency }, once));
  const latencies: number[] = [];
  let errors = 0;
  const start = performance.now();
  const end = start + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        const ok = await once().catch(() => false);
        latencies.push(performance.now() - t0);
        if (!ok) errors++;
      }
    }),
  );
  const elapsed = performance.now() - start;
  const sorted = Float64Array.from(latencies).sort();
  return {
    name,
    requests: latencies.length,
    errors,
    reqPerSec: (latencies.length / elapsed) * 1000,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
  };
}

/** See the file comment. Node's fetch (undici) keeps connections alive by default. */
export async function runApiBench(options: ApiBenchOptions): Promise<ApiBenchResult> {
  const concurrency = options.concurrency ?? 32;
  const bars = options.bars ?? 60;
  const auth: Record<string, string> = options.apiToken
    ? { authorization: `Bearer ${options.apiToken}` }
    : {};
  const expectRows = (n: number) => n === bars;

  const dbOptions = options.dataSource.options as { url?: string; extra?: { max?: number } };
  const poolSize = dbOptions.extra?.max ?? 10;
  let sql: LoadResult;
  if (dbOptions.url) {
    // Same pool size as the API's DataSource: the baseline gets no more database than the API.
    const pool = new Pool({ connectionString: dbOptions.url, max: poolSize });
    try {
      sql = await drive(
        `SQL via pg (pool ${poolSize})`,
        concurrency,
        options.durationMs,
        async () =>
          expectRows(
            (await pool.query(RECENT_BARS_SQL, [options.symbol, '-infinity', bars])).rowCount ?? 0,
          ),
      );
    } finally {
      await pool.end();
    }
  } else {
    sql = await drive('SQL via DataSource', concurrency, options.durationMs, async () =>
      expectRows(
        (
          await options.dataSource.query<unknown[]>(RECENT_BARS_SQL, [
            options.symbol,
            '-infinity',
            bars,
          ])
        ).length,
      ),
    );
  }

  const graphqlBody = JSON.stringify({
    query: `query Bench($symbol: String!, $limit: Int) { recentTicks(symbol: $symbol, limit: $limit) { symbol timestamp open high low close volume vwap } }`,
    variables: { symbol: options.symbol, limit: bars },
  });
  const graphql = await drive('GraphQL recentTicks', concurrency, options.durationMs, async () => {
    const response = await fetch(`${options.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: graphqlBody,
    });
    const body = (await response.json()) as { data?: { recentTicks?: unknown[] } };
    return response.ok && expectRows(body.data?.recentTicks?.length ?? -1);
  });

  const restUrl = `${options.url}/api/ticks/recent?symbol=${encodeURIComponent(options.symbol)}&limit=${bars}`;
  const rest = await drive('REST /api/ticks/recent', concurrency, options.durationMs, async () => {
    const response = await fetch(restUrl, { headers: auth });
    const body = (await response.json()) as { count?: number };
    return response.ok && expectRows(body.count ?? -1);
  });

  return { concurrency, durationMs: options.durationMs, bars, sql, graphql, rest };
}

export function formatApiBench(result: ApiBenchResult): string {
  const rows = [result.sql, result.graphql, result.rest];
  const base = result.sql;
  const line = (r: LoadResult) =>
    `${r.name.padEnd(26)} ${r.reqPerSec.toFixed(0).padStart(8)} ${r.p50Ms.toFixed(2).padStart(8)} ${r.p99Ms.toFixed(2).padStart(8)} ` +
    `${(base.reqPerSec / r.reqPerSec).toFixed(2).padStart(7)}x ${String(r.errors).padStart(6)}`;
  return [
    `API bench: ${result.bars} bars/request, ${result.concurrency} concurrent keep-alive clients, ${(result.durationMs / 1000).toFixed(0)} s per row`,
    `${'what'.padEnd(26)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'cost'.padStart(8)} ${'errors'.padStart(6)}`,
    ...rows.map(line),
    `cost = baseline req/s ÷ row req/s (1.00x = as fast as the bare SQL). Targets: p99 < 15 ms, >= 2,000 req/s.`,
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Standalone run: fresh database, seeded, API in a child process.

const SEED_SYMBOLS = 100;
const SEED_MINUTES = 2000;

function idleStatus(): IngestStatusSnapshot {
  return {
    startedAt: new Date().toISOString(),
    uptimeSeconds: 0,
    feed: 'simulator',
    database: 'postgres',
    ingest: {
      framesReceived: 0,
      ticksReceived: 0,
      ticksProcessed: 0,
      ticksRejected: 0,
      rejectedByReason: {},
      lastTickAt: null,
      lagMs: null,
    },
    connections: [],
    writer: {
      barsWritten: 0,
      flushes: 0,
      flushFailures: 0,
      flushLatencyMs: { p50: 0, p99: 0 },
      backlog: 0,
      duplicatesIgnored: 0,
      lastFlushAt: null,
      lastError: null,
    },
    backfill: {
      runs: 0,
      requests: 0,
      minutesFilled: 0,
      failures: 0,
      lastRunAt: null,
      lastError: null,
    },
    patterns: {
      detectedByPattern: {},
      persisted: 0,
      published: 0,
      publishFailures: 0,
      queueDepth: 0,
      dropped: 0,
    },
  };
}

/** Child process: serve the API on a free port over `url`, report the port to the parent. */
async function serve(url: string): Promise<void> {
  const dataSource = await openDatabase({ kind: 'postgres', url });
  const repositories = createReadRepositories(dataSource);
  const server = await createServer({
    port: 0,
    host: '127.0.0.1',
    config: { production: true, apiToken: null, pollMs: 2000 },
    services: createApiServices({ repositories, events: createAppEvents(), status: idleStatus }),
    database: repositories.health,
    feedConnected: () => true,
    logger: createLogger('warn'),
  });
  process.send?.({ url: server.url });
  process.once('disconnect', () => {
    void server
      .close()
      .then(() => dataSource.destroy())
      .then(() => process.exit(0));
  });
}

async function main(): Promise<void> {
  const durationMs = Number(process.argv[2] ?? 10) * 1000;
  const adminUrl =
    process.env.BENCH_DATABASE_URL ??
    process.env.TEST_DATABASE_URL ??
    'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `tickstock_bench_${randomBytes(5).toString('hex')}`;
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  let child: ReturnType<typeof fork> | undefined;
  let dataSource: DataSource | undefined;
  try {
    dataSource = await openDatabase({ kind: 'postgres', url: url.toString() });
    const seedStart = performance.now();
    await dataSource.query(
      `INSERT INTO symbols (symbol) SELECT 'S' || lpad(i::text, 4, '0') FROM generate_series(1, $1) i`,
      [SEED_SYMBOLS],
    );
    await dataSource.query(
      `INSERT INTO ohlcv_1min (symbol, "timestamp", open, high, low, close, volume, vwap)
       SELECT 'S' || lpad(s::text, 4, '0'), date_trunc('minute', now()) - m * interval '1 minute',
              p, p + 0.25, p - 0.25, p + 0.1, (random() * 1e6)::bigint, p + 0.05
       FROM generate_series(1, $1) s, generate_series(0, $2 - 1) m,
            -- referencing s and m makes the subquery run per row (one random price per bar)
            LATERAL (SELECT round((100 + random() * 50 + s * 0 + m * 0)::numeric, 4) AS p) price`,
      [SEED_SYMBOLS, SEED_MINUTES],
    );
    await dataSource.query('ANALYZE');
    console.log(
      `seeded ${SEED_SYMBOLS * SEED_MINUTES} bars (${SEED_SYMBOLS} symbols × ${SEED_MINUTES} min) in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`,
    );

    // The API runs as an operator would run it: NODE_ENV=production (graphql-js skips its dev checks).
    child = fork(__filename, ['--serve', url.toString()], {
      stdio: 'inherit',
      env: { ...process.env, NODE_ENV: 'production' },
    });
    const apiUrl = await new Promise<string>((resolve, reject) => {
      child!.once('message', (message) => resolve((message as { url: string }).url));
      child!.once('exit', (code) => reject(new Error(`API process exited early (${code})`)));
    });
    const result = await runApiBench({ url: apiUrl, dataSource, symbol: 'S0042', durationMs });
    console.log(formatApiBench(result));
  } finally {
    child?.disconnect();
    if (child && child.exitCode === null)
      await new Promise((resolve) => child!.once('exit', resolve));
    await dataSource?.destroy();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

if (require.main === module) {
  const run = process.argv[2] === '--serve' ? serve(process.argv[3]) : main();
  run.catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
