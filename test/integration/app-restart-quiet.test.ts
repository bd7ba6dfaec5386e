import { MINUTE_MS, minuteStart } from '../../src/domain/minute-bar';
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

/**
 * Restarts against a feed like Massive's. After the close the real feed sends nothing, so a
 * restart must backfill up to the clock's last closed minute without waiting for live data; and
 * corrections of minutes an earlier lifetime wrote can only be settled by REST once their window
 * has closed.
 */
describe.each(testDatabaseKinds())('app restarts on a real-like feed on %s', (kind) => {
  let db: AppDatabase;
  let feed: ExternalFeed | null = null;
  const running: TestApp[] = [];

  beforeEach(async () => {
    db = await createAppDatabase(kind);
  });

  afterEach(async () => {
    for (const { app } of running.splice(0)) await app.stop();
    await feed?.close();
    feed = null;
    await db?.drop();
  });

  it('restart while the feed is quiet: the hole up to the last closed minute is filled', async () => {
    const quiet = (feed = await startExternalFeed({ minutesAgo: 12 }));
    const env = { DATABASE_URL: db.url, ...feedEnv(quiet) };
    const first = await startTestApp(env);
    running.push(first);
    await waitForSubscribed(() => first.app.status(), quiet);
    await quiet.driver.runUntil(quiet.startMs + MINUTE_MS + 30_000);
    await waitForAllReceived(() => first.app.status().ingest.ticksReceived, quiet);
    await running.shift()?.app.stop();

    // The market runs on while nobody listens, up to now; then it closes: no more data.
    const now = Math.floor(Date.now() / 1000) * 1000;
    quiet.sim.advance(now);
    const lastClosed = minuteStart(now) - MINUTE_MS;
    const second = await startTestApp(env);
    running.push(second);
    await waitForSubscribed(() => second.app.status(), quiet);

    const wanted = quiet.recorder.truthBars((m) => m >= quiet.startMs && m <= lastClosed);
    expect(wanted.size).toBeGreaterThanOrEqual(quiet.symbols.length * 10);
    let problems: string[] = [];
    await waitFor(
      async () => {
        const stored = await db.read((ds) => readStoredBars(ds));
        const mine = new Map([...stored].filter(([, b]) => b.minuteStartMs <= lastClosed));
        problems = diffBars(mine, wanted, { vwapTolerance: 1e-4 });
        return problems.length === 0;
      },
      () =>
        `the quiet hole filled: ${problems.slice(0, 4).join('; ')} ${JSON.stringify(second.app.status().backfill)}`,
    );
    expect(second.app.status().ingest.ticksReceived).toBe(0);
  }, 120_000);

  it('corrections of minutes the first lifetime wrote end exact after the REST re-check', async () => {
    const real = (feed = await startExternalFeed({
      symbols: ['AAPL', 'ABRpD', 'MSFT'],
      minutesAgo: 30,
      real: {
        correctionRate: 0.05,
        correctionMinDelayMs: 2_000,
        correctionMaxDelayMs: 40_000,
        restLagMinMs: 2_000,
        restLagMaxMs: 40_000,
      },
    }));
    const env = {
      DATABASE_URL: db.url,
      CORRECTION_WINDOW_MINUTES: '0.75',
      RECONCILE_REQUESTS_PER_MINUTE: '6000',
      ...feedEnv(real),
    };
    const first = await startTestApp(env);
    running.push(first);
    await waitForSubscribed(() => first.app.status(), real);
    await real.driver.runUntil(real.startMs + 2 * MINUTE_MS + 35_000);
    await waitForAllReceived(() => first.app.status().ingest.ticksReceived, real);
    await running.shift()?.app.stop();
    await waitFor(() => real.sim.clients().length === 0, 'the first lifetime disconnected');
    await real.driver.runUntil(real.sim.now() + 30_000); // corrections nobody hears

    const second = await startTestApp(env);
    running.push(second);
    await waitForSubscribed(() => second.app.status(), real);
    const endMs = real.startMs + 8 * MINUTE_MS;
    await real.driver.runUntil(endMs);
    const settled = (m: number) => m >= real.startMs && m + 2 * MINUTE_MS <= endMs - MINUTE_MS;
    const truth = real.recorder.truthBars(settled);
    expect(truth.size).toBe(3 * 6);
    let problems: string[] = [];
    await waitFor(
      async () => {
        const stored = await db.read((ds) => readStoredBars(ds));
        const mine = new Map([...stored].filter(([, b]) => settled(b.minuteStartMs)));
        problems = diffBars(mine, truth, { vwapTolerance: 1e-4 });
        return problems.length === 0;
      },
      () =>
        `bars equal to the truth: ${problems.slice(0, 4).join('; ')} ${JSON.stringify(second.app.status().reconcile)}`,
      90_000,
    );
    const status = second.app.status();
    expect(status.reconcile.minutesReplaced).toBeGreaterThan(0);
    expect(status.corrections.deferred + status.reconcile.scheduled['gap-fill']).toBeGreaterThan(0);
  }, 180_000);
});
