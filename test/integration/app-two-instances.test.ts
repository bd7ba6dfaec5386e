import { sleep, waitFor } from '../../testkit/wait';
import { feedEnv, startExternalFeed, type ExternalFeed } from '../helpers/app-feed';
import { builtService, ServiceProcess, type BuiltService } from '../helpers/app-process';
import { fetchStats, getJson } from '../helpers/app-run';

const KEY_IN_USE = 'another client is using this key';

/**
 * Two deployments of the built service (`node …/src/main.js`) on one Massive key, which serves
 * one socket per key and evicts the oldest. Without a stop rule they would evict each other
 * forever, each leaving gaps; with it, the first one evicted twice stops and says so, the other
 * keeps the feed, and the number of connects stays bounded. Each instance has its own
 * in-memory database (the feed side is what is under test).
 */
let service: BuiltService;
beforeAll(async () => {
  service = await builtService();
}, 240_000);
afterAll(() => service?.cleanup());

describe('two app instances on one key', () => {
  let feed: ExternalFeed;
  const procs: ServiceProcess[] = [];

  beforeEach(async () => {
    feed = await startExternalFeed({ real: { maxConnections: 1 } });
  });

  afterEach(async () => {
    for (const proc of procs.splice(0)) {
      if (proc.running) proc.signal('SIGKILL');
      await proc.exited;
    }
    await feed?.close();
  });

  const start = async () => {
    const proc = new ServiceProcess(service, {
      ...feedEnv(feed),
      DATABASE_URL: 'memory://',
      PORT: '0',
      LOG_LEVEL: 'info',
      // Evictions back off 100–200 ms here instead of 30–60 s.
      FEED_EVICTION_BACKOFF_MS: '200',
    });
    procs.push(proc);
    return { proc, url: await proc.url() };
  };

  it('do not flap: the first evicted twice stops with a clear error, the other keeps the feed', async () => {
    const first = await start();
    await waitFor(
      async () => (await fetchStats(first.url)).connections[0]?.state === 'live',
      'the first instance live',
    );
    feed.driver.run();
    const second = await start();

    let seen: unknown = null;
    await waitFor(
      async () => {
        const { connections } = await fetchStats(first.url);
        seen = connections;
        return connections[0]?.state === 'failed';
      },
      () => `the first to stop: ${JSON.stringify(seen)}`,
      60_000,
    );
    await waitFor(
      async () => (await fetchStats(second.url)).connections[0]?.state === 'live',
      'the second keeps the feed',
    );
    await sleep(2_000); // 10+ eviction backoffs: a flapping pair would keep evicting
    expect(feed.sim.status().evictions).toBe(3);
    expect(feed.sim.status().connectionsAccepted).toBe(4);
    expect(feed.sim.clients()).toHaveLength(1);

    const stopped = (await fetchStats(first.url)).connections[0];
    expect(stopped).toMatchObject({ state: 'failed', lastDisconnectReason: 'max_connections' });
    expect(stopped.fatalError).toMatch(new RegExp(`^${KEY_IN_USE}: `));
    const kept = (await fetchStats(second.url)).connections[0];
    expect(kept).toMatchObject({ state: 'live', fatalError: null });
    expect(kept.messagesReceived).toBeGreaterThan(0);

    const ready = await getJson<{ reasons: string[] }>(`${first.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.body.reasons).toEqual([
      expect.stringMatching(new RegExp(`^feed stopped: connection #1: ${KEY_IN_USE}: `)),
    ]);
    expect((await getJson(`${second.url}/readyz`)).status).toBe(200);

    const said = (proc: ServiceProcess) =>
      proc.lines.filter((line) => JSON.stringify(line).includes(KEY_IN_USE));
    expect(said(first.proc)).toEqual([expect.objectContaining({ level: 50 })]);
    expect(said(second.proc)).toEqual([]);
  }, 120_000);
});
