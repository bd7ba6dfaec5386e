import type { DataSource } from 'typeorm';
import { createDataSource, openDatabase } from '../../ormconfig';
import type { RunningApp, StartAppOptions } from '../app';
import { defaultStaticDir } from '../app-parts';
import { describeConfig, type AppConfig } from '../config';
import { idleIngestStatus, type IngestStatusSnapshot } from '../domain/status';
import { createAppEvents } from '../events/app-events';
import { createMetrics } from '../http/metrics';
import { createServer } from '../http/server';
import { createLogger } from '../logger';
import { ClusterRepository } from '../repositories/cluster.repository';
import { createReadRepositories } from '../repositories/read-repositories';
import { createApiServices } from '../services/api-services';
import { ClusterMonitor } from './cluster-monitor';
import { LeaderStatusRelay } from './leader-status-relay';
import { createRedisFanout } from './redis-fanout';
import { RemoteCommits } from './remote-commits';
import { routedReadRepositories } from './routed-reads';

/** Accelerated simulator feeds run ahead of the clock; an API instance cannot know by how much. */
const FUTURE_SINCE_TOLERANCE_MS = 24 * 3_600_000;

/**
 * ROLE=api: HTTP, GraphQL and the dashboard over the shared database; no feed, no key, no
 * state of its own, so any number run behind a load balancer. Subscriptions get the ingest
 * leader's events through Redis when REDIS_URL is set; without it the instance serves queries
 * only (polling), and says so. With DATABASE_READ_URL, reads go to the replica while its lag
 * is within REPLICA_MAX_LAG_MS. The read cache runs on the ingest leader's commit stream over
 * the same Redis (RemoteCommits): off whenever that stream may have gaps, and without REDIS_URL.
 */
export async function startApiRole(
  config: AppConfig,
  options: StartAppOptions = {},
): Promise<RunningApp> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const startedAt = Date.now();
  logger.info({ config: describeConfig(config) }, 'starting TickStock (api role)');
  const { cluster } = config;
  const dataSource = await openDatabase(config.database);
  let replicaSource: DataSource | null = null;
  if (cluster.readUrl !== null) {
    // A replica is read-only: opened without migrations (the primary has them).
    replicaSource = createDataSource({ kind: 'postgres', url: cluster.readUrl });
    await replicaSource.initialize();
  }
  const fanout = config.redisUrl === null ? null : createRedisFanout(config.redisUrl, logger);
  if (fanout === null)
    logger.warn(
      'ROLE=api without REDIS_URL: polling-only — subscriptions receive nothing from the ingest leader; clients must poll',
    );
  const events = createAppEvents(fanout?.eventTarget);
  const monitor = new ClusterMonitor({
    primary: new ClusterRepository(dataSource),
    replica: replicaSource === null ? null : new ClusterRepository(replicaSource),
    maxLagMs: cluster.replicaMaxLagMs,
    pollMs: cluster.leaderPollMs,
    logger: logger.child({ component: 'cluster' }),
  });
  await monitor.start();
  const remote =
    fanout === null
      ? null
      : new RemoteCommits({
          replicaCurrentThroughMs:
            replicaSource === null ? null : () => monitor.replicaCurrentThroughMs(),
        });
  if (remote !== null && fanout !== null)
    fanout.onCommits({ message: (m) => remote.receive(m), lost: () => remote.lost() });
  const primaryReads = createReadRepositories(dataSource);
  const reads =
    replicaSource === null
      ? primaryReads
      : routedReadRepositories(primaryReads, createReadRepositories(replicaSource), () =>
          monitor.readsFromReplica(),
        );

  const relay = fanout === null ? null : new LeaderStatusRelay(events);
  // Feed, counters and leadership are the leader's (relayed); uptime and the rest are ours.
  const status = (relayed = true): IngestStatusSnapshot => {
    const leader = relayed ? (relay?.current() ?? null) : null;
    return {
      feed: config.massiveApiKey === null ? 'simulator' : 'massive',
      ...(leader ?? idleIngestStatus()),
      startedAt: new Date(startedAt).toISOString(),
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      database: 'postgres',
      cluster: {
        role: 'api',
        instanceId: cluster.instanceId,
        leadership: leader?.cluster?.leadership ?? null,
        leader: monitor.leader(),
        events: fanout === null ? 'polling-only' : 'redis',
        replica: monitor.replica(),
        readCache: remote?.state() ?? null,
      },
    };
  };
  const metrics = createMetrics();
  const closeAll = async () => {
    await relay?.close();
    await monitor.stop();
    await fanout?.close();
    await Promise.allSettled([dataSource.destroy(), replicaSource?.destroy()]);
  };
  const server = await createServer({
    port: config.port,
    config,
    services: createApiServices({
      repositories: reads,
      events,
      status: () => status(),
      futureSinceToleranceMs: FUTURE_SINCE_TOLERANCE_MS,
      ...(remote === null
        ? {}
        : {
            commits: remote.generations,
            cache: {
              maxEntries: config.readCacheMaxEntries,
              maxBytes: config.readCacheMaxMb * 1024 * 1024,
            },
          }),
    }),
    database: reads.health,
    feedConnected: () => false,
    feedState: () => 'none',
    metricsStatus: () => status(false),
    logger: logger.child({ component: 'http' }),
    staticDir: options.staticDir ?? defaultStaticDir(),
    metrics,
  }).catch(async (error: unknown) => {
    await closeAll();
    throw error;
  });

  let stopping: Promise<void> | null = null;
  return {
    url: server.url,
    port: server.port,
    dataSource,
    simulator: null,
    retention: null,
    status: () => status(),
    stop: () =>
      (stopping ??= (async () => {
        await server.close();
        await closeAll();
        logger.info('stopped cleanly');
      })()),
  };
}
