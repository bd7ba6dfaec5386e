import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { ReadCacheState } from '../../src/domain/cluster-status';
import { toLegacyTick } from '../../src/http/rest';
import { createReadRepositories } from '../../src/repositories/read-repositories';
import { startPrivateRedis, type PrivateRedis } from '../../testkit/private-redis';
import { waitFor } from '../../testkit/wait';
import { createAppDatabase, type AppDatabase } from '../helpers/app-database';
import { startExternalFeed, type ExternalFeed } from '../helpers/app-feed';
import { builtService, type BuiltService } from '../helpers/app-process';
import { fetchStats, waitForAllReceived, waitForSubscribed } from '../helpers/app-run';
import {
  ingestEnv,
  killAll,
  startMember,
  waitForLeadership,
  type ClusterMember,
} from '../helpers/cluster-run';
import { testPostgresUrl } from '../helpers/test-databases';

/**
 * The read cache of a ROLE=api instance, invalidated by the ingest leader's commit stream over
 * Redis: real processes (ingest leader A, API instance B), real PostgreSQL, a Redis of the test's
 * own (so it can be taken away). A poll on B right after B delivered a bar event answers with
 * that bar, although the previous answer was cached; with Redis gone B's cache is off (every
 * read from the database), and when Redis is back it is voided before it is used again.
 */
let service: BuiltService;
beforeAll(async () => {
  service = await builtService();
}, 240_000);
afterAll(() => service?.cleanup());

interface BarEvent {
  symbol: string;
  timestamp: string;
  volume: number;
}

const SYMBOL = 'AAPL';
const SUBSCRIPTION = `subscription { barUpdated { symbol timestamp volume } }`;

