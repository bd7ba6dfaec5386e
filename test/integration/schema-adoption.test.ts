import type { DataSource } from 'typeorm';
import { MINUTE_MS } from '../../src/domain/minute-bar';
import { FULL_MINUTE_MASK_TEXT } from '../../src/domain/seconds-mask';
import type { LegacyTicksResponse } from '../../src/http/rest';
import { barKey } from '../../testkit/bar-oracle';
import {
  createLegacySchema,
  INSERT_LEGACY_MINUTES_SQL,
  INSERT_LEGACY_SYMBOLS_SQL,
  INSERT_OFF_MINUTE_SQL,
  LEGACY_OHLCV_INDEXES,
} from '../../testkit/legacy-schema';
import { diffBars, readStoredBars } from '../../testkit/stored-bars';
import { builtService, ServiceProcess } from '../helpers/app-process';
import { feedEnv, startExternalFeed, type ExternalFeed } from '../helpers/app-feed';
import {
  getJson,
  startTestApp,
  waitForAllReceived,
  waitForSubscribed,
  type TestApp,
} from '../helpers/app-run';
import {
  catalogSnapshot,
  createEmptyAppDatabase,
  type EmptyAppDatabase,
} from '../helpers/legacy-database';
import { testDatabaseKinds } from '../helpers/test-databases';

const LEGACY_ONLY = ['IBM', 'ORCL', 'BRK.B'];
const LEGACY_MINUTES = 90;

interface LegacyRow {
  symbol: string;
  ms: string;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
}

const readLegacyColumns = (ds: DataSource) =>
  ds.query<LegacyRow[]>(
    `SELECT symbol, (extract(epoch FROM "timestamp") * 1000)::bigint::text AS ms, open::text AS open,
            high::text AS high, low::text AS low, close::text AS close, volume::text AS volume
       FROM ohlcv_1min ORDER BY symbol, "timestamp"`,
  );
const readSymbols = (ds: DataSource) =>
  ds.query<{ row: Record<string, unknown> }[]>(
    `SELECT to_jsonb(s) AS row FROM symbols s ORDER BY symbol`,
  );

/**
 * The old system's database (its documented schema, rows of its own, off-minute rows its
 * writer left) is adopted in place: TickStock starts on it, every legacy row, column and index
 * survives and is served, new bars are exact, a legacy minute re-delivered live is not counted
 * twice, and a second start changes nothing.
 */
