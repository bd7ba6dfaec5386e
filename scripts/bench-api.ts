/**
 * API load bench: `recentTicks` (60 bars) over GraphQL and the legacy REST shim, each driven by
 * `concurrency` keep-alive clients for a fixed time, next to a baseline of the very same SQL
 * run straight through `pg` in the same run — the ratio is what the API layer costs.
 *
 * Run by bench-api-load.ts (fresh seeded database, API in its own process); alone, after
 * `npm run build:tools`: `node dist/scripts/bench-api-load.js '{"durationSeconds":10}'`.
 */
import { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { RECENT_BARS_SQL } from '../src/repositories/bar-read.sql';
import { drive, type LoadResult } from './lib/load-driver';

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

export interface ApiBenchResult {
  concurrency: number;
  durationMs: number;
  bars: number;
  sql: LoadResult;
  graphql: LoadResult;
  rest: LoadResult;
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
