import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { MINUTE_MS } from '../../src/domain/minute-bar';
import { readStoredBars } from '../../testkit/stored-bars';
import { waitFor } from '../../testkit/wait';
import { createAppDatabase, type AppDatabase } from '../helpers/app-database';
import { startExternalFeed, type ExternalFeed } from '../helpers/app-feed';
import { builtService, type BuiltService } from '../helpers/app-process';
import {
  fetchStats,
  startTestApp,
  waitForAllReceived,
  waitForSubscribed,
} from '../helpers/app-run';
import {
  ingestEnv,
  killAll,
  startMember,
  waitForLeadership,
  type ClusterMember,
} from '../helpers/cluster-run';
import { testPostgresUrl, testRedisUrl } from '../helpers/test-databases';

/**
 * Stateless API instances: a graphql-ws subscriber on API instance B (ROLE=api, its own process)
 * receives the bars the ingest leader A (another process) writes, through Redis pub/sub, and
 * the last version it receives of every bar is the stored row.
 */
let service: BuiltService;
beforeAll(async () => {
  service = await builtService();
}, 240_000);
afterAll(() => service?.cleanup());

interface BarEvent {
  symbol: string;
  timestamp: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

const SUBSCRIPTION = `subscription { barUpdated { symbol timestamp open high low close volume } }`;

const redisUrl = testRedisUrl();
const postgresUrl = testPostgresUrl();

(postgresUrl && redisUrl ? describe : describe.skip)('subscription fan-out through Redis', () => {
  let db: AppDatabase;
  let feed: ExternalFeed;
  const members: ClusterMember[] = [];
  let client: Client | null = null;

  beforeEach(async () => {
    db = await createAppDatabase('postgres');
    feed = await startExternalFeed({ maxConnections: 1 });
  });

  afterEach(async () => {
    await client?.dispose();
    await killAll(members);
    await feed?.close();
    await db?.drop();
  });

  it('a subscriber on API instance B receives every bar the ingest leader A writes', async () => {
    const a = await startMember(service, 'ingest-a', {
      ...ingestEnv(feed, db.url),
      REDIS_URL: redisUrl!,
    });
    members.push(a);
    await waitForLeadership(a, 'leader');
    await waitForSubscribed(() => fetchStats(a.url), feed);
    const b = await startMember(service, 'api-b', {
      ROLE: 'api',
      DATABASE_URL: db.url,
      REDIS_URL: redisUrl!,
    });
    members.push(b);

    const received: BarEvent[] = [];
    const errors: unknown[] = [];
    client = createClient({
      url: `${b.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
    });
    client.subscribe(
      { query: SUBSCRIPTION },
      {
        next: (value) => {
          if (value.errors) errors.push(...value.errors);
          if (value.data) received.push((value.data as { barUpdated: BarEvent }).barUpdated);
        },
        error: (error) => errors.push(error),
        complete: () => undefined,
      },
    );
    // The subscription is live once the first bar arrives; every later flush reaches it.
    feed.driver.run();
    await waitFor(() => received.length > 0, 'a first bar on API instance B');
    await feed.driver.runUntil(feed.sim.now() + MINUTE_MS + 30_000);
    await waitForAllReceived(async () => (await fetchStats(a.url)).ingest.ticksReceived, feed);
    await waitFor(
      async () => (await fetchStats(a.url)).writer.backlog === 0,
      'the leader to write everything',
    );

    const stored = await db.read((dataSource) => readStoredBars(dataSource));
    const last = new Map<string, BarEvent>();
    for (const event of received) last.set(`${event.symbol}|${Date.parse(event.timestamp)}`, event);
    await waitFor(() => {
      for (const event of received.splice(0))
        last.set(`${event.symbol}|${Date.parse(event.timestamp)}`, event);
      return [...stored.entries()].every(([key, bar]) => last.get(key)?.volume === bar.volume);
    }, 'the last event of every bar to match the stored row');
    for (const [key, bar] of stored) {
      const event = last.get(key)!;
      expect([event.open, event.high, event.low, event.close]).toEqual(
        [bar.open, bar.high, bar.low, bar.close].map(Number),
      );
    }
    expect(errors).toEqual([]);

    const statsB = await fetchStats(b.url);
    expect(statsB.cluster).toMatchObject({
      role: 'api',
      events: 'redis',
      leader: { instanceId: 'ingest-a' },
    });
    const ready = await fetch(`${b.url}/readyz`);
    expect(ready.status).toBe(200);
    // B shows the leader's feed health and election (relayed over Redis), but exports only its own
    // metrics. The feed runs on meanwhile: a paused feed may have the leader's socket replaced.
    feed.driver.run();
    let seen = '';
    await waitFor(
      async () => {
        const [onB, onA] = [await fetchStats(b.url), await fetchStats(a.url)];
        seen = `B ${JSON.stringify(onB.connections)}; A ${JSON.stringify(onA.connections)}`;
        return onB.connections.some((c) => c.state === 'live');
      },
      () =>
        `the leader's status relayed to B (${seen}) B: ${b.proc.tail(15)} A: ${a.proc.tail(15)}`,
    );
    expect((await fetchStats(b.url)).cluster?.leadership).toMatchObject({
      state: 'leader',
      elections: 1,
    });
    const graphql = await fetch(`${b.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query:
          '{ ingestStatus { cluster { role instanceId leaderId events leadership { state election takeovers } } } }',
      }),
    });
    expect(await graphql.json()).toEqual({
      data: {
        ingestStatus: {
          cluster: {
            role: 'api',
            instanceId: 'api-b',
            leaderId: 'ingest-a',
            events: 'redis',
            leadership: { state: 'leader', election: 'advisory-lock', takeovers: 0 },
          },
        },
      },
    });
    const metricsB = await (await fetch(`${b.url}/metrics`)).text();
    expect(metricsB).toMatch(/^tickstock_ingest_leader 0$/m);
    expect(metricsB).toMatch(/^tickstock_ticks_received_total 0$/m);
  }, 240_000);

  it('ROLE=api without REDIS_URL says it is polling-only', async () => {
    const { app, logs } = await startTestApp({ ROLE: 'api', DATABASE_URL: db.url });
    try {
      expect(app.status().cluster).toMatchObject({ role: 'api', events: 'polling-only' });
      expect(logs.map((line) => line.msg).join('\n')).toContain('polling-only');
      expect(app.simulator).toBeNull();
    } finally {
      await app.stop();
    }
  });
});
