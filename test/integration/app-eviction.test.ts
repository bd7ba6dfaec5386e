import type { IngestStatusSnapshot } from '../../src/domain/status';
import { MassivePool } from '../../src/ingest/massive/pool';
import { sleep, waitFor } from '../../testkit/wait';
import { gql } from '../helpers/api-server';
import { createAppDatabase, type AppDatabase } from '../helpers/app-database';
import { FEED_API_KEY, feedEnv, startExternalFeed, type ExternalFeed } from '../helpers/app-feed';
import {
  fetchStats,
  getJson,
  startTestApp,
  waitForSubscribed,
  type TestApp,
} from '../helpers/app-run';
import { testDatabaseKinds } from '../helpers/test-databases';

const KEY_IN_USE = 'another client is using this key';
const STATUS = `{ ingestStatus { connections { id state fatalError lastDisconnectReason } } }`;

/**
 * The whole service on a key that another client also uses (Massive serves one socket per key
 * and evicts the oldest): instead of the two evicting each other forever, the app stops its
 * socket after the second eviction and says why, once in the log and everywhere status is read.
 */
describe.each(testDatabaseKinds())('whole app when another client uses its key (%s)', (kind) => {
  let db: AppDatabase;
  let feed: ExternalFeed;
  let running: TestApp | null = null;
  let other: MassivePool | null = null;

  beforeEach(async () => {
    db = await createAppDatabase(kind);
    feed = await startExternalFeed({ real: { maxConnections: 1 } });
  });

  afterEach(async () => {
    await other?.close();
    other = null;
    await running?.app.stop();
    running = null;
    await feed?.close();
    await db?.drop();
  });

  it('stops flapping: one fatal error in the log, ingestStatus, /api/stats and /readyz', async () => {
    running = await startTestApp({
      DATABASE_URL: db.url,
      ...feedEnv(feed),
      // Evictions back off 100–200 ms here instead of 30–60 s.
      FEED_EVICTION_BACKOFF_MS: '200',
    });
    const { app, logs } = running;
    await waitForSubscribed(() => app.status(), feed);
    feed.driver.run();
    expect((await getJson(`${app.url}/readyz`)).status).toBe(200);

    // Another client on the same key, e.g. a second deployment someone forgot.
    other = new MassivePool({
      url: feed.wsUrl,
      apiKey: FEED_API_KEY,
      symbols: feed.symbols,
      connections: 1,
      source: 'simulator',
      listener: { frame: () => undefined },
      maxConnectionsBackoffMs: 200,
    });
    other.start();

    await waitFor(
      () => app.status().connections[0].state === 'failed',
      () => `the app's socket to stop: ${JSON.stringify(app.status().connections)}`,
    );
    await waitFor(() => other!.allLive(), 'the other client keeps the feed');
    await sleep(2_000); // 10+ eviction backoffs: a flapping pair would keep evicting
    expect(feed.sim.status().evictions).toBe(3);
    expect(feed.sim.status().connectionsAccepted).toBe(4);

    const expectFatal = (connections: IngestStatusSnapshot['connections']) => {
      expect(connections).toEqual([
        expect.objectContaining({
          id: 1,
          state: 'failed',
          lastDisconnectReason: 'max_connections',
          fatalError: expect.stringMatching(new RegExp(`^${KEY_IN_USE}: `)),
        }),
      ]);
    };
    expectFatal(app.status().connections);
    expectFatal((await fetchStats(app.url)).connections);
    const graph = await gql(app.url, STATUS);
    expect(graph.body.errors).toBeUndefined();
    expectFatal(graph.body.data!.ingestStatus.connections);

    const ready = await getJson<{ status: string; reasons: string[]; checks: unknown }>(
      `${app.url}/readyz`,
    );
    expect(ready.status).toBe(503);
    expect(ready.body.checks).toEqual({ database: 'ok', feed: 'fail' });
    expect(ready.body.reasons).toEqual([
      expect.stringMatching(new RegExp(`^feed stopped: connection #1: ${KEY_IN_USE}: `)),
    ]);
    expect(ready.body.reasons[0]).toContain('MAX_CONNECTIONS');

    // Said once, at error level; the key never appears.
    const fatalLines = logs.filter((line) => JSON.stringify(line).includes(KEY_IN_USE));
    expect(fatalLines).toHaveLength(1);
    expect(fatalLines[0]).toMatchObject({ level: 50, connection: 1 });
    expect(JSON.stringify(logs)).not.toContain(FEED_API_KEY);
  });
});
