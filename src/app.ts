import { existsSync } from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { openDatabase } from '../ormconfig';
import { describeConfig, type AppConfig } from './config';
import { createAppEvents } from './events/app-events';
import { createMetrics } from './http/metrics';
import { createServer, type RunningServer } from './http/server';
import { MinuteBarAggregator } from './ingest/bars/aggregator';
import { BarWriter } from './ingest/bars/writer';
import { GapFiller } from './ingest/gap-filler';
import { MassiveBackfillClient } from './ingest/massive/backfill-client';
import { MassivePool } from './ingest/massive/pool';
import { createPipeline } from './ingest/pipeline';
import { MassiveSimulator } from './ingest/simulator/massive-simulator';
import { IngestStats } from './ingest/stats';
import type { IngestStatusSnapshot } from './domain/status';
import type { TickSource } from './domain/tick';
import { createLogger, type Logger } from './logger';
import { createPatternModule, type PatternModule } from './patterns/pattern-module';
import { createOhlcvRepository } from './repositories/ohlcv.repository';
import { createReadRepositories } from './repositories/read-repositories';
import { createApiServices } from './services/api-services';

export interface RunningApp {
  url: string;
  port: number;
  dataSource: DataSource;
  /** The in-process feed when no MASSIVE_API_KEY is set. */
  simulator: MassiveSimulator | null;
  status(): IngestStatusSnapshot;
  /** Stops the feed, writes every pending bar and pattern, closes the API and the database. */
  stop(): Promise<void>;
}

export interface StartAppOptions {
  logger?: Logger;
  /** The built dashboard (default: dist/web of this checkout). */
  staticDir?: string;
}

interface FeedEndpoint {
  wsUrl: string;
  restUrl: string;
  apiKey: string;
  symbols: string[];
  source: TickSource;
  /** Accelerated simulator time runs ahead of the wall clock. */
  maxFutureMs: number;
  /** The simulator never goes quiet; the real feed does when markets are closed. */
  noDataTimeoutMs: number;
}

const DRAIN_TIMEOUT_MS = 30_000;

