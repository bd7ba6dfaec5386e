import { MINUTE_MS } from '../../src/domain/minute-bar';
import { barKey } from '../../testkit/bar-oracle';
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
 * Process restart of the whole service on the same database while the feed runs on: the new
 * lifetime backfills the minutes it missed, and both edge minutes — the one in progress at stop
 * (written partially by the first lifetime) and the one in progress at restart (partially live
 * in the second) — end up exact, nothing counted twice.
 */
describe.each(testDatabaseKinds())('whole app restart on %s', (kind) => {
  let db: AppDatabase;
  let feed: ExternalFeed;
  const running: TestApp[] = [];

  beforeEach(async () => {
    db = await createAppDatabase(kind);
    feed = await startExternalFeed();
  });

  afterEach(async () => {
    for (const { app } of running.splice(0)) await app.stop();
    await feed?.close();
    await db?.drop();
  });

  it('fills the gap after a restart; the stop and restart minutes are exact, none twice', async () => {
    const env = { DATABASE_URL: db.url, ...feedEnv(feed) };
    const first = await startTestApp(env);
    running.push(first);
    await waitForSubscribed(() => first.app.status(), feed);

    // One whole minute, then stop 40 s into the second.
    const stopMinute = feed.startMs + MINUTE_MS;
    await feed.driver.runUntil(stopMinute + 40_000);
    await waitForAllReceived(() => first.app.status().ingest.ticksReceived, feed);
    await first.app.stop();
    const firstRows = await db.read((ds) =>
      ds.query<{ n: string }[]>('SELECT count(*)::text AS n FROM ohlcv_1min'),
    );
    expect(Number(firstRows[0].n)).toBe(2 * feed.symbols.length);

    // Nobody is connected while the feed runs on into the fifth minute.
    await waitFor(() => feed.sim.clients().length === 0, 'the first lifetime disconnected');
    const restartMinute = feed.startMs + 4 * MINUTE_MS;
    await feed.driver.runUntil(restartMinute + 15_000);

    const sentToFirst = feed.recorder.sentCount();
    const second = await startTestApp(env);
    running.push(second);
    await waitForSubscribed(() => second.app.status(), feed);
    feed.driver.run();
    await waitFor(() => feed.recorder.clientIds().length === 2, 'data on the second lifetime');

    // From the independent view: the stop minute through the restart minute must be backfilled.
    const gaps = feed.recorder.gapMinutes();
    for (const symbol of feed.symbols) {
      expect([...(gaps.get(symbol) ?? [])].sort()).toEqual(
        [1, 2, 3, 4].map((m) => feed.startMs + m * MINUTE_MS),
      );
    }
    const gapMinutes = feed.recorder.gapMinuteCount();
    await waitFor(
      () => second.app.status().backfill.minutesFilled >= gapMinutes,
      () =>
        `backfill of ${gapMinutes} symbol-minutes: ${JSON.stringify(second.app.status().backfill)}`,
    );
    await feed.driver.runUntil(feed.sim.now() + MINUTE_MS + 23_000);
    await waitForAllReceived(() => second.app.status().ingest.ticksReceived, feed, sentToFirst);
    const stats = await fetchStats(second.app.url);
    expect(stats.backfill.failures).toBe(0);
    expect(stats.backfill.minutesFilled).toBeGreaterThanOrEqual(gapMinutes);
    expect(second.logs.filter((line) => line.msg === 'gap backfilled')).toHaveLength(
      feed.symbols.length,
    );
    await second.app.stop();

    const { problems, rows, expected } = await diffStoredBars(db, feed);
    expect(problems).toEqual([]);
    expect(rows).toBe(expected);

    // The edge minutes are whole: every generated second of them, which neither lifetime saw alone.
    const bars = feed.recorder.expectedBars();
    for (const minute of [stopMinute, restartMinute]) {
      for (const symbol of feed.symbols) {
        const generated = feed.recorder.generated.filter(
          (e) => e.sym === symbol && e.s >= minute && e.s < minute + MINUTE_MS,
        );
        expect(generated).toHaveLength(60);
        const liveVolume = feed.recorder.sent
          .flatMap((frame) => frame.events)
          .filter((e) => e.sym === symbol && e.s >= minute && e.s < minute + MINUTE_MS)
          .reduce((sum, e) => sum + e.v, 0);
        const bar = bars.get(barKey(symbol, minute));
        expect(bar?.volume).toBe(generated.reduce((sum, e) => sum + e.v, 0));
        expect(liveVolume).toBeLessThan(bar!.volume);
      }
    }
  }, 180_000);
});
