import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { openDatabase } from '../../ormconfig';
import { CommitPublisher } from '../../src/cluster/commit-publisher';
import { createRedisFanout } from '../../src/cluster/redis-fanout';
import { createQuietLogger } from '../../src/logger';
import { MINUTE_MS, minuteStart, type MinuteBar } from '../../src/domain/minute-bar';
import type { ReplicaStatus } from '../../src/domain/cluster-status';
import { createOhlcvRepository } from '../../src/repositories/ohlcv.repository';
import {
  replicaClusterUnavailable,
  startReplicaCluster,
  type ReplicaCluster,
} from '../../testkit/replica-cluster';
import { startPrivateRedis } from '../../testkit/private-redis';
import { waitFor } from '../../testkit/wait';
import { getJson, startTestApp, type TestApp } from '../helpers/app-run';

/**
 * API reads through a real streaming replica that the test starts itself (initdb +
 * pg_basebackup under a temp dir, Unix sockets only): ROLE=api with DATABASE_READ_URL reads
 * from the replica while its lag is within REPLICA_MAX_LAG_MS and from the primary beyond it;
 * the lag is measured (replay timestamp and WAL bytes) and shown in the status.
 */
const unavailable = replicaClusterUnavailable();
if (unavailable !== null)
  console.warn(`cluster-replica suite skipped: ${unavailable} (PostgreSQL server binaries needed)`);

const T0 = minuteStart(Date.now()) - 30 * MINUTE_MS;
const bar = (minute: number): MinuteBar => ({
  symbol: 'AAPL',
  minuteStartMs: T0 + minute * MINUTE_MS,
  open: 100 + minute,
  high: 101 + minute,
  low: 99 + minute,
  close: 100.5 + minute,
  volume: 1000 + minute,
  vwap: null,
});

interface TicksBody {
  count: number;
  ticks: { timestamp: number }[];
}