/** The composition root: config → database → feed → ingest → API, unwound in reverse by stop(). */
export async function startApp(
  config: AppConfig,
  options: StartAppOptions = {},
): Promise<RunningApp> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const startedAt = Date.now();
  logger.info({ config: describeConfig(config) }, 'starting TickStock');

  const dataSource = await openDatabase(config.database);
  logger.info({ database: config.database.kind }, 'database ready, migrations applied');

  const simulator =
    config.massiveApiKey === null
      ? new MassiveSimulator({ ...config.simulator, ...simulatorSymbols(config), logger })
      : null;
  const feed = await resolveFeed(config, simulator);
  logger.info(
    { feed: feed.source, url: feed.wsUrl, symbols: feed.symbols.length },
    'feed selected',
  );

  const stats = new IngestStats();
  const events = createAppEvents();
  const metrics = createMetrics();
  const ohlcv = createOhlcvRepository(dataSource);
  const aggregator = new MinuteBarAggregator();
  const latestStored = await ohlcv.latestMinutePerSymbol(
    feed.symbols[0] === '*' ? undefined : feed.symbols,
  );
  if (latestStored.size > 0) aggregator.setSeedThrough(Math.max(...latestStored.values()));

  const writer = new BarWriter({
    source: aggregator,
    store: ohlcv,
    logger: logger.child({ component: 'bar-writer' }),
    flushIntervalMs: config.flushIntervalMs,
    flushBatchSize: config.flushBatchSize,
    onFlushed: (bars) => events.publish('barsUpdated', bars),
    onFlushLatency: (ms) => metrics.flushLatency.observe(ms / 1000),
  });
  const patterns: PatternModule = createPatternModule({ dataSource, events, config, logger });
  aggregator.addBarClosedListener(patterns.engine.onBarClosed);
  const pipeline = createPipeline({ stats, aggregator, tickListeners: [patterns.engine.onTick] });

  const backfillClient = new MassiveBackfillClient({
    restUrl: feed.restUrl,
    apiKey: feed.apiKey,
    source: feed.source,
    maxFutureMs: feed.maxFutureMs,
    logger,
  });
  const gapFiller = new GapFiller(
    {
      fetchMinuteBars: (symbol, from, to) => backfillClient.fetchMinuteBars(symbol, from, to),
      replaceMinuteBars: async (bars) => void (await writer.replaceMinuteBars(bars)),
      feedTimeMs: () => stats.lastTickEndMs,
      logger: logger.child({ component: 'backfill' }),
    },
    { maxMinutes: config.backfillMaxMinutes },
  );
  for (const [symbol, minute] of latestStored) gapFiller.enqueueUntilLive(symbol, minute);

  const pool = new MassivePool({
    url: feed.wsUrl,
    apiKey: feed.apiKey,
    symbols: feed.symbols,
    connections: config.maxConnections,
    source: feed.source,
    maxFutureMs: feed.maxFutureMs,
    noDataTimeoutMs: config.feedNoDataTimeoutMs ?? feed.noDataTimeoutMs,
    pingIntervalMs: config.feedPingIntervalMs,
    logger,
    onTicks: (ticks) => pipeline.handleTicks(ticks),
    onReject: (reason) => stats.reject(reason),
    onFrame: (count) => {
      stats.framesReceived++;
      stats.ticksReceived += count;
    },
    onGap: (gap) => {
      for (const symbol of gap.symbols)
        gapFiller.enqueue({ symbol, fromMs: gap.fromMs, toMs: gap.toMs });
    },
    onFatal: (error) => logger.error({ err: error }, 'feed socket stopped for good'),
  });

  const status = (): IngestStatusSnapshot => {
    const fills = gapFiller.status();
    const client = backfillClient.counters();
    return {
      startedAt: new Date(startedAt).toISOString(),
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      feed: simulator ? 'simulator' : 'massive',
      database: config.database.kind,
      ingest: stats.snapshot(),
      connections: pool.status(),
      writer: writer.status(),
      backfill: {
        ...fills,
        requests: client.requests,
        lastError: fills.lastError ?? client.lastError,
      },
      patterns: patterns.status(),
    };
  };

  let server: RunningServer;
  try {
    const reads = createReadRepositories(dataSource);
    server = await createServer({
      port: config.port,
      config,
      services: createApiServices({
        repositories: reads,
        events,
        status,
        // A `since` at the newest bar must be accepted even when accelerated feed time is ahead of the clock.
        futureSinceToleranceMs: feed.maxFutureMs,
      }),
      database: reads.health,
      feedConnected: () => pool.allLive(),
      logger: logger.child({ component: 'http' }),
      staticDir: options.staticDir ?? defaultStaticDir(),
      metrics,
    });
  } catch (error) {
    await Promise.allSettled([patterns.stop(), dataSource.destroy(), simulator?.close()]);
    throw error;
  }
  writer.start();
  gapFiller.start();
  pool.start();
  logger.info(
    { url: server.url },
    `TickStock listening: dashboard ${server.url}/ · GraphQL ${server.url}/graphql`,
  );

  let stopping: Promise<void> | null = null;
  const stop = async (): Promise<void> => {
    logger.info('stopping: feed, then bars and patterns drain, then API and database');
    await pool.close();
    gapFiller.stop();
    await gapFiller.fillPendingNow();
    try {
      await writer.drain({ timeoutMs: DRAIN_TIMEOUT_MS });
    } finally {
      writer.stop();
      await patterns.stop();
      backfillClient.close();
      await server.close();
      await dataSource.destroy();
      await simulator?.close();
    }
    logger.info({ barsWritten: writer.status().barsWritten }, 'stopped cleanly');
  };

  return {
    url: server.url,
    port: server.port,
    dataSource,
    simulator,
    status,
    stop: () => (stopping ??= stop()),
  };
}

function simulatorSymbols(config: AppConfig): { symbols?: string[] } {
  return config.symbols[0] === '*' ? {} : { symbols: config.symbols };
}

async function resolveFeed(
  config: AppConfig,
  simulator: MassiveSimulator | null,
): Promise<FeedEndpoint> {
  if (simulator === null) {
    return {
      wsUrl: config.massiveWsUrl,
      restUrl: config.massiveRestUrl,
      apiKey: config.massiveApiKey ?? '',
      symbols: config.symbols,
      source: 'massive',
      maxFutureMs: 5 * 60_000,
      noDataTimeoutMs: 0,
    };
  }
  const { wsUrl, restUrl } = await simulator.start(0);
  return {
    wsUrl,
    restUrl,
    apiKey: 'simulator',
    symbols: [...simulator.symbols],
    source: 'simulator',
    // An accelerated simulator runs ahead of the wall clock; allow a day of it.
    maxFutureMs: Math.max(5 * 60_000, config.simulator.acceleration * 24 * 3_600_000),
    noDataTimeoutMs: 30_000,
  };
}

/** dist/web of this checkout, whether running from dist/ (npm start) or from sources (tests). */
function defaultStaticDir(): string | undefined {
  for (const candidate of [
    path.resolve(__dirname, '..', 'web'),
    path.resolve(__dirname, '..', 'dist', 'web'),
  ]) {
    if (existsSync(path.join(candidate, 'index.html'))) return candidate;
  }
  return undefined;
}
