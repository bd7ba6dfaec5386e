import { MINUTE_MS } from '../../src/domain/minute-bar';
import { waitFor } from '../../testkit/wait';
import { gql } from '../helpers/api-server';
import { createAppDatabase, type AppDatabase } from '../helpers/app-database';
import { feedEnv, startExternalFeed, type ExternalFeed } from '../helpers/app-feed';
import {
  diffStoredBars,
  getJson,
  startTestApp,
  waitForAllReceived,
  type TestApp,
} from '../helpers/app-run';
import { testDatabaseKinds } from '../helpers/test-databases';

const RECENT = `query Recent($symbol: String!) { recentTicks(symbol: $symbol, limit: 1000) { symbol timestamp close } }`;

interface LegacyAnswer {
  symbol?: string;
  count?: number;
  error?: string;
  ticks?: { symbol: string; timestamp: number; close: number }[];
}

/**
 * The whole service against an external simulator subscribed with `A.*`: case-sensitive
 * tickers (preferred shares `BCpC`, `ABRpD` beside the common stock `BCPC`, an OTC name) are
 * ingested, stored exactly as sent and served by REST and GraphQL; a legacy lower-case
 * `symbol=aapl` still finds AAPL and an ambiguous `bcpc` is refused naming both.
 */
describe.each(testDatabaseKinds())('case-sensitive tickers end to end on %s', (kind) => {
  let db: AppDatabase;
  let feed: ExternalFeed;
  let running: TestApp | null = null;
  const symbols = ['AAPL', 'ABRpD', 'BCPC', 'BCpC', 'NSRGY'];

  beforeEach(async () => {
    db = await createAppDatabase(kind);
    feed = await startExternalFeed({ symbols });
  });

  afterEach(async () => {
    await running?.app.stop();
    running = null;
    await feed?.close();
    await db?.drop();
  });

  it('A.* ingests BCpC and ABRpD as sent; REST and GraphQL serve them; aapl works; bcpc is ambiguous', async () => {
    running = await startTestApp({ DATABASE_URL: db.url, ...feedEnv(feed), SYMBOLS: '*' });
    const { app } = running;
    await waitFor(
      () =>
        feed.sim.clients()[0]?.subscriptions.join() === '*' &&
        app.status().connections[0]?.state === 'live',
      () => `A.* live: ${JSON.stringify(app.status().connections)}`,
    );
    await feed.driver.runUntil(feed.startMs + 2 * MINUTE_MS + 30_000);
    await waitForAllReceived(() => app.status().ingest.ticksReceived, feed);
    expect(app.status().ingest.ticksRejected).toBe(0);
    // Every minute of every symbol is stored once the writer has flushed the last second.
    await waitFor(async () => {
      const bars = await getJson<LegacyAnswer>(
        `${app.url}/api/ticks/recent?symbol=ABRpD&limit=1000`,
      );
      return bars.body.ticks?.[0]?.timestamp === (feed.startMs + 2 * MINUTE_MS) / 1000;
    }, 'the in-progress minute of ABRpD to be stored');
    await waitFor(async () => {
      const counts = await Promise.all(
        symbols.map(
          async (s) =>
            (await getJson<LegacyAnswer>(`${app.url}/api/ticks/recent?symbol=${s}`)).body.count,
        ),
      );
      return counts.every((count) => count === 3);
    }, 'three minutes of every symbol');

    const expected = feed.recorder.expectedBars();
    const closes = (symbol: string) =>
      [...expected.values()]
        .filter((bar) => bar.symbol === symbol)
        .sort((a, b) => a.minuteStartMs - b.minuteStartMs)
        .map((bar) => ({ timestamp: bar.minuteStartMs / 1000, close: Number(bar.close) }));

    for (const [asked, stored] of [
      ['ABRpD', 'ABRpD'],
      ['abrpd', 'ABRpD'],
      ['BCpC', 'BCpC'],
      ['BCPC', 'BCPC'],
      ['NSRGY', 'NSRGY'],
      ['aapl', 'AAPL'],
    ]) {
      const rest = await getJson<LegacyAnswer>(`${app.url}/api/ticks/recent?symbol=${asked}`);
      expect(rest.status).toBe(200);
      expect(rest.body.symbol).toBe(stored);
      expect(
        rest.body.ticks!.map((t) => ({ symbol: t.symbol, timestamp: t.timestamp, close: t.close })),
      ).toEqual(
        closes(stored)
          .reverse()
          .map((bar) => ({ symbol: stored, ...bar })),
      );
      const graph = await gql(app.url, RECENT, { symbol: asked });
      expect(graph.body.errors).toBeUndefined();
      expect(graph.body.data!.recentTicks).toEqual(
        closes(stored).map((bar) => ({
          symbol: stored,
          timestamp: new Date(bar.timestamp * 1000).toISOString(),
          close: bar.close,
        })),
      );
    }

    const ambiguous = await getJson<LegacyAnswer>(`${app.url}/api/ticks/recent?symbol=bcpc`);
    expect(ambiguous).toEqual({
      status: 400,
      body: {
        error:
          'symbol "bcpc" is ambiguous: it matches BCPC, BCpC (tickers are case-sensitive); ask for one of them exactly',
      },
    });
    const graphAmbiguous = await gql(app.url, RECENT, { symbol: 'bcpc' });
    expect(graphAmbiguous.body.errors?.[0].extensions).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'symbol',
      candidates: ['BCPC', 'BCpC'],
    });
    const listed = await gql(app.url, `{ symbols(limit: 100) { symbol } }`);
    expect(listed.body.data!.symbols.map((s: { symbol: string }) => s.symbol).sort()).toEqual(
      [...symbols].sort(),
    );

    await app.stop();
    running = null;
    // Stored exactly as sent, value by value, against the independent roll-up of what was sent.
    const diff = await diffStoredBars(db, feed);
    expect(diff.problems).toEqual([]);
    expect(diff.rows).toBe(symbols.length * 3);
    const stored = await db.read(async (dataSource) =>
      (
        await dataSource.query<{ symbol: string }[]>(`SELECT symbol FROM symbols ORDER BY symbol`)
      ).map((row) => row.symbol),
    );
    expect(stored).toEqual([...symbols].sort());
  });
});
