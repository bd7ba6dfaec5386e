import { Redis } from 'ioredis';
import { runValidate, type CheckLine } from '../../src/ops/validate/validate-command';
import { createAppDatabase, type AppDatabase } from '../helpers/app-database';
import { feedEnv, startExternalFeed, type ExternalFeed } from '../helpers/app-feed';
import { startTestApp, waitForSubscribed, type TestApp } from '../helpers/app-run';
import { startPrivateRedis, type PrivateRedis } from '../../testkit/private-redis';
import { testDatabaseKinds, testRedisUrl } from '../helpers/test-databases';
import { waitFor } from '../../testkit/wait';

const PATTERN_CHANNEL = 'tickstock.events.patterns';

function sink(): { text: string; write(chunk: string): void } {
  return {
    text: '',
    write(chunk: string) {
      this.text += chunk;
    },
  };
}

const byName = (lines: CheckLine[]) => Object.fromEntries(lines.map((l) => [l.name, l.ok]));

/**
 * `npm run validate` against a real running instance (real feed sockets, real database, a Redis
 * of its own): all ✔ and exit 0 when healthy; ✘ and exit 1 when the feed is down, and when
 * something publishes ticks to Redis the way the old system did.
 */
describe.each(testDatabaseKinds())('validate against a running instance on %s', (kind) => {
  let db: AppDatabase;
  let feed: ExternalFeed;
  let redis: PrivateRedis | null;
  let running: TestApp | null = null;

  beforeEach(async () => {
    db = await createAppDatabase(kind);
    feed = await startExternalFeed({ symbols: ['AAPL', 'MSFT', 'BCpC'] });
    redis = await startPrivateRedis(testRedisUrl());
  });

  afterEach(async () => {
    await running?.app.stop();
    running = null;
    await feed?.close();
    await redis?.stop();
    await db?.drop();
  });

  async function startHealthy(): Promise<Record<string, string>> {
    if (redis === null) throw new Error('validate tests need redis-server or a reachable Redis');
    running = await startTestApp({
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      PATTERN_CHANNEL,
      ...feedEnv(feed),
    });
    const app = running.app;
    await waitForSubscribed(() => app.status(), feed);
    feed.driver.run();
    await waitFor(() => app.status().writer.barsWritten > 0, 'bars written');
    // What the operator gives validate: the instance's URL and the same DATABASE_URL / REDIS_URL.
    return {
      DATABASE_URL: kind === 'postgres' ? db.url : '',
      REDIS_URL: redis.url,
      PATTERN_CHANNEL,
    };
  }

  it('passes every check against a healthy instance', async () => {
    const env = await startHealthy();
    if (kind === 'postgres') {
      // A past day of minutes, read once as daily bars: materialized, so validate has rows to check.
      await running!.app.dataSource.query(`INSERT INTO symbols (symbol) VALUES ('VALX')`);
      await running!.app.dataSource.query(
        `INSERT INTO ohlcv_1min (symbol, "timestamp", open, high, low, close, volume, vwap)
         SELECT 'VALX', TIMESTAMPTZ '2025-06-02 13:30:00+00' + make_interval(mins => m), 10 + m / 100.0, 11, 9, 10.5, 100 + m, 10.2
         FROM generate_series(0, 389) AS m`,
      );
      const daily = await fetch(
        `${running!.app.url}/v2/aggs/ticker/VALX/range/1/day/2025-06-01/2025-06-03`,
      );
      expect(daily.status).toBe(200);
    }
    const out = sink();
    const { code, lines } = await runValidate(
      ['--url', running!.app.url, '--seconds', '3'],
      env,
      out,
    );
    expect(out.text).not.toContain('✘');
    expect(code).toBe(0);
    expect(byName(lines)).toEqual({
      'feed sockets live': true,
      'A events arriving': true,
      'ticks turning into bars': true,
      'counters consistent': true,
      'no tick data on Redis': true,
      'REST and GraphQL serve the newest bar': kind === 'postgres' ? true : null,
      'monitoring queries': kind === 'postgres' ? true : null,
      'daily roll-up exact': kind === 'postgres' ? true : null,
    });
    if (kind === 'postgres') {
      expect(out.text).toMatch(/rows written in the last 3\.\d s; event→row lag p50 \d+ ms/);
      expect(out.text).toMatch(/[1-9]\d* materialized \(symbol, session, day\) rows .*: 0 differ/);
    }
  }, 120_000);

  it('fails (exit 1) when the feed is down', async () => {
    const env = await startHealthy();
    feed.driver.pause();
    await feed.sim.close();
    await waitFor(
      () => running!.app.status().connections.every((c) => c.state !== 'live'),
      'sockets down',
    );
    const out = sink();
    const { code, lines } = await runValidate(
      ['--url', running!.app.url, '--seconds', '2'],
      env,
      out,
    );
    expect(code).toBe(1);
    expect(byName(lines)).toMatchObject({ 'feed sockets live': false, 'A events arriving': false });
  }, 120_000);

  it('fails (exit 1) when something publishes ticks to Redis', async () => {
    const env = await startHealthy();
    const publisher = new Redis(redis!.url);
    const timer = setInterval(
      () =>
        void publisher.publish('tickstock.data.raw', JSON.stringify({ ticker: 'AAPL', price: 1 })),
      50,
    );
    try {
      const out = sink();
      const { code, lines } = await runValidate(
        ['--url', running!.app.url, '--seconds', '2'],
        env,
        out,
      );
      expect(code).toBe(1);
      expect(byName(lines)['no tick data on Redis']).toBe(false);
      expect(out.text).toMatch(/✘ no tick data on Redis: messages on tickstock\.data\.raw \(\d+\)/);
    } finally {
      clearInterval(timer);
      publisher.disconnect();
    }
  }, 120_000);
});
