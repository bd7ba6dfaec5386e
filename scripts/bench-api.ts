/**
 * API load bench: the newest `bars` bars of one of `symbols` (picked at random per request),
 * from an external load generator process (wrk when installed, else autocannon) with
 * `connections` keep-alive connections, against REST, GraphQL (POST and GET) and a bare
 * node:http + pg.Pool(10) server running the same SQL — all in the same run, so the ratios
 * compare like with like on the same cores.
 *
 * Run by bench-api-load.ts (fresh seeded database, API and baseline in processes of their own).
 */
import type { LoadResult } from './lib/load-driver';
import { defaultGenerator, runHttpLoad, type HttpLoadTarget } from './lib/http-load';

/** The median of each figure over the rounds (requests and errors summed). */
function medianRun(runs: LoadResult[]): LoadResult {
  const median = (pick: (r: LoadResult) => number) => {
    const sorted = runs.map(pick).sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
  };
  return {
    name: runs[0].name,
    requests: runs.reduce((n, r) => n + r.requests, 0),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    reqPerSec: median((r) => r.reqPerSec),
    p50Ms: median((r) => r.p50Ms),
    p99Ms: median((r) => r.p99Ms),
  };
}

export interface ApiBenchOptions {
  apiUrl: string;
  bareUrl: string;
  symbols: string[];
  connections?: number;
  durationSeconds: number;
  bars?: number;
  generator?: 'wrk' | 'autocannon';
  /** Each target runs once per round, interleaved; figures are per-target medians (default 3). */
  rounds?: number;
  /** Run only these targets besides the baseline (profiling one path). */
  only?: ('rest' | 'graphql' | 'graphqlGet')[];
}

export interface ApiBenchResult {
  concurrency: number;
  durationMs: number;
  bars: number;
  symbols: number;
  generator: string;
  rounds: number;
  /** The bare node:http + pg baseline. */
  sql: LoadResult;
  graphql: LoadResult;
  graphqlGet: LoadResult;
  rest: LoadResult;
}

const GRAPHQL_QUERY = `query Bench($symbol: String!, $limit: Int) { recentTicks(symbol: $symbol, limit: $limit) { symbol timestamp open high low close volume vwap } }`;

/** Checks a target answers `bars` rows before loading it, so a broken setup is not a figure. */
async function verify(
  url: string,
  init: RequestInit,
  rows: (body: unknown) => number,
  bars: number,
) {
  const response = await fetch(url, init);
  const body: unknown = await response.json();
  if (!response.ok || rows(body) !== bars)
    throw new Error(
      `bench target ${url} answered ${response.status}: ${JSON.stringify(body).slice(0, 200)}`,
    );
}

