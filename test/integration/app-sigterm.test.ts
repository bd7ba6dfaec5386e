import { MINUTE_MS } from '../../src/domain/minute-bar';
import type { IngestStatusSnapshot } from '../../src/domain/status';
import { createAppDatabase, type AppDatabase } from '../helpers/app-database';
import { feedEnv, startExternalFeed, type ExternalFeed } from '../helpers/app-feed';
import { builtService, ServiceProcess, type BuiltService } from '../helpers/app-process';
import {
  diffStoredBars,
  fetchStats,
  waitForAllReceived,
  waitForSubscribed,
} from '../helpers/app-run';
import { testDatabaseKinds } from '../helpers/test-databases';

/**
 * The real built service (`node …/src/main.js`, as `npm start` runs it) with a flush interval of
 * a minute, so bars sit in memory: SIGTERM must stop the feed, write every one of them, and exit
 * 0. The database then holds exactly what the simulator wrote to the service's socket.
 */
let service: BuiltService;
beforeAll(async () => {
  service = await builtService();
}, 240_000);
afterAll(() => service?.cleanup());

describe.each(testDatabaseKinds())('SIGTERM of the built service on %s', (kind) => {
  let db: AppDatabase;
  let feed: ExternalFeed;
  let proc: ServiceProcess | null = null;

  beforeEach(async () => {
    db = await createAppDatabase(kind);
    feed = await startExternalFeed();
  });

  afterEach(async () => {
    if (proc?.running) {
      proc.signal('SIGKILL');
      await proc.exited;
    }
    proc = null;
    await feed?.close();
    await db?.drop();
  });

  it('drains every dirty bar held in memory to the database and exits 0', async () => {
    proc = new ServiceProcess(service, {
      ...feedEnv(feed),
      DATABASE_URL: db.url,
      PORT: '0',
      FLUSH_INTERVAL_MS: '60000',
      LOG_LEVEL: 'info',
      NODE_ENV: 'production',
    });
    const url = await proc.url();
    await waitForSubscribed(() => fetchStats(url), feed);

    // One closed minute and one in progress, none of it flushed yet.
    await feed.driver.runUntil(feed.startMs + MINUTE_MS + 30_000);
    let stats: IngestStatusSnapshot | null = null;
    await waitForAllReceived(
      async () => (stats = await fetchStats(url)).ingest.ticksReceived,
      feed,
    );
    expect(stats!.ingest.ticksProcessed).toBe(feed.recorder.sentCount());
    expect(stats!.writer.backlog).toBeGreaterThanOrEqual(feed.symbols.length);

    proc.signal('SIGTERM');
    expect(await proc.waitForExit()).toEqual({ code: 0, signal: null });
    const messages = proc.lines.map((line) => line.msg);
    expect(messages).toContain('shutdown requested');
    expect(messages).toContain('stopped cleanly');
    expect(proc.lines.filter((line) => (line.level as number) >= 50)).toEqual([]);

    const { problems, rows, expected } = await diffStoredBars(db, feed);
    expect(problems).toEqual([]);
    expect(rows).toBe(expected);
    expect(rows).toBe(2 * feed.symbols.length);
  }, 180_000);
});
