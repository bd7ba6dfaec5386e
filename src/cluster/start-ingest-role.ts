import { openDatabase } from '../../ormconfig';
import type { RunningApp, StartAppOptions } from '../app';
import { DRAIN_TIMEOUT_MS, feedPorts, resolveFeed, simulatorSymbols } from '../app-parts';
import { describeConfig, type AppConfig } from '../config';
import type { IngestStatusSnapshot } from '../domain/status';
import { createAppEvents } from '../events/app-events';
import { createHealthServer } from '../http/health-server';
import type { FeedState } from '../http/health';
import { createMetrics } from '../http/metrics';
import { createIngest } from '../ingest/create-ingest';
import { MassiveSimulator } from '../ingest/simulator/massive-simulator';
import { createLogger } from '../logger';
import { createPatternModule } from '../patterns/pattern-module';
import { HealthRepository } from '../repositories/health.repository';
import { LeaderLockRepository } from '../repositories/leader-lock.repository';
import { createOhlcvRepository } from '../repositories/ohlcv.repository';
import { LeaderElector } from './leader-elector';
import { LeaderIngest } from './leader-ingest';
import { STATUS_PUBLISH_MS } from './leader-status-relay';
import { createRedisFanout } from './redis-fanout';

/**
 * ROLE=ingest: feed, bars, patterns and backfill, only while this instance holds the ingest
 * lock; health endpoints only. Any number of these run on one database: one leads, the others
 * stand by and take over when it dies. On PGlite (one process) the election is trivial: always
 * the leader.
 */
export async function startIngestRole(
  config: AppConfig,
  options: StartAppOptions = {},
): Promise<RunningApp> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const startedAt = Date.now();
  logger.info({ config: describeConfig(config) }, 'starting TickStock (ingest role)');
  const dataSource = await openDatabase(config.database);
  const simulator =
    config.massiveApiKey === null
      ? new MassiveSimulator({
          ...config.simulator,
          maxConnections: config.maxConnections,
          ...simulatorSymbols(config),
          logger,
        })
      : null;
  const feed = await resolveFeed(config, simulator);
  const fanout = config.redisUrl === null ? null : createRedisFanout(config.redisUrl, logger);
  const events = createAppEvents(fanout?.eventTarget);
  const metrics = createMetrics();
  const ohlcv = createOhlcvRepository(dataSource);
  const patterns = createPatternModule({ dataSource, events, config, logger });

  const { cluster, database } = config;
  const leader = new LeaderIngest(
    () =>
      createIngest({
        store: ohlcv,
        logger,
        tuning: { flushIntervalMs: config.flushIntervalMs, flushBatchSize: config.flushBatchSize },
        sinks: {
          barsStored: (bars) => events.publish('barsUpdated', bars),
          flushLatency: (ms) => metrics.flushLatency.observe(ms / 1000),
          tickListeners: [patterns.engine.onTick],
          barClosedListeners: [patterns.engine.onBarClosed],
        },
        ...feedPorts(config, feed, simulator),
      }),
    logger,
    () => elector.recordLive(),
  );
  const elector: LeaderElector = new LeaderElector({
    newLock:
      database.kind === 'postgres'
        ? (onLost) =>
            new LeaderLockRepository(
              {
                url: database.url,
                instanceId: cluster.instanceId,
                serverIdleTimeoutMs: 2 * cluster.leaderLeaseMs,
                statementTimeoutMs: Math.max(200, Math.floor(cluster.leaderLeaseMs / 2)),
              },
              onLost,
            )
        : null,
    pollMs: cluster.leaderPollMs,
    leaseMs: cluster.leaderLeaseMs,
    logger: logger.child({ component: 'leader' }),
    onElected: () => leader.lead(),
    onDeposed: (reason) => leader.abandon(reason),
  });

  const status = (): IngestStatusSnapshot => ({
    startedAt: new Date(startedAt).toISOString(),
    uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    feed: simulator ? 'simulator' : 'massive',
    database: database.kind,
    ...leader.status(),
    patterns: patterns.status(),
    cluster: {
      role: 'ingest',
      instanceId: cluster.instanceId,
      leadership: elector.status(),
      leader: null,
      events: fanout === null ? 'in-process' : 'redis',
      replica: null,
    },
  });
  const feedState = (): FeedState =>
    !elector.isLeader ? 'standby' : leader.feedLive() ? 'live' : 'down';

  const abandon = async (error: unknown): Promise<never> => {
    await Promise.allSettled([patterns.stop(), dataSource.destroy(), simulator?.close()]);
    await fanout?.close();
    throw error;
  };
  const server = await createHealthServer({
    port: config.port,
    status,
    database: new HealthRepository(dataSource),
    feedState,
    metrics,
    logger: logger.child({ component: 'http' }),
  }).catch(abandon);
  elector.start();
  // API instances show the leader's feed health (dashboard, ingestStatus) from these snapshots.
  const statusTimer =
    fanout === null
      ? null
      : setInterval(() => {
          if (elector.isLeader) events.publish('ingestStatus', status());
        }, STATUS_PUBLISH_MS);
  statusTimer?.unref();

  let stopping: Promise<void> | null = null;
  const stop = async (): Promise<void> => {
    logger.info('stopping: election, feed, then bars and patterns drain, then the lock');
    if (statusTimer) clearInterval(statusTimer);
    try {
      await elector.pause();
      await leader.stop(DRAIN_TIMEOUT_MS);
    } finally {
      await elector.stop();
      await patterns.stop();
      await server.close();
      await fanout?.close();
      await dataSource.destroy();
      await simulator?.close();
    }
    logger.info('stopped cleanly');
  };
  return {
    url: server.url,
    port: server.port,
    dataSource,
    simulator,
    // RETENTION_DAYS runs in ROLE=all; a cluster runs it from one place (see DEPLOYMENT.md).
    retention: null,
    status,
    stop: () => (stopping ??= stop()),
  };
}