(testPostgresUrl() ? describe : describe.skip)('read cache across instances', () => {
  let db: AppDatabase;
  let feed: ExternalFeed;
  let redis: PrivateRedis | null = null;
  const members: ClusterMember[] = [];
  let client: Client | null = null;

  beforeEach(async () => {
    db = await createAppDatabase('postgres');
    feed = await startExternalFeed({ maxConnections: 1 });
    redis = await startPrivateRedis(null);
  });

  afterEach(async () => {
    await client?.dispose();
    await killAll(members);
    await feed?.close();
    await redis?.stop();
    await db?.drop();
  });

  const cacheState = async (member: ClusterMember): Promise<ReadCacheState> => {
    const state = (await fetchStats(member.url)).cluster?.readCache;
    if (!state) throw new Error(`${member.name} reports no read cache`);
    return state;
  };
  const waitForCache = (member: ClusterMember, state: 'on' | 'off', minResets = 0) => {
    let last: ReadCacheState | null = null;
    return waitFor(
      async () => {
        last = await cacheState(member);
        return last.state === state && last.resets >= minResets;
      },
      () => `${member.name}'s read cache to be ${state}: ${JSON.stringify(last)}`,
    );
  };
  const counter = async (member: ClusterMember, name: string): Promise<number> => {
    const text = await (await fetch(`${member.url}/metrics`)).text();
    const match = new RegExp(`^tickstock_read_cache_${name} (\\d+)$`, 'm').exec(text);
    if (!match) throw new Error(`no tickstock_read_cache_${name} on ${member.name}`);
    return Number(match[1]);
  };
  interface Tick {
    timestamp: number;
    volume: number;
    open: number;
    high: number;
    low: number;
    close: number;
  }
  const poll = async (member: ClusterMember): Promise<Tick[]> => {
    const response = await fetch(`${member.url}/api/ticks/recent?symbol=${SYMBOL}&limit=50`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { ticks: (Tick & { symbol: string })[] };
    return body.ticks.map(({ timestamp, volume, open, high, low, close }) => ({
      timestamp,
      volume,
      open,
      high,
      low,
      close,
    }));
  };
  const stored = async (): Promise<Tick[]> =>
    db.read(async (dataSource) => {
      const bars = await createReadRepositories(dataSource).bars.findRecent(SYMBOL, null, 50);
      return bars.map(toLegacyTick).map(({ timestamp, volume, open, high, low, close }) => ({
        timestamp,
        volume,
        open,
        high,
        low,
        close,
      }));
    });
  const writerIdle = (a: ClusterMember) =>
    waitFor(async () => (await fetchStats(a.url)).writer.backlog === 0, 'the leader to write all');

  it('a cached poll on API instance B sees the bar the leader A just wrote; Redis gone turns the cache off', async () => {
    const a = await startMember(service, 'ingest-a', {
      ...ingestEnv(feed, db.url),
      REDIS_URL: redis!.url,
    });
    members.push(a);
    await waitForLeadership(a, 'leader');
    await waitForSubscribed(() => fetchStats(a.url), feed);
    const b = await startMember(service, 'api-b', {
      ROLE: 'api',
      DATABASE_URL: db.url,
      REDIS_URL: redis!.url,
    });
    members.push(b);
    await waitForCache(b, 'on');

    const received: BarEvent[] = [];
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
          const bar = (value.data as { barUpdated: BarEvent } | undefined)?.barUpdated;
          if (bar?.symbol === SYMBOL) received.push(bar);
        },
        error: () => undefined,
        complete: () => undefined,
      },
    );
    await feed.driver.runUntil(feed.startMs + 5_000);
    await waitFor(() => received.length > 0, 'a first bar event on B');
    await waitForAllReceived(async () => (await fetchStats(a.url)).ingest.ticksReceived, feed);
    await writerIdle(a);

    // One feed second at a time: the answer before it is cached (a hit), the poll issued as soon
    // as B delivers the bar's event returns that bar, never the cached answer.
    for (let step = 0; step < 5; step++) {
      const before = await poll(b);
      const hits = await counter(b, 'hits_total');
      expect(await poll(b)).toEqual(before);
      expect(await counter(b, 'hits_total')).toBeGreaterThan(hits);

      const seen = received.length;
      const target = feed.sim.now() + 1_000;
      feed.driver.run(target);
      const event = await waitFor(
        () => (received.length > seen ? received[received.length - 1] : undefined),
        'the bar event of the next second on B',
      );
      const after = await poll(b);
      const row = after.find((t) => t.timestamp * 1000 === Date.parse(event.timestamp));
      expect(row?.volume).toBe(event.volume);
      expect(after).not.toEqual(before);
      await waitFor(() => feed.sim.now() >= target, 'the feed second to be sent');
      await writerIdle(a);
      expect(await poll(b)).toEqual(await stored());
    }
    expect((await cacheState(b)).state).toBe('on');

    // Redis goes away: B's cache turns off at once (its subscription closed) ...
    const port = Number(new URL(redis!.url).port);
    await redis!.stop();
    redis = null;
    await waitForCache(b, 'off');
    const resetsBefore = (await cacheState(b)).resets;
    // ... while the leader goes on writing, its commit messages unheard: B reads the database.
    const sent = feed.recorder.sentCount();
    await feed.driver.runUntil(feed.sim.now() + 3_000);
    await waitForAllReceived(async () => (await fetchStats(a.url)).ingest.ticksReceived, feed);
    await writerIdle(a);
    expect(feed.recorder.sentCount()).toBeGreaterThan(sent);
    const hitsOff = await counter(b, 'hits_total');
    const bypassedOff = await counter(b, 'bypassed_total');
    expect(await poll(b)).toEqual(await stored());
    expect(await poll(b)).toEqual(await stored());
    expect(await counter(b, 'hits_total')).toBe(hitsOff);
    expect(await counter(b, 'bypassed_total')).toBeGreaterThanOrEqual(bypassedOff + 2);

    // Redis is back on the same address: B resubscribes, voids its cache, and caches again.
    redis = await startPrivateRedis(null, { port });
    await waitForCache(b, 'on', resetsBefore + 1);
    expect(await poll(b)).toEqual(await stored());
    const hitsBack = await counter(b, 'hits_total');
    expect(await poll(b)).toEqual(await stored());
    expect(await counter(b, 'hits_total')).toBeGreaterThan(hitsBack);
    await feed.driver.runUntil(feed.sim.now() + 2_000);
    await waitForAllReceived(async () => (await fetchStats(a.url)).ingest.ticksReceived, feed);
    await writerIdle(a);
    await waitFor(
      async () => JSON.stringify(await poll(b)) === JSON.stringify(await stored()),
      'B to answer what the database holds after the next commits',
    );
  }, 240_000);
});
