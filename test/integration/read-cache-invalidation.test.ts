import type { TickData } from '../../src/domain/tick';
import { toLegacyTick } from '../../src/http/rest';
import { createIngest, type Ingest } from '../../src/ingest/create-ingest';
import { createQuietLogger } from '../../src/logger';
import { createOhlcvRepository } from '../../src/repositories/ohlcv.repository';
import { createReadRepositories } from '../../src/repositories/read-repositories';
import { CommitGenerations } from '../../src/services/cache/commit-generations';
import { createPatternModule, type PatternModule } from '../../src/patterns/pattern-module';
import { insertSymbols, randomSymbol } from '../helpers/api-factories';
import { makePatternEvent } from '../helpers/patterns-factories';
import { gql, useTestApi } from '../helpers/api-server';
import { pastMinute } from '../helpers/feed-fixtures';
import { testDatabaseKinds } from '../helpers/test-databases';

/** One second's aggregate as the validator emits it. */
function tick(symbol: string, startMs: number, price: number, volume = 100): TickData {
  return {
    symbol,
    eventType: 'A',
    startMs,
    endMs: startMs + 1000,
    open: price,
    high: price + 0.5,
    low: price - 0.5,
    close: price + 0.25,
    volume,
    vwap: price,
    accumulatedVolume: null,
    dayOpen: null,
    dayVwap: null,
    averageTradeSize: null,
    source: 'simulator',
    receivedAtMs: Date.now(),
  };
}

interface LegacyBody {
  symbol: string;
  count: number;
  ticks: {
    symbol: string;
    timestamp: number;
    open: number;
    high: number;
    low: number;
    close: number;
    volume: number;
  }[];
}

