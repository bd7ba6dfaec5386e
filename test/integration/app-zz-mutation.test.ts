import { MINUTE_MS } from '../../src/ingest/bars/minute-bar';
import { createAppDatabase } from '../helpers/app-database';
import { feedEnv, startExternalFeed, waitUntil } from '../helpers/app-feed';
import { diffStoredBars, startTestApp, waitForAllReceived, waitForSubscribed } from '../helpers/app-run';

it('mutation: no backfill must be caught', async () => {
  const db = await createAppDatabase('postgres');
  const feed = await startExternalFeed();
  const { app } = await startTestApp({ DATABASE_URL: db.url, BACKFILL_MAX_MINUTES: '0', ...feedEnv(feed) });
  await waitForSubscribed(app.status, feed);
  await feed.driver.runUntil(feed.startMs + 2 * MINUTE_MS + 50_000);
  await waitForAllReceived(() => app.status().ingest.ticksReceived, feed);
  feed.sim.dropConnections();
  feed.sim.advance(feed.sim.now() + 25_000);
  feed.driver.run();
  await waitUntil(() => feed.recorder.clientIds().length === 2, 'back');
  await feed.driver.runUntil(feed.sim.now() + 3 * MINUTE_MS);
  await waitForAllReceived(() => app.status().ingest.ticksReceived, feed);
  await app.stop();
  const { problems } = await diffStoredBars(db, feed);
  console.log(problems.slice(0, 8), problems.length);
  expect(problems.length).toBeGreaterThan(0);
  await feed.close();
  await db.drop();
});
