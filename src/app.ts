import type { DataSource } from 'typeorm';
import { openDatabase } from '../ormconfig';
import { describeConfig, type AppConfig } from './config';
import { createAppEvents } from './events/app-events';
import { createMetrics } from './http/metrics';
import { createServer } from './http/server';
import { createIngest } from './ingest/create-ingest';
import type { MassiveSimulator } from './ingest/simulator/massive-simulator';
import type { IngestStatusSnapshot } from './domain/status';
import { createLogger, type Logger } from './logger';
import {
  logLegacyReport,
  logSchemaPlan,
  readLegacyReport,
} from './migrations/adoption/legacy-report';
import { createPatternModule, type PatternModule } from './patterns/pattern-module';
import { createOhlcvRepository } from './repositories/ohlcv.repository';
import { createReadRepositories } from './repositories/read-repositories';
import type { RetentionJob } from './retention/retention-job';
import { createApiServices } from './services/api-services';
import { CommitGenerations } from './services/cache/commit-generations';
import { startApiRole } from './cluster/start-api-role';
import { startIngestRole } from './cluster/start-ingest-role';
import { defaultStaticDir, DRAIN_TIMEOUT_MS, resolveFeed, startSessionPreload } from './app-parts';
import { ingestOptions, newRetentionJob, newSimulator } from './app-ingest';

export { DRAIN_TIMEOUT_MS } from './app-parts';
export type { FeedEndpoint } from './app-parts';

export interface RunningApp {
  url: string;
  port: number;
  dataSource: DataSource;
  /** The in-process feed when no MASSIVE_API_KEY is set. */
  simulator: MassiveSimulator | null;
  status(): IngestStatusSnapshot;
  /** The RETENTION_DAYS loop, null when everything is kept. */
  retention: RetentionJob | null;
  /** Stops the feed, writes every pending bar and pattern, closes the API and the database. */
  stop(): Promise<void>;
}

export interface StartAppOptions {
  logger?: Logger;
  /** The built dashboard (default: dist/web of this checkout). */
  staticDir?: string;
}

/**
 * The composition root: config → database → feed → repositories → patterns → ingest → API,
 * unwound in reverse by stop(). Nothing is built here that a module can build itself.
 */
export async function startApp(
  config: AppConfig,
  options: StartAppOptions = {},
): Promise<RunningApp> {
  // Scale-out roles have their own composition (src/cluster/*); ROLE=all is untouched below.
  if (config.role === 'ingest') return startIngestRole(config, options);
  if (config.role === 'api') return startApiRole(config, options);
  const logger = options.logger ?? createLogger(config.logLevel);
  const startedAt = Date.now();
  logger.info({ config: describeConfig(config) }, 'starting TickStock');

  const dataSource = await openDatabase(config.database, undefined, {
    onSchemaPlan: (plan) => logSchemaPlan(logger, plan),
  });
  logger.info({ database: config.database.kind }, 'database ready, migrations applied');
  logLegacyReport(logger, await readLegacyReport(dataSource));

  const simulator = newSimulator(config, logger);
  const feed = await resolveFeed(config, simulator);
  logger.info(
    { feed: feed.source, url: feed.wsUrl, symbols: feed.symbols.length },
    'feed selected',
  );

  const events = createAppEvents();
  // Every writer of served rows reports its commits here; the API's read cache is exact by it.
  const commits = new CommitGenerations();
  const metrics = createMetrics();
  const ohlcv = createOhlcvRepository(dataSource);
  const patterns: PatternModule = createPatternModule({
    dataSource,
    events,
    config,
    logger,
    commits,
  });
  // A failed start must not leave the database, the simulator or the pattern sink open.
  const abandon = async (error: unknown): Promise<never> => {
    await Promise.allSettled([patterns.stop(), dataSource.destroy(), simulator?.close()]);
    throw error;
  };
  const ingest = await createIngest(
    ingestOptions({
      config,
      feed,
      simulator,
      store: ohlcv,
      events,
      metrics,
      patterns,
      logger,
      commits,
    }),
  ).catch(abandon);

  const status = (): IngestStatusSnapshot => ({
    startedAt: new Date(startedAt).toISOString(),
    uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    feed: simulator ? 'simulator' : 'massive',
    database: config.database.kind,
    ...ingest.status(),
    patterns: patterns.status(),
  });

  const reads = createReadRepositories(dataSource);
  const server = await createServer({
    port: config.port,
    config,
    services: createApiServices({
      repositories: reads,
      events,
      status,
      // A `since` at the newest bar must be accepted even when accelerated feed time is ahead of the clock.
      futureSinceToleranceMs: feed.maxFutureMs,
      commits,
      cache: {
        maxEntries: config.readCacheMaxEntries,
        maxBytes: config.readCacheMaxMb * 1024 * 1024,
      },
    }),
    database: reads.health,
    feedConnected: () => ingest.feedLive(),
    logger: logger.child({ component: 'http' }),
    staticDir: options.staticDir ?? defaultStaticDir(),
    metrics,
  }).catch(abandon);
  ingest.start();
  const retention = newRetentionJob(config, dataSource, metrics, commits, logger);
  retention?.start();
  // After the server is up: a first start's chart gets the simulator's last session.
  const preload = startSessionPreload(config, simulator, ingest, ohlcv, logger);
  logger.info(
    { url: server.url },
    `TickStock listening: dashboard ${server.url}/ · GraphQL ${server.url}/graphql`,
  );

  let stopping: Promise<void> | null = null;
  const stop = async (): Promise<void> => {
    logger.info('stopping: feed, then bars and patterns drain, then API and database');
    try {
      await preload?.stop();
      await retention?.stop();
      await ingest.stop({ drainTimeoutMs: DRAIN_TIMEOUT_MS });
    } finally {
      await patterns.stop();
      await server.close();
      await dataSource.destroy();
      await simulator?.close();
    }
    logger.info({ barsWritten: ingest.writer.status().barsWritten }, 'stopped cleanly');
  };

  return {
    url: server.url,
    port: server.port,
    dataSource,
    simulator,
    status,
    retention,
    stop: () => (stopping ??= stop()),
  };
}