describe.each(testDatabaseKinds())(
  'read cache: every write path invalidates exactly (%s)',
  (kind) => {
    const commits = new CommitGenerations();
    const { db, api } = useTestApi(kind, { api: { commits } });
    let ingest: Ingest;
    const base = pastMinute(30);

    beforeAll(async () => {
      ingest = await createIngest({
        store: createOhlcvRepository(db.dataSource),
        logger: createQuietLogger(),
        // The test flushes by hand: each commit happens exactly where the test says.
        tuning: { flushIntervalMs: 3_600_000, flushBatchSize: 5000 },
        seedFromStore: false,
        commits,
      });
    });
    afterAll(() => ingest.stop());

    const rest = async (symbol: string, headers: Record<string, string> = {}) => {
      const response = await fetch(`${api.url}/api/ticks/recent?symbol=${symbol}&limit=50`, {
        headers,
      });
      const text = await response.text();
      return {
        status: response.status,
        etag: response.headers.get('etag'),
        text,
        body: text === '' ? null : (JSON.parse(text) as LegacyBody),
      };
    };
    /** What the database holds, read around the cache. */
    const stored = async (symbol: string) => {
      const bars = await createReadRepositories(db.dataSource).bars.findRecent(symbol, null, 50);
      return bars.map(toLegacyTick).map(({ symbol: _s, ...t }) => t);
    };
    const flush = async () => expect(await ingest.writer.flushNow()).toBe('flushed');

    it('a flush: a poll right after it commits returns the new bar (REST and GraphQL)', async () => {
      const symbol = randomSymbol('F');
      ingest.pipeline.handleTicks([tick(symbol, base, 10)]);
      await flush();
      const first = await rest(symbol);
      expect(first.body?.count).toBe(1);
      expect((await rest(symbol)).text).toBe(first.text); // served from the cache now
      const gqlQuery = `query($s: String!) { recentTicks(symbol: $s, limit: 50) { timestamp close } }`;
      expect((await gql(api.url, gqlQuery, { s: symbol })).body.data?.recentTicks).toHaveLength(1);
      const metrics = await (await fetch(`${api.url}/metrics`)).text();
      expect(metrics).toMatch(/^tickstock_read_cache_hits_total [1-9]/m);
      const commitsBefore = commits.commits;

      ingest.pipeline.handleTicks([tick(symbol, base + 60_000, 11)]);
      await flush();
      const after = await rest(symbol);
      expect(after.body?.count).toBe(2);
      expect(after.body?.ticks[0].timestamp).toBe((base + 60_000) / 1000);
      expect(
        after.body?.ticks.map(({ timestamp, open, high, low, close, volume }) => ({
          timestamp,
          open,
          high,
          low,
          close,
          volume,
        })),
      ).toEqual(await stored(symbol));
      const graphql = await gql(api.url, gqlQuery, { s: symbol });
      expect(graphql.body.data?.recentTicks).toHaveLength(2);
      expect(commits.commits).toBeGreaterThan(commitsBefore);
    });

    it('a correction and a late second rewrite a stored minute: the next read sees the new row', async () => {
      const symbol = randomSymbol('C');
      ingest.pipeline.handleTicks([tick(symbol, base + 5_000, 20)]);
      await flush();
      const before = await rest(symbol);
      expect(before.body?.ticks[0].high).toBe(20.5);

      // A later second of the same minute, with a higher high: the stored row is merged.
      ingest.pipeline.handleTicks([tick(symbol, base + 30_000, 25, 50)]);
      await flush();
      const merged = await rest(symbol);
      expect(merged.body?.ticks[0]).toMatchObject({ high: 25.5, close: 25.25, volume: 150 });
      expect(merged.body?.ticks.map(({ symbol: _s, ...t }) => t)).toEqual(await stored(symbol));

      // The same second re-broadcast with different values (a correction), whatever the writer
      // makes of it: the read equals what the database holds after the commit.
      ingest.pipeline.handleTicks([tick(symbol, base + 30_000, 26, 70)]);
      await ingest.writer.flushNow();
      const corrected = await rest(symbol);
      expect(corrected.body?.ticks.map(({ symbol: _s, ...t }) => t)).toEqual(await stored(symbol));
    });

    it('a backfill replace (authoritative whole minutes) is seen by the next read', async () => {
      const symbol = randomSymbol('B');
      ingest.pipeline.handleTicks([tick(symbol, base + 120_000, 30)]);
      await flush();
      expect((await rest(symbol)).body?.ticks[0].close).toBe(30.25);
      await ingest.writer.writeRestBars(
        [
          {
            symbol,
            minuteStartMs: base + 120_000,
            open: 31,
            high: 33,
            low: 29,
            close: 32,
            volume: 999,
            vwap: 31.5,
          },
          {
            symbol,
            minuteStartMs: base + 180_000,
            open: 32,
            high: 34,
            low: 31,
            close: 33,
            volume: 5,
            vwap: null,
          },
        ],
        'final',
      );
      const after = await rest(symbol);
      expect(after.body?.ticks).toEqual([
        expect.objectContaining({ timestamp: (base + 180_000) / 1000, close: 33, volume: 5 }),
        expect.objectContaining({ timestamp: (base + 120_000) / 1000, close: 32, volume: 999 }),
      ]);
    });

    it('a retention delete run through the commit port is seen by the next read', async () => {
      const symbol = randomSymbol('R');
      ingest.pipeline.handleTicks([tick(symbol, base, 40), tick(symbol, base + 60_000, 41)]);
      await flush();
      expect((await rest(symbol)).body?.count).toBe(2);
      await commits.around([symbol], () =>
        db.dataSource.query(`DELETE FROM ohlcv_1min WHERE symbol = $1 AND "timestamp" < $2`, [
          symbol,
          new Date(base + 60_000),
        ]),
      );
      const after = await rest(symbol);
      expect(after.body?.count).toBe(1);
      expect(after.body?.ticks[0].timestamp).toBe((base + 60_000) / 1000);
    });

    it('a write of one symbol leaves the cached answers of others valid', async () => {
      const [a, b] = [randomSymbol('A'), randomSymbol('O')];
      ingest.pipeline.handleTicks([tick(a, base, 50), tick(b, base, 60)]);
      await flush();
      const tagB = (await rest(b)).etag;
      ingest.pipeline.handleTicks([tick(a, base + 60_000, 51)]);
      await flush();
      expect((await rest(b, { 'if-none-match': tagB! })).status).toBe(304);
      expect((await rest(a)).body?.count).toBe(2);
    });

    it('concurrent reads during a flush see the whole state before it or the whole state after it', async () => {
      const symbol = randomSymbol('T');
      const minutes = [0, 1, 2, 3].map((m) => base + 240_000 + m * 60_000);
      ingest.pipeline.handleTicks(minutes.map((ms) => tick(symbol, ms, 70)));
      await flush();
      let previous = (await rest(symbol)).text;
      for (let round = 0; round < 5; round++) {
        // One flush changes all four minutes; reads fire before, during and after it.
        ingest.pipeline.handleTicks(
          minutes.map((ms) => tick(symbol, ms + 10_000 + round * 1000, 80 + round, 10)),
        );
        const reads: Promise<string>[] = [];
        let committed = false;
        const flushing = ingest.writer.flushNow().then(() => {
          committed = true;
        });
        while (!committed) {
          reads.push(rest(symbol).then((r) => r.text));
          await new Promise((resolve) => setImmediate(resolve));
        }
        await flushing;
        const afterState = await rest(symbol);
        const seen = await Promise.all(reads);
        for (const text of seen) {
          expect([previous, afterState.text]).toContain(text);
          const body = JSON.parse(text) as LegacyBody;
          // Never torn: the four minutes of one answer all come from the same flush.
          expect(new Set(body.ticks.map((t) => t.high)).size).toBe(1);
        }
        expect(afterState.body?.ticks.map(({ symbol: _s, ...t }) => t)).toEqual(
          await stored(symbol),
        );
        expect(afterState.text).not.toBe(previous);
        previous = afterState.text;
      }
    });
  },
);

describe.each(testDatabaseKinds())(
  'read cache: pattern inserts invalidate exactly (%s)',
  (kind) => {
    const commits = new CommitGenerations();
    const { db, api } = useTestApi(kind, { api: { commits } });
    let patterns: PatternModule;
    beforeAll(() => {
      patterns = createPatternModule({
        dataSource: db.dataSource,
        events: null,
        config: { redisUrl: null, patternChannel: 'unused' },
        logger: createQuietLogger(),
        commits,
      });
    });
    afterAll(() => patterns.stop());

    const query = `query($s: String) { patterns(symbol: $s, limit: 20) { symbol pattern } }`;
    const count = async (symbol: string | null) =>
      ((await gql(api.url, query, { s: symbol })).body.data?.patterns as unknown[]).length;

    it('a poll right after the sink writes returns the new pattern, by symbol and unfiltered', async () => {
      const symbol = randomSymbol('P');
      await insertSymbols(db.dataSource, [{ symbol }]);
      patterns.sink.accept(makePatternEvent(1, { symbol }));
      await patterns.drain();
      expect(await count(symbol)).toBe(1);
      const all = await count(null);
      expect(await count(symbol)).toBe(1); // cached
      patterns.sink.accept(makePatternEvent(2, { symbol }));
      await patterns.drain();
      expect(await count(symbol)).toBe(2);
      expect(await count(null)).toBe(all + 1);
    });
  },
);