describe.each(testDatabaseKinds())('adopting the old database on %s', (kind) => {
  let db: EmptyAppDatabase;
  let feed: ExternalFeed;
  const running: TestApp[] = [];

  beforeEach(async () => {
    db = await createEmptyAppDatabase(kind);
  });

  afterEach(async () => {
    for (const { app } of running.splice(0)) await app.stop();
    await feed?.close();
    await db?.drop();
  });

  it('starts on it, keeps and serves every legacy row, ingests exactly, a second start is a no-op', async () => {
    feed = await startExternalFeed({ symbols: ['AAPL', 'MSFT', 'NVDA'] });
    const legacyStart = feed.startMs - 3 * 24 * 60 * MINUTE_MS;
    // A legacy bar in a minute the feed will stream: already complete, so live seconds for it
    // must be recognised as counted, not added.
    const overlapMinute = feed.startMs + MINUTE_MS;
    const offMinute = [17_000, 31 * MINUTE_MS + 59_000, 45 * MINUTE_MS + 1_000].map((offset) =>
      new Date(legacyStart + offset).toISOString(),
    );
    await db.raw(async (ds) => {
      await createLegacySchema(ds);
      await ds.query(INSERT_LEGACY_SYMBOLS_SQL, [[...feed.symbols, ...LEGACY_ONLY]]);
      await ds.query(INSERT_LEGACY_MINUTES_SQL, [
        [...feed.symbols, ...LEGACY_ONLY],
        new Date(legacyStart).toISOString(),
        LEGACY_MINUTES,
      ]);
      await ds.query(INSERT_OFF_MINUTE_SQL, ['IBM', offMinute]);
      await ds.query(INSERT_LEGACY_MINUTES_SQL, [
        ['AAPL'],
        new Date(overlapMinute).toISOString(),
        1,
      ]);
    });
    const legacyRows = await db.raw(readLegacyColumns);
    const legacySymbols = await db.raw(readSymbols);
    expect(legacyRows).toHaveLength(
      (feed.symbols.length + LEGACY_ONLY.length) * LEGACY_MINUTES + 4,
    );

    const env = { DATABASE_URL: db.url, ...feedEnv(feed), BACKFILL_MAX_MINUTES: '30' };
    const first = await startTestApp(env);
    running.push(first);
    expect(first.logs.find((l) => l.msg === 'adopting the existing schema in place')).toBeDefined();
    expect(first.logs.find((l) => l.offMinuteRows === 3)).toBeDefined();
    expect(first.logs.find((l) => Array.isArray(l.redundantIndexes))?.redundantIndexes).toEqual([
      'idx_1min_covering',
      'idx_1min_symbol_ts',
    ]);

    await waitForSubscribed(() => first.app.status(), feed);
    await feed.driver.runUntil(feed.startMs + 3 * MINUTE_MS + 5_000);
    await waitForAllReceived(() => first.app.status().ingest.ticksReceived, feed);

    // Served: legacy rows (the off-minute ones too) over REST, legacy symbols over GraphQL.
    const rest = await getJson<LegacyTicksResponse>(
      `${first.app.url}/api/ticks/recent?symbol=IBM&since=${Math.floor(legacyStart / 1000)}&limit=1000`,
    );
    expect(rest.status).toBe(200);
    expect(rest.body.count).toBe(LEGACY_MINUTES + 3);
    const ibm = legacyRows.filter((r) => r.symbol === 'IBM');
    expect(rest.body.ticks.map((t) => [t.timestamp * 1000, t.open, t.volume]).reverse()).toEqual(
      ibm.map((r) => [Math.floor(Number(r.ms) / 1000) * 1000, Number(r.open), Number(r.volume)]),
    );
    const gql = await postGraphql(
      first.app.url,
      `{ symbols(search: "BRK") { symbol name } recentTicks(symbol: "ORCL", since: "${new Date(legacyStart).toISOString()}", limit: 1000) { timestamp open close volume } }`,
    );
    expect(gql.errors).toBeUndefined();
    expect(gql.data.symbols).toEqual([{ symbol: 'BRK.B', name: 'BRK.B Inc.' }]);
    expect(gql.data.recentTicks).toHaveLength(LEGACY_MINUTES);
    expect(gql.data.recentTicks[0]).toEqual({
      timestamp: new Date(legacyStart).toISOString(),
      open: Number(legacyRows.find((r) => r.symbol === 'ORCL')!.open),
      close: Number(legacyRows.find((r) => r.symbol === 'ORCL')!.close),
      volume: Number(legacyRows.find((r) => r.symbol === 'ORCL')!.volume),
    });
    await first.app.stop();
    running.splice(0);

    const afterFirst = await db.raw(async (ds) => ({
      rows: await readLegacyColumns(ds),
      symbols: await readSymbols(ds),
      stored: await readStoredBars(ds),
      catalog: await catalogSnapshot(ds),
      legacyBookkeeping: await ds.query<{ n: string }[]>(
        `SELECT count(*)::text AS n FROM ohlcv_1min WHERE "timestamp" < $1
           AND seconds_mask = ${FULL_MINUTE_MASK_TEXT} AND open_second = 0 AND close_second = 59`,
        [new Date(feed.startMs).toISOString()],
      ),
    }));
    // Every legacy row and value intact (the re-delivered minute included: not counted twice).
    const byKey = new Map(afterFirst.rows.map((r) => [`${r.symbol} ${r.ms}`, r]));
    for (const row of legacyRows) expect(byKey.get(`${row.symbol} ${row.ms}`)).toEqual(row);
    expect(Number(afterFirst.legacyBookkeeping[0].n)).toBe(legacyRows.length - 1);
    // Every symbols column intact; TickStock only added first_seen.
    expect(afterFirst.symbols.map(({ row }) => ({ ...row, first_seen: undefined }))).toEqual(
      legacySymbols.map(({ row }) => ({ ...row, first_seen: undefined })),
    );
    // The four legacy indexes are still there, and nothing else was indexed.
    expect(
      afterFirst.catalog
        .split('\n')
        .filter((line) => line.startsWith('index ') && line.includes(' ON public.ohlcv_1min '))
        .map((line) => line.split(' ')[1])
        .sort(),
    ).toEqual(LEGACY_OHLCV_INDEXES);
    // Constraints added NOT VALID and validated apart; the off-minute rows keep one unvalidated.
    expect(afterFirst.catalog).toContain(
      'constraint ohlcv_1min.ohlcv_1min_range CHECK (((low <= high) AND (volume >= 0))) valid=true',
    );
    expect(afterFirst.catalog).toMatch(
      /constraint ohlcv_1min\.ohlcv_1min_minute_start .* valid=false/,
    );

    // New bars exact: the feed's roll-up for every minute it streamed, except the legacy minute.
    const expected = feed.recorder.expectedBars();
    expect(expected.get(barKey('AAPL', overlapMinute))?.seconds).toBe(60);
    expected.delete(barKey('AAPL', overlapMinute));
    const problems = diffBars(afterFirst.stored, expected, {
      inScope: (symbol, ms) => ms >= feed.startMs && !(symbol === 'AAPL' && ms === overlapMinute),
      vwapTolerance: 1e-4,
    });
    expect(problems).toEqual([]);
    expect(expected.size).toBe(feed.symbols.length * 4 - 1);

    // A second start changes nothing: same catalog, same rows, no adoption step.
    const second = await startTestApp(env);
    running.push(second);
    expect(
      second.logs.find((l) => l.msg === 'adopting the existing schema in place'),
    ).toBeUndefined();
    await second.app.stop();
    running.splice(0);
    const afterSecond = await db.raw(async (ds) => ({
      catalog: await catalogSnapshot(ds),
      rows: await readLegacyColumns(ds),
    }));
    expect(afterSecond.catalog).toEqual(afterFirst.catalog);
    expect(afterSecond.rows).toEqual(afterFirst.rows);
  }, 180_000);

  it('an unadoptable table stops start-up with one clear message, and nothing is changed', async () => {
    await db.raw(async (ds) => {
      await createLegacySchema(ds);
      await ds.query(
        `CREATE TABLE patterns (id serial PRIMARY KEY, symbol varchar(20) NOT NULL,
           pattern_type varchar(50) NOT NULL, detected_at timestamptz NOT NULL, metadata jsonb)`,
      );
      await ds.query(INSERT_LEGACY_SYMBOLS_SQL, [LEGACY_ONLY]);
      await ds.query(INSERT_LEGACY_MINUTES_SQL, [LEGACY_ONLY, '2025-11-24T14:30:00Z', 10]);
    });
    const before = await db.raw(async (ds) => ({
      catalog: await catalogSnapshot(ds),
      rows: await readLegacyColumns(ds),
    }));

    const start = startTestApp({ DATABASE_URL: db.url, MASSIVE_API_KEY: 'unused', SYMBOLS: 'IBM' });
    await expect(start).rejects.toThrow(
      /cannot adopt this database, nothing was changed: table "patterns": missing columns pattern, direction, confidence, price, price_change, timestamp, expires_at, indicators, source/,
    );
    await expect(start).rejects.toMatchObject({ name: 'SchemaConflictError' });

    const after = await db.raw(async (ds) => ({
      catalog: await catalogSnapshot(ds),
      rows: await readLegacyColumns(ds),
    }));
    expect(after).toEqual(before);
    expect(after.catalog).not.toContain('relation migrations');

    // The service as `npm start` runs it: exits 1 with that one message on stderr, no stack.
    const service = await builtService();
    try {
      const child = new ServiceProcess(service, {
        DATABASE_URL: db.url,
        MASSIVE_API_KEY: 'unused',
        SYMBOLS: 'IBM',
        PORT: '0',
      });
      expect((await child.waitForExit()).code).toBe(1);
      expect(child.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(
          /^TickStock cannot adopt this database, nothing was changed: table "patterns"/,
        ),
      ]);
    } finally {
      service.cleanup();
    }
    expect(await db.raw(catalogSnapshot)).toEqual(before.catalog);
  }, 180_000);
});

interface GraphqlAnswer {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data: any;
  errors?: unknown[];
}

async function postGraphql(baseUrl: string, query: string): Promise<GraphqlAnswer> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as GraphqlAnswer;
}
