import { MINUTE_MS } from '../../src/domain/minute-bar';
import { waitFor } from '../../testkit/wait';
import { createAppDatabase, type AppDatabase } from '../helpers/app-database';
import { feedEnv, startExternalFeed, type ExternalFeed } from '../helpers/app-feed';
import {
  diffStoredBars,
  fetchStats,
  startTestApp,
  waitForAllReceived,
  waitForSubscribed,
  type TestApp,
} from '../helpers/app-run';
import { testDatabaseKinds } from '../helpers/test-databases';

/**
 * The whole service (startApp) against an external simulator over real sockets, with a real
 * database: feed faults must leave ohlcv_1min exactly equal to an independent roll-up of what
 * the simulator sent live plus what it generated for the minutes the app had to backfill.
 */
describe.each(testDatabaseKinds())('whole app under feed faults on %s', (kind) => {
  let db: AppDatabase;
  let feed: ExternalFeed;
  let running: TestApp | null = null;

  beforeEach(async () => {
    db = await createAppDatabase(kind);
    feed = await startExternalFeed();
  });

  afterEach(async () => {
    await running?.app.stop();
    running = null;
    await feed?.close();
    await db?.drop();
  });

  /** After the fault: let the feed run until every gap minute is backfilled, then stop cleanly. */
  async function backfillThenStop(app: TestApp['app']): Promise<number> {
    const gapMinutes = feed.recorder.gapMinuteCount();
    feed.driver.run();
    await waitFor(
      () => app.status().backfill.minutesFilled >= gapMinutes,
      () => `backfill of ${gapMinutes} symbol-minutes: ${JSON.stringify(app.status().backfill)}`,
    );
    // Some live minutes after the filled ones too, then a clean cut mid-minute.
    await feed.driver.runUntil(feed.sim.now() + MINUTE_MS + 17_000);
    await waitForAllReceived(() => app.status().ingest.ticksReceived, feed);
    return gapMinutes;
  }

  it('abrupt drop of every socket mid-minute → reconnect, re-subscribe, backfill: every minute exact, none twice', async () => {
    running = await startTestApp({ DATABASE_URL: db.url, MAX_CONNECTIONS: '2', ...feedEnv(feed) });
    const { app, logs } = running;
    await waitForSubscribed(() => app.status(), feed);

    // Two whole minutes live, then the drop 50 s into the third.
    await feed.driver.runUntil(feed.startMs + 2 * MINUTE_MS + 50_000);
    await waitForAllReceived(() => app.status().ingest.ticksReceived, feed);
    const subscribesBefore = feed.sim.status().subscribeMessages;
    expect(app.status().connections.map((c) => c.reconnects)).toEqual([0, 0]);

    expect(feed.sim.dropConnections()).toBe(2);
    // 25 s of feed nobody receives, across the next minute boundary.
    feed.sim.advance(feed.sim.now() + 25_000);
    feed.driver.run();
    await waitFor(
      () =>
        app.status().connections.every((c) => c.reconnects === 1 && c.state === 'live') &&
        feed.recorder.clientIds().length === 4,
      () => `both sockets back with data: ${JSON.stringify(app.status().connections)}`,
    );
    await waitForSubscribed(() => app.status(), feed);
    expect(feed.sim.status().subscribeMessages).toBeGreaterThanOrEqual(subscribesBefore + 2);

    // The gap runs from the third minute (partial before the drop) into the fourth.
    const third = feed.startMs + 2 * MINUTE_MS;
    for (const symbol of feed.symbols) {
      expect(feed.recorder.gapMinutes().get(symbol)?.has(third)).toBe(true);
      expect(
        feed.recorder
          .gapMinutes()
          .get(symbol)
          ?.has(third + MINUTE_MS),
      ).toBe(true);
    }
    const gapMinutes = await backfillThenStop(app);

    const stats = await fetchStats(app.url);
    expect(stats.connections).toHaveLength(2);
    for (const connection of stats.connections) {
      expect(connection).toMatchObject({ state: 'live', reconnects: 1 });
      expect(connection.lastDisconnectReason).toMatch(/closed by server|socket error/);
    }
    expect(stats.backfill).toMatchObject({ minutesFilled: gapMinutes, failures: 0 });
    expect(logs.some((line) => line.msg === 'feed gap after reconnect')).toBe(true);
    expect(logs.filter((line) => line.msg === 'gap backfilled')).toHaveLength(feed.symbols.length);

    await app.stop();
    const { problems, rows, expected } = await diffStoredBars(db, feed);
    expect(problems).toEqual([]);
    expect(rows).toBe(expected);
    expect(rows).toBeGreaterThanOrEqual(6 * feed.symbols.length);
  }, 180_000);

  it.each([
    [
      'missed pongs',
      { FEED_PING_INTERVAL_MS: '500', FEED_NO_DATA_TIMEOUT_MS: '0' },
      'missed_pongs',
    ],
    [
      'the no-data timeout',
      { FEED_PING_INTERVAL_MS: '600000', FEED_NO_DATA_TIMEOUT_MS: '2000' },
      'no_data',
    ],
  ])(
    'a stalled socket (TCP open, silent) is detected by %s and replaced; the gap is backfilled exactly',
    async (_name, heartbeat, reason) => {
      running = await startTestApp({ DATABASE_URL: db.url, ...heartbeat, ...feedEnv(feed) });
      const { app } = running;
      await waitForSubscribed(() => app.status(), feed);

      await feed.driver.runUntil(feed.startMs + 2 * MINUTE_MS + 20_000);
      await waitForAllReceived(() => app.status().ingest.ticksReceived, feed);
      expect(app.status().connections[0].reconnects).toBe(0);

      // The open socket stops sending and answering pings; sockets opened later work.
      feed.sim.stall(true, { existingOnly: true });
      feed.driver.run();
      await waitFor(
        () =>
          app.status().connections[0].reconnects === 1 &&
          app.status().connections[0].state === 'live' &&
          feed.recorder.clientIds().length === 2,
        () => `the stalled socket replaced: ${JSON.stringify(app.status().connections)}`,
      );
      expect(app.status().connections[0].lastDisconnectReason).toContain(reason);
      // The client tore the stalled socket down instead of leaving it open beside the new one.
      await waitFor(
        () => feed.sim.clients().length === 1,
        () => `one socket left: ${JSON.stringify(feed.sim.clients())}`,
      );
      expect(feed.sim.clients()[0].stalled).toBe(false);

      const gapMinutes = await backfillThenStop(app);
      expect(gapMinutes).toBeGreaterThanOrEqual(feed.symbols.length);
      expect((await fetchStats(app.url)).backfill).toMatchObject({
        minutesFilled: gapMinutes,
        failures: 0,
      });

      await app.stop();
      const { problems, rows, expected } = await diffStoredBars(db, feed);
      expect(problems).toEqual([]);
      expect(rows).toBe(expected);
    },
    180_000,
  );
});
