/**
 * The API process of the API bench: serves the API over a given PostgreSQL database on a free
 * port, as an operator runs it (NODE_ENV=production: graphql-js skips its dev checks), in its
 * own process so the load generator does not share the server's event loop.
 */
import 'reflect-metadata';
import { fork, type ChildProcess } from 'node:child_process';
import { openDatabase } from '../ormconfig';
import { idleIngestStatus, type IngestStatusSnapshot } from '../src/domain/status';
import { createAppEvents } from '../src/events/app-events';
import { createServer } from '../src/http/server';
import { createReadRepositories } from '../src/repositories/read-repositories';
import { createApiServices } from '../src/services/api-services';
import { createLogger } from '../src/logger';
import type { DataSource } from 'typeorm';
import { createIngest } from '../src/ingest/create-ingest';
import { createOhlcvRepository } from '../src/repositories/ohlcv.repository';
import { CommitGenerations } from '../src/services/cache/commit-generations';

/** Starts this file as a child serving `databaseUrl`; resolves with the API's base URL. */
export async function startApiProcess(
  databaseUrl: string,
  writes: ApiWrites | null = null,
  execArgv: string[] = [],
  readCache = true,
): Promise<{ child: ChildProcess; apiUrl: string }> {
  const child = fork(__filename, [databaseUrl, JSON.stringify(writes), String(readCache)], {
    execArgv,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  const apiUrl = await new Promise<string>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { url: string }).url));
    child.once('exit', (code) => reject(new Error(`API process exited early (${code})`)));
  });
  return { child, apiUrl };
}

/** Disconnects the API process and waits until it has exited. */
export async function stopApiProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.disconnect();
  await exited;
}

/** A status with nothing ingested: the bench API serves stored bars only. */
function idleStatus(): IngestStatusSnapshot {
  return {
    startedAt: new Date().toISOString(),
    uptimeSeconds: 0,
    feed: 'simulator',
    database: 'postgres',
    ...idleIngestStatus(),
  };
}

/** Live writes during the load: one tick per symbol every `everyMs`, through the real writer. */
export interface ApiWrites {
  symbols: string[];
  everyMs: number;
}

/**
 * The real ingest writer (flush every 250 ms, as FLUSH_INTERVAL_MS defaults) fed one tick per
 * symbol per period, so every cached answer is invalidated at the writer's pace during the load.
 */
async function startWrites(dataSource: DataSource, commits: CommitGenerations, writes: ApiWrites) {
  const ingest = await createIngest({
    store: createOhlcvRepository(dataSource),
    logger: createLogger('warn'),
    tuning: { flushIntervalMs: 250, flushBatchSize: 5000 },
    seedFromStore: false,
    commits,
  });
  ingest.start();
  let second = 0;
  const timer = setInterval(() => {
    const startMs = Math.floor(Date.now() / 1000) * 1000;
    second++;
    ingest.pipeline.handleTicks(
      writes.symbols.map((symbol, i) => {
        const price = 100 + i + (second % 7) / 100;
        return {
          symbol,
          eventType: 'A' as const,
          startMs,
          endMs: startMs + 1000,
          open: price,
          high: price + 0.05,
          low: price - 0.05,
          close: price,
          volume: 100,
          vwap: price,
          accumulatedVolume: null,
          dayOpen: null,
          dayVwap: null,
          averageTradeSize: null,
          source: 'simulator' as const,
          receivedAtMs: Date.now(),
        };
      }),
    );
  }, writes.everyMs);
  return async () => {
    clearInterval(timer);
    await ingest.stop();
  };
}

/** The child: serves the API on a free port, reports its URL, exits when the parent lets go. */
async function serve(
  databaseUrl: string,
  writes: ApiWrites | null,
  readCache: boolean,
): Promise<void> {
  const dataSource = await openDatabase({ kind: 'postgres', url: databaseUrl });
  const repositories = createReadRepositories(dataSource);
  const commits = new CommitGenerations();
  const stopWrites = writes === null ? null : await startWrites(dataSource, commits, writes);
  const server = await createServer({
    port: 0,
    host: '127.0.0.1',
    config: { production: true, apiToken: null, pollMs: 2000 },
    services: createApiServices({
      repositories,
      events: createAppEvents(),
      status: idleStatus,
      // Without it nothing is cached (the "before" of the read cache).
      ...(readCache ? { commits } : {}),
    }),
    database: repositories.health,
    feedConnected: () => true,
    logger: createLogger('warn'),
  });
  process.send?.({ url: server.url });
  process.once('disconnect', () => {
    void (stopWrites?.() ?? Promise.resolve())
      .then(() => server.close())
      .then(() => dataSource.destroy())
      .then(() => process.exit(0));
  });
}

if (require.main === module) {
  serve(
    process.argv[2],
    JSON.parse(process.argv[3] ?? 'null') as ApiWrites | null,
    process.argv[4] !== 'false',
  ).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