(unavailable === null ? describe : describe.skip)('API reads through a streaming replica', () => {
  let cluster: ReplicaCluster;
  let primary: DataSource;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    cluster = await startReplicaCluster();
    primary = await openDatabase({ kind: 'postgres', url: cluster.primaryUrl });
  }, 120_000);

  afterAll(async () => {
    for (const { app } of apps.splice(0)) await app.stop();
    await primary?.destroy();
    await cluster?.close();
  });

  const write = (minute: number) => createOhlcvRepository(primary).replaceMinuteBars([bar(minute)]);
  const minutesServed = async (app: TestApp) => {
    const since = new Date(T0).toISOString();
    const { status, body } = await getJson<TicksBody>(
      `${app.app.url}/api/ticks/recent?symbol=AAPL&since=${since}&limit=100`,
    );
    expect(status).toBe(200);
    return body.ticks.map((t) => (t.timestamp * 1000 - T0) / MINUTE_MS).sort((a, b) => a - b);
  };
  const replicaOf = (app: TestApp): ReplicaStatus => app.app.status().cluster!.replica!;
  const startApi = async (maxLagMs: number, env: Record<string, string> = {}) => {
    const app = await startTestApp({
      ...env,
      ROLE: 'api',
      DATABASE_URL: cluster.primaryUrl,
      DATABASE_READ_URL: cluster.replicaUrl,
      REPLICA_MAX_LAG_MS: String(maxLagMs),
      LEADER_POLL_MS: '200',
      LEADER_LEASE_MS: '1000',
    });
    apps.push(app);
    return app;
  };

  it('serves reads from the replica: a paused replica hides a new primary row until replay resumes', async () => {
    await write(0);
    // A lag bound of an hour: the replica is used whatever its lag, which shows reads go there.
    const app = await startApi(3_600_000);
    await waitFor(async () => (await minutesServed(app)).includes(0), 'minute 0 via the replica');
    await waitFor(() => replicaOf(app).readsFrom === 'replica', 'reads routed to the replica');

    await cluster.pauseReplay(true);
    await write(1);
    await waitFor(
      () => (replicaOf(app).lagBytes ?? 0) > 0 && (replicaOf(app).lagMs ?? 0) > 0,
      () => `lag to show while replay is paused: ${JSON.stringify(replicaOf(app))}`,
    );
    expect(await minutesServed(app)).toEqual([0]);
    const metrics = await (await fetch(`${app.app.url}/metrics`)).text();
    expect(metrics).toMatch(/^tickstock_replica_lag_bytes [1-9]/m);
    expect(metrics).toMatch(/^tickstock_reads_from_replica 1$/m);

    await cluster.pauseReplay(false);
    await waitFor(
      async () => (await minutesServed(app)).includes(1),
      'minute 1 after replay resumed',
    );
    await waitFor(() => replicaOf(app).lagMs === 0, 'the replica to catch up');
  }, 120_000);

  it('reads from the primary while the replica lags beyond REPLICA_MAX_LAG_MS', async () => {
    const app = await startApi(500);
    await waitFor(() => replicaOf(app).readsFrom === 'replica', 'reads routed to the replica');
    await cluster.pauseReplay(true);
    try {
      await write(2);
      await waitFor(
        () => replicaOf(app).readsFrom === 'primary',
        () => `reads to move to the primary: ${JSON.stringify(replicaOf(app))}`,
      );
      // Fresh despite the paused replica: the row committed on the primary is served.
      expect(await minutesServed(app)).toContain(2);
      const check = new Client({ connectionString: cluster.replicaUrl });
      await check.connect();
      const onReplica = await check.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM ohlcv_1min WHERE "timestamp" = $1',
        [new Date(T0 + 2 * MINUTE_MS)],
      );
      await check.end();
      expect(onReplica.rows[0].n).toBe(0);
    } finally {
      await cluster.pauseReplay(false);
    }
    await waitFor(() => replicaOf(app).readsFrom === 'replica', 'reads back on the replica');
    expect(replicaOf(app)).toMatchObject({ reachable: true, lagMs: 0, maxLagMs: 500 });
  }, 120_000);

  it('serves daily bars through the read-only replica (materialized on the primary only)', async () => {
    const days = [0, 1, 2].map((d) => Date.parse('2025-06-02T14:00:00Z') + d * 86_400_000);
    await createOhlcvRepository(primary).replaceMinuteBars(
      days.map((ms, i) => ({ ...bar(i), minuteStartMs: ms })),
    );
    const app = await startApi(3_600_000);
    await waitFor(() => replicaOf(app).readsFrom === 'replica', 'reads routed to the replica');
    const url = `${app.app.url}/v2/aggs/ticker/AAPL/range/1/day/2025-06-01/2025-06-05`;
    let answer: {
      status: number;
      body: { resultsCount?: number; results?: { t: number }[] };
    } | null = null;
    await waitFor(
      async () => {
        answer = await getJson(url);
        return answer.status === 200 && answer.body.resultsCount === 3;
      },
      () => `three daily bars via the replica: ${JSON.stringify(answer)}`,
    );
    const onReplica = new Client({ connectionString: cluster.replicaUrl });
    await onReplica.connect();
    const coverage = await onReplica.query('SELECT * FROM bar_rollup_coverage');
    await onReplica.end();
    expect(coverage.rows).toHaveLength(0);
  }, 120_000);

  it('with the read cache on: an answer the replica gives before replaying a commit is not cached', async () => {
    const redis = await startPrivateRedis(null);
    if (redis === null) return console.warn('no redis-server: cache-through-replica case skipped');
    // The test is the ingest leader: it writes on the primary through its commit stream.
    const fanout = createRedisFanout(redis.url, createQuietLogger());
    const leader = new CommitPublisher('test-leader', fanout.publishCommit, () => true);
    leader.start();
    const counter = async (app: TestApp, name: string) => {
      const text = await (await fetch(`${app.app.url}/metrics`)).text();
      return Number(new RegExp(`^tickstock_read_cache_${name} (\\d+)$`, 'm').exec(text)?.[1]);
    };
    try {
      const app = await startApi(3_600_000, { REDIS_URL: redis.url });
      await waitFor(() => app.app.status().cluster?.readCache?.state === 'on', 'the cache on');
      await leader.around(['AAPL'], () => write(3));
      await waitFor(async () => (await minutesServed(app)).includes(3), 'minute 3 via the replica');
      // Cached once the replica is measured current past the commit.
      await waitFor(async () => {
        const hits = await counter(app, 'hits_total');
        await minutesServed(app);
        return (await counter(app, 'hits_total')) > hits;
      }, 'a cache hit');

      await cluster.pauseReplay(true);
      let served: number[] = [];
      try {
        await leader.around(['AAPL'], () => write(4));
        await waitFor(() => (replicaOf(app).lagBytes ?? 0) > 0, 'the replica to lag');
        // The commit's end has been heard (the replica lags, so reads still go there) ...
        const hits = await counter(app, 'hits_total');
        served = await minutesServed(app);
        expect(served).not.toContain(4);
        expect(await minutesServed(app)).toEqual(served);
        expect(await counter(app, 'hits_total')).toBe(hits); // ... and that answer is not cached
      } finally {
        await cluster.pauseReplay(false);
      }
      // Had it been cached, nothing would ever replace it (no later commit of AAPL).
      await waitFor(async () => (await minutesServed(app)).includes(4), 'minute 4 after replay');
      await waitFor(async () => {
        const hits = await counter(app, 'hits_total');
        const again = await minutesServed(app);
        return again.includes(4) && (await counter(app, 'hits_total')) > hits;
      }, 'the new answer cached');
    } finally {
      leader.stop();
      await fanout.close();
      await redis.stop();
    }
  }, 120_000);
});
