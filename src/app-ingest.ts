import type { DataSource } from 'typeorm';
import type { AppConfig } from './config';
import type { CommitPort } from './domain/commit-port';
import type { AppEvents } from './events/app-events';
import type { AppMetrics } from './http/metrics';
import type { IngestBarStore, IngestOptions } from './ingest/create-ingest';
import { MassiveSimulator } from './ingest/simulator/massive-simulator';
import type { Logger } from './logger';
import type { PatternModule } from './patterns/pattern-module';
import { RetentionRepository } from './repositories/retention.repository';
import { DEFAULT_RETENTION, RetentionJob } from './retention/retention-job';
import { feedPorts, simulatorHistory, simulatorSymbols, type FeedEndpoint } from './app-parts';

/**
 * The ingest side as every composition with a feed builds it (ROLE=all and the ingest leader):
 * the built-in simulator when there is no key, the ingest graph's ports, the retention job.
 */

/** The in-process feed when no MASSIVE_API_KEY is set, null otherwise. */
export function newSimulator(config: AppConfig, logger: Logger): MassiveSimulator | null {
  if (config.massiveApiKey !== null) return null;
  return new MassiveSimulator({
    ...config.simulator,
    // Massive allows one socket per key unless more are bought: the app's own limit.
    maxConnections: config.maxConnections,
    ...simulatorSymbols(config),
    ...simulatorHistory(config, Date.now()),
    logger,
  });
}

export interface IngestWiring {
  config: AppConfig;
  feed: FeedEndpoint;
  simulator: MassiveSimulator | null;
  store: IngestBarStore;
  events: AppEvents;
  metrics: AppMetrics;
  patterns: PatternModule;
  logger: Logger;
  /** Where the writes of served rows are reported (the read cache, local or across instances). */
  commits?: CommitPort;
}

/** createIngest's options: the store, the writer's tuning, the event and pattern sinks, the feed. */
export function ingestOptions(wiring: IngestWiring): IngestOptions {
  const { config, events, metrics, patterns } = wiring;
  return {
    store: wiring.store,
    logger: wiring.logger,
    tuning: { flushIntervalMs: config.flushIntervalMs, flushBatchSize: config.flushBatchSize },
    sinks: {
      barsStored: (bars) => events.publish('barsUpdated', bars),
      flushLatency: (ms) => metrics.flushLatency.observe(ms / 1000),
      tickListeners: [patterns.engine.onTick],
      barClosedListeners: [patterns.engine.onBarClosed],
    },
    ...feedPorts(config, wiring.feed, wiring.simulator),
    ...(wiring.commits ? { commits: wiring.commits } : {}),
  };
}

/** The RETENTION_DAYS loop (not started), null when everything is kept. */
export function newRetentionJob(
  config: AppConfig,
  dataSource: DataSource,
  metrics: AppMetrics,
  commits: CommitPort | undefined,
  logger: Logger,
): RetentionJob | null {
  if (config.retentionDays === null) return null;
  return new RetentionJob(
    new RetentionRepository(dataSource),
    {
      ...DEFAULT_RETENTION,
      days: config.retentionDays,
      onDeleted: (table, rows) => metrics.retentionRowsDeleted.inc({ table }, rows),
      ...(commits ? { commits } : {}),
    },
    logger.child({ component: 'retention' }),
  );
}
