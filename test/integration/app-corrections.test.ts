import { MINUTE_MS } from '../../src/domain/minute-bar';
import { diffBars, readStoredBars } from '../../testkit/stored-bars';
import { waitFor } from '../../testkit/wait';
import { createAppDatabase, type AppDatabase } from '../helpers/app-database';
import { feedEnv, startExternalFeed, type ExternalFeed } from '../helpers/app-feed';
import {
  startTestApp,
  waitForAllReceived,
  waitForSubscribed,
  type TestApp,
} from '../helpers/app-run';
import { testDatabaseKinds } from '../helpers/test-databases';

/** The simulator's corrections stop this long after a second (the app's window must cover it). */
const SIM_CORRECTION_MAX_MS = 40_000;

/**
 * The whole app against a feed that behaves like Massive's: 5 % of seconds re-broadcast with
 * new values up to 40 s later, REST minutes that appear only after a lag of up to 40 s and keep
 * changing until the correction window closes, and a socket drop mid-stream (a gap filled from
 * REST while REST still lags, and corrections broadcast while nobody listened). Every minute whose
 * window has closed must end equal to the latest version of every second.
 */
describe.each(testDatabaseKinds())('whole app on a correcting, lagging feed on %s', (kind) => {
  let db: AppDatabase;
  let feed: ExternalFeed;
  let running: TestApp | null = null;

  beforeEach(async () => {
    db = await createAppDatabase(kind);
    feed = await startExternalFeed({
      symbols: ['AAPL', 'BCpC', 'MSFT', 'NVDA'],
      minutesAgo: 30,
      real: {
        correctionRate: 0.05,
        correctionMinDelayMs: 2_000,
        correctionMaxDelayMs: SIM_CORRECTION_MAX_MS,
        restLagMinMs: 2_000,
        restLagMaxMs: SIM_CORRECTION_MAX_MS,
      },
    });
  });

  afterEach(async () => {
    await running?.app.stop();
    running = null;
    await feed?.close();
    await db?.drop();
  });

  it('applies corrections, re-checks gap-filled and missed minutes from REST, ends exact', async () => {
    running = await startTestApp({
      DATABASE_URL: db.url,
      CORRECTION_WINDOW_MINUTES: '0.75',
      RECONCILE_REQUESTS_PER_MINUTE: '6000',
      ...feedEnv(feed),
    });
    const { app } = running;
    await waitForSubscribed(() => app.status(), feed);

    await feed.driver.runUntil(feed.startMs + 2 * MINUTE_MS + 40_000);
    await waitForAllReceived(() => app.status().ingest.ticksReceived, feed);
    expect(feed.sim.dropConnections()).toBe(1);
    feed.sim.advance(feed.sim.now() + 20_000); // unseen: first versions and corrections
    feed.driver.run();
    await waitFor(
      () => app.status().connections.every((c) => c.reconnects === 1 && c.state === 'live'),
      () => `socket back: ${JSON.stringify(app.status().connections)}`,
    );
    const endMs = feed.startMs + 8 * MINUTE_MS;
    await feed.driver.runUntil(endMs);
    // Minutes whose corrections are all broadcast, and whose re-checks are due by now.
    const settled = (m: number) => m >= feed.startMs && m + MINUTE_MS + 60_000 <= endMs - 60_000;
    const truth = feed.recorder.truthBars(settled);
    expect(truth.size).toBe(4 * 6);

    let problems: string[] = [];
    const trail = () =>
      running?.logs
        .filter((l) => /gap|backfill|re-check|refused/.test(l.msg ?? ''))
        .map((l) => JSON.stringify(l))
        .join('\n');
    await waitFor(
      async () => {
        const stored = await db.read((dataSource) => readStoredBars(dataSource));
        const mine = new Map([...stored].filter(([, bar]) => settled(bar.minuteStartMs)));
        problems = diffBars(mine, truth, { vwapTolerance: 1e-4 });
        return problems.length === 0;
      },
      () =>
        `stored bars equal to the truth: ${problems.slice(0, 5).join('; ')} ${JSON.stringify(app.status().reconcile)} ${JSON.stringify(app.status().backfill)} start=${new Date(feed.startMs).toISOString()}\n${trail()}`,
      90_000,
    );
    const status = app.status();
    expect(status.corrections.applied).toBeGreaterThan(0);
    expect(status.reconcile.scheduled['gap-fill']).toBeGreaterThan(0);
    // Each re-check compared REST with the stored rows (replacing those that differ; the quiet
    // restart suite shows replacements, here the prompt fill may already have been final).
    expect(status.reconcile.minutesChecked).toBeGreaterThan(0);
  }, 180_000);
});
