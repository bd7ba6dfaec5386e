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

const DAY_MS = 86_400_000;
/** More old rows than one retention batch (5,000) holds, so the run takes several batches. */
const OLD_MINUTES = 12_000;
const NEW_MINUTES = 90;

/**
 * RETENTION_DAYS while ingest runs: exactly the bars and patterns older than the run's cutoff go
 * (rows a minute either side of it are seeded), in several small batches, counted in /metrics,
 * and the live bars written meanwhile stay exact.
 */
describe.each(testDatabaseKinds())('retention on %s', (kind) => {
  let db: AppDatabase;
  let feed: ExternalFeed;
  let running: TestApp | null = null;

  beforeEach(async () => {
    db = await createAppDatabase(kind);
    feed = await startExternalFeed({ symbols: ['AAPL', 'MSFT'] });
  });

  afterEach(async () => {
    await running?.app.stop();
    running = null;
    await feed?.close();
    await db?.drop();
  });

  it('removes exactly the rows older than the cutoff, in batches, while ingest runs', async () => {
    const approxCutoff = minuteStart(Date.now() - 3 * DAY_MS);
    const first = approxCutoff - OLD_MINUTES * MINUTE_MS;
    await db.read(async (ds) => {
      await ds.query(`INSERT INTO symbols (symbol) VALUES ('OLD1')`);
      await ds.query(
        `INSERT INTO ohlcv_1min (symbol, "timestamp", open, high, low, close, volume)
         SELECT 'OLD1', $1::timestamptz + make_interval(mins => m), 10, 11, 9, 10.5, 100
         FROM generate_series(0, $2::int - 1) AS m`,
        [new Date(first).toISOString(), OLD_MINUTES + NEW_MINUTES],
      );
      await ds.query(
        `INSERT INTO patterns (symbol, pattern, direction, confidence, price, price_change, "timestamp", expires_at, indicators)
         SELECT 'OLD1', 'Doji', 'neutral', 0.5, 10, 0, t, t + interval '5 minutes', '{}'::jsonb
         FROM generate_series($1::timestamptz, $2::timestamptz, interval '1 minute') AS t`,
        [
          new Date(approxCutoff - 60 * MINUTE_MS).toISOString(),
          new Date(approxCutoff + 60 * MINUTE_MS).toISOString(),
        ],
      );
    });

    running = await startTestApp({ DATABASE_URL: db.url, RETENTION_DAYS: '3', ...feedEnv(feed) });
    const { app } = running;
    await waitForSubscribed(() => app.status(), feed);
    feed.driver.run();
    await waitFor(() => (app.retention?.status().runs ?? 0) >= 1, 'a retention run', 60_000);
    await waitFor(() => app.status().writer.barsWritten > 0, 'ingest writing meanwhile');
    const status = app.retention!.status();
    expect(status.lastError).toBeNull();
    const cutoff = Date.parse(status.lastCutoff!);
    expect(Math.abs(cutoff - approxCutoff)).toBeLessThan(30 * MINUTE_MS);

    const seeded = Array.from(
      { length: OLD_MINUTES + NEW_MINUTES },
      (_, m) => first + m * MINUTE_MS,
    );
    const keptBars = seeded.filter((ms) => ms >= cutoff);
    const patternTimes = Array.from({ length: 121 }, (_, m) => approxCutoff + (m - 60) * MINUTE_MS);
    const keptPatterns = patternTimes.filter((ms) => ms >= cutoff);
    expect(status.deleted).toEqual({
      ohlcv_1min: seeded.length - keptBars.length,
      patterns: patternTimes.length - keptPatterns.length,
    });
    expect(status.batches).toBeGreaterThanOrEqual(4);

    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toContain(
      `tickstock_retention_rows_deleted_total{table="ohlcv_1min"} ${status.deleted.ohlcv_1min}`,
    );

    feed.driver.pause();
    await waitForAllReceived(() => app.status().ingest.ticksReceived, feed);
    await app.stop();
    running = null;

    const after = await db.read(async (ds) => ({
      bars: await ds.query<{ ms: string }[]>(
        `SELECT (extract(epoch FROM "timestamp") * 1000)::bigint::text AS ms FROM ohlcv_1min WHERE symbol = 'OLD1' ORDER BY 1`,
      ),
      patterns: await ds.query<{ ms: string }[]>(
        `SELECT (extract(epoch FROM "timestamp") * 1000)::bigint::text AS ms FROM patterns WHERE symbol = 'OLD1' ORDER BY "timestamp"`,
      ),
      stored: await readStoredBars(ds),
    }));
    expect(after.bars.map((r) => Number(r.ms))).toEqual(keptBars);
    expect(after.patterns.map((r) => Number(r.ms))).toEqual(keptPatterns);
    expect(
      diffBars(after.stored, feed.recorder.expectedBars(), {
        inScope: (symbol) => symbol !== 'OLD1',
      }),
    ).toEqual([]);
  }, 120_000);
});
