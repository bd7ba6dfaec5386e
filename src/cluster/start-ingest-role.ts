import { openDatabase } from '../../ormconfig';
import type { RunningApp, StartAppOptions } from '../app';
import { ingestOptions, newRetentionJob, newSimulator } from '../app-ingest';
import { DRAIN_TIMEOUT_MS, resolveFeed } from '../app-parts';
import { describeConfig, type AppConfig } from '../config';
import type { IngestStatusSnapshot } from '../domain/status';
import { createAppEvents } from '../events/app-events';
import { createHealthServer } from '../http/health-server';
import type { FeedState } from '../http/health';
import { createMetrics } from '../http/metrics';
import { createIngest } from '../ingest/create-ingest';
import { createLogger } from '../logger';
import { createPatternModule } from '../patterns/pattern-module';
import { HealthRepository } from '../repositories/health.repository';
import { LeaderLockRepository } from '../repositories/leader-lock.repository';
import { createOhlcvRepository } from '../repositories/ohlcv.repository';
import type { RetentionJob } from '../retention/retention-job';
import { CommitPublisher } from './commit-publisher';
import { FencedStore } from './fenced-store';
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
  const simulator = newSimulator(config, logger);
  const feed = await resolveFeed(config, simulator);
  const fanout = config.redisUrl === null ? null : createRedisFanout(config.redisUrl, logger);
  const events = createAppEvents(fanout?.eventTarget);
  const metrics = createMetrics();
  const { cluster, database } = config;
  // API instances' read caches are invalidated by this leader's commit stream (RemoteCommits).
  const commits =
    fanout === null
      ? undefined
      : new CommitPublisher(cluster.instanceId, fanout.publishCommit, () => elector.isLeader);
  // Bars are written only under a confirmed lease (a leader waking from a freeze writes nothing).
  const store = new FencedStore(createOhlcvRepository(dataSource), () => elector.holdsLease());
  const patterns = createPatternModule({ dataSource, events, config, logger, commits });
  const wiring = { config, feed, simulator, store, events, metrics, patterns, logger, commits };
  const leader = new LeaderIngest(
    () => createIngest(ingestOptions(wiring)),
    logger,
    () => elector.recordLive(),
  );
  // RETENTION_DAYS on the leader only, a fresh job per election (a stopped job stays stopped).
  let retention: RetentionJob | null = null;
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
    onElected: async () => {
      await leader.lead();
      retention = newRetentionJob(config, dataSource, metrics, commits, logger);
      retention?.start();
    },
    onDeposed: async (reason) => {
      const job = retention;
      retention = null;
      // Not awaited first: the socket and the bar writes stop now, a retention batch in flight
      // (idempotent deletes) finishes on its own.
      const stopped = job?.stop();
      await leader.abandon(reason);
      await stopped;
    },
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
      leadership: { ...elector.status(), fencedWrites: store.fencedWrites },
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
  commits?.start();
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
      await retention?.stop();
      await leader.stop(DRAIN_TIMEOUT_MS);
    } finally {
      commits?.stop();
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
    get retention() {
      return retention;
    },
    status,
    stop: () => (stopping ??= stop()),
  };
}