export async function runApiBench(options: ApiBenchOptions): Promise<ApiBenchResult> {
  const connections = options.connections ?? 32;
  const bars = options.bars ?? 60;
  const load = {
    connections,
    durationSeconds: options.durationSeconds,
    generator: options.generator,
  };
  const { symbols } = options;
  const restPath = (s: string) => `/api/ticks/recent?symbol=${encodeURIComponent(s)}&limit=${bars}`;
  const gqlBody = (s: string) =>
    JSON.stringify({ query: GRAPHQL_QUERY, variables: { symbol: s, limit: bars } });
  const gqlGetPath = (s: string) =>
    `/graphql?${new URLSearchParams({ query: GRAPHQL_QUERY, variables: JSON.stringify({ symbol: s, limit: bars }) }).toString()}`;

  const count = (body: unknown) => (body as { count?: number }).count ?? -1;
  const gqlRows = (body: unknown) =>
    (body as { data?: { recentTicks?: unknown[] } }).data?.recentTicks?.length ?? -1;
  await verify(`${options.bareUrl}/bars?symbol=${symbols[0]}&limit=${bars}`, {}, count, bars);
  await verify(`${options.apiUrl}${restPath(symbols[0])}`, {}, count, bars);
  await verify(
    `${options.apiUrl}/graphql`,
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: gqlBody(symbols[0]) },
    gqlRows,
    bars,
  );
  await verify(
    `${options.apiUrl}${gqlGetPath(symbols[0])}`,
    { headers: { 'apollo-require-preflight': 'true' } },
    gqlRows,
    bars,
  );

  const targets: Record<'sql' | 'rest' | 'graphql' | 'graphqlGet', HttpLoadTarget> = {
    sql: {
      name: 'bare node:http + pg',
      url: options.bareUrl,
      method: 'GET',
      requests: symbols.map((s) => ({ path: `/bars?symbol=${s}&limit=${bars}` })),
    },
    rest: {
      name: 'REST /api/ticks/recent',
      url: options.apiUrl,
      method: 'GET',
      requests: symbols.map((s) => ({ path: restPath(s) })),
    },
    graphql: {
      name: 'GraphQL POST recentTicks',
      url: options.apiUrl,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      requests: symbols.map((s) => ({ path: '/graphql', body: gqlBody(s) })),
    },
    graphqlGet: {
      name: 'GraphQL GET recentTicks',
      url: options.apiUrl,
      method: 'GET',
      headers: { 'apollo-require-preflight': 'true' },
      requests: symbols.map((s) => ({ path: gqlGetPath(s) })),
    },
  };
  // Rounds interleave the targets, so a neighbour's load on this box hits all of them alike.
  const runs = {
    sql: [] as LoadResult[],
    rest: [] as LoadResult[],
    graphql: [] as LoadResult[],
    graphqlGet: [] as LoadResult[],
  };
  for (let round = 0; round < (options.rounds ?? 3); round++) {
    for (const name of ['sql', 'rest', 'graphql', 'graphqlGet'] as const)
      if (name === 'sql' || options.only === undefined || options.only.includes(name))
        runs[name].push(await runHttpLoad(targets[name], load));
  }
  const sql = medianRun(runs.sql);
  const skipped = (name: string): LoadResult => ({
    name: `${name} (not run)`,
    requests: 0,
    errors: 0,
    reqPerSec: 0,
    p50Ms: 0,
    p99Ms: 0,
  });
  const rest = runs.rest.length ? medianRun(runs.rest) : skipped('REST');
  const graphql = runs.graphql.length ? medianRun(runs.graphql) : skipped('GraphQL POST');
  const graphqlGet = runs.graphqlGet.length ? medianRun(runs.graphqlGet) : skipped('GraphQL GET');
  return {
    concurrency: connections,
    durationMs: options.durationSeconds * 1000,
    bars,
    symbols: symbols.length,
    generator: options.generator ?? defaultGenerator(),
    rounds: options.rounds ?? 3,
    sql,
    rest,
    graphql,
    graphqlGet,
  };
}

export function formatApiBench(result: ApiBenchResult): string {
  const base = result.sql;
  const line = (r: LoadResult, target: string) =>
    `${r.name.padEnd(26)} ${r.reqPerSec.toFixed(0).padStart(8)} ${r.p50Ms.toFixed(2).padStart(8)} ${r.p99Ms.toFixed(2).padStart(8)} ` +
    `${(r.reqPerSec / base.reqPerSec).toFixed(2).padStart(7)}x ${String(r.errors).padStart(6)}  ${target}`;
  return [
    `API bench (${result.generator}): newest ${result.bars} bars of one of ${result.symbols} symbols, ${result.concurrency} connections, ${(result.durationMs / 1000).toFixed(0)} s per target per round, median of ${result.rounds} interleaved rounds`,
    `${'what'.padEnd(26)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'× bare'.padStart(8)} ${'errors'.padStart(6)}  target`,
    line(result.sql, 'baseline'),
    line(result.rest, '>= 2.00x, p99 < 15 ms'),
    line(result.graphql, '>= 1.00x, p99 < 15 ms'),
    line(result.graphqlGet, '>= 1.00x, p99 < 15 ms'),
  ].join('\n');
}
