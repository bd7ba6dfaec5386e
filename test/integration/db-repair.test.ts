import { MINUTE_MS } from '../../src/domain/minute-bar';
import { runDbRepair } from '../../src/ops/db-repair-command';
import { BarOracle, barKey, fromSimAggregate } from '../../testkit/bar-oracle';
import {
  createLegacySchema,
  INSERT_LEGACY_MINUTES_SQL,
  INSERT_LEGACY_SYMBOLS_SQL,
  INSERT_OFF_MINUTE_SQL,
} from '../../testkit/legacy-schema';
import { diffBars, readStoredBars } from '../../testkit/stored-bars';
import { FEED_API_KEY, startExternalFeed, type ExternalFeed } from '../helpers/app-feed';
import { createEmptyAppDatabase, type EmptyAppDatabase } from '../helpers/legacy-database';
import { testDatabaseKinds } from '../helpers/test-databases';

const SYMBOLS = ['AAPL', 'MSFT'];

function captured(): { text: string; write(chunk: string): void } {
  return {
    text: '',
    write(chunk: string) {
      this.text += chunk;
    },
  };
}

/**
 * `db:repair` against the simulator's REST aggregates: the old writer's off-minute rows become
 * the exact minute bars of what the feed generated, the minute a stale legacy row also held is
 * overwritten, a minute REST has nothing for is left as it is, and a rerun changes nothing.
 */
describe.each(testDatabaseKinds())('db:repair on %s', (kind) => {
  let db: EmptyAppDatabase;
  let feed: ExternalFeed;

  beforeEach(async () => {
    db = await createEmptyAppDatabase(kind);
    feed = await startExternalFeed({ symbols: SYMBOLS });
  });

  afterEach(async () => {
    await feed?.close();
    await db?.drop();
  });

  it('dry run counts only; --apply replaces off-minute rows with REST minute bars; a rerun changes nothing', async () => {
    // Nobody is connected: the simulator's REST still holds every minute it generated.
    await feed.driver.runUntil(feed.startMs + 4 * MINUTE_MS + 5_000);
    const repaired = [0, 1, 2].map((m) => feed.startMs + m * MINUTE_MS);
    const noRest = feed.startMs - 2 * 24 * 60 * MINUTE_MS;
    const offMinute = (minute: number) =>
      [17_000, 42_000, 59_000].map((s) => new Date(minute + s).toISOString());
    await db.raw(async (ds) => {
      await createLegacySchema(ds);
      await ds.query(INSERT_LEGACY_SYMBOLS_SQL, [SYMBOLS]);
      // A stale on-minute legacy row in the first repaired minute, and one REST will not touch.
      await ds.query(INSERT_LEGACY_MINUTES_SQL, [SYMBOLS, new Date(repaired[0]).toISOString(), 1]);
      await ds.query(INSERT_LEGACY_MINUTES_SQL, [SYMBOLS, new Date(noRest).toISOString(), 1]);
      for (const symbol of SYMBOLS) {
        await ds.query(INSERT_OFF_MINUTE_SQL, [symbol, repaired.flatMap(offMinute)]);
      }
      await ds.query(INSERT_OFF_MINUTE_SQL, ['AAPL', offMinute(noRest)]);
    });
    const env = {
      DATABASE_URL: db.url,
      MASSIVE_API_KEY: FEED_API_KEY,
      MASSIVE_REST_URL: feed.restUrl,
      LOG_LEVEL: 'silent',
    };
    const legacyValues = `SELECT symbol, (extract(epoch FROM "timestamp") * 1000)::bigint AS ms, close::text AS close
      FROM ohlcv_1min ORDER BY symbol, "timestamp"`;
    const before = await db.raw((ds) => ds.query<unknown[]>(legacyValues));

    const dry = captured();
    expect((await runDbRepair([], env, dry)).code).toBe(0);
    expect(dry.text).toContain(
      'dry run: 21 off-minute rows in 7 minutes of 2 symbols would be re-fetched from REST and replaced',
    );
    const afterDry = await db.raw(async (ds) => ({
      values: await ds.query<unknown[]>(legacyValues),
      off: await ds.query<{ n: string }[]>(
        `SELECT count(*)::text AS n FROM ohlcv_1min WHERE date_trunc('minute', "timestamp") <> "timestamp"`,
      ),
    }));
    expect(Number(afterDry.off[0].n)).toBe(21);
    // Adoption ran (the command opens the database like the app), values untouched.
    expect(afterDry.values).toEqual(before);

    const apply = captured();
    const { code, result } = await runDbRepair(['--apply'], env, apply);
    expect(code).toBe(0);
    expect(result).toMatchObject({ rowsDeleted: 18, barsWritten: 6, unresolvedMinutes: 1 });
    expect(apply.text).toMatch(/\[#+\] 100% 7\/7 minutes/);
    expect(apply.text).toContain(
      'repaired: 18 off-minute rows replaced by 6 minute bars; 1 minutes had no REST bar',
    );

    const stored = await db.raw((ds) => readStoredBars(ds));
    const oracle = new BarOracle().addAll(feed.recorder.generated.map(fromSimAggregate));
    const expected = oracle.bars(
      (bar) => repaired.includes(bar.minuteStartMs) && SYMBOLS.includes(bar.symbol),
    );
    expect(expected.size).toBe(6);
    const round4 = (v: number | null) => (v === null ? null : Math.round(v * 1e4) / 1e4);
    for (const [key, bar] of expected) expected.set(key, { ...bar, vwap: round4(bar.vwap) });
    expect(
      diffBars(stored, expected, {
        inScope: (_symbol, ms) => ms >= feed.startMs,
        vwapTolerance: 1e-4,
      }),
    ).toEqual([]);
    // Every repaired minute counts all 60 seconds: live data for it later is not added twice.
    for (const key of expected.keys()) expect(stored.get(key)?.mask).toBe('1152921504606846975');
    // The minute REST had nothing for keeps its rows (the on-minute one and the off-minute ones).
    expect(stored.get(barKey('MSFT', noRest))).toBeDefined();
    const leftOff = await db.raw((ds) =>
      ds.query<{ symbol: string }[]>(
        `SELECT symbol FROM ohlcv_1min WHERE date_trunc('minute', "timestamp") <> "timestamp"`,
      ),
    );
    expect(leftOff.map((r) => r.symbol)).toEqual(['AAPL', 'AAPL', 'AAPL']);

    const again = captured();
    expect((await runDbRepair(['--apply'], env, again)).result).toMatchObject({
      rowsDeleted: 0,
      barsWritten: 0,
      unresolvedMinutes: 1,
    });
    expect(await db.raw((ds) => readStoredBars(ds))).toEqual(stored);
  }, 120_000);
});
