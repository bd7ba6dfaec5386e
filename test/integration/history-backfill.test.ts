import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newYorkMidnight } from '../../src/domain/new-york-clock';
import { HistoryBackfill, historyChunks } from '../../src/ingest/history/history-backfill';
import { MassiveBackfillClient } from '../../src/ingest/massive/backfill-client';
import type { SimAggregate } from '../../src/ingest/simulator/generator';
import { IDEAL_FEED, MassiveSimulator } from '../../src/ingest/simulator/massive-simulator';
import { createOhlcvRepository } from '../../src/repositories/ohlcv.repository';
import { fromSimAggregate, rollUp } from '../../testkit/bar-oracle';
import { diffBars, readStoredBars } from '../../testkit/stored-bars';
import { createTestDatabase, type TestDatabase } from '../helpers/test-databases';

const KEY = 'history-key';
const SYMBOLS = ['AAPL', 'MSFT'];
// 22:00 New York on 2025-11-03 → 02:00 on the 5th: three New York days with data.
const START = newYorkMidnight(2025, 11, 4) - 2 * 3_600_000;
const END = newYorkMidnight(2025, 11, 5) + 2 * 3_600_000;

describe('history backfill from the simulator REST endpoint into ohlcv_1min (PGlite)', () => {
  let sim: MassiveSimulator;
  let client: MassiveBackfillClient;
  let generated: SimAggregate[];
  let dir: string;

  beforeAll(async () => {
    generated = [];
    sim = new MassiveSimulator({
      clock: 'manual',
      startMs: START,
      symbols: SYMBOLS,
      symbolCount: SYMBOLS.length,
      eventsPerSecond: 2,
      apiKey: KEY,
      restPageSize: 500,
      retainMinutes: 2 * 24 * 60, // the REST side keeps the whole range
      ...IDEAL_FEED,
      onEventsGenerated: (events) => generated.push(...events),
    });
    const { restUrl } = await sim.start();
    sim.advance(END);
    client = new MassiveBackfillClient({ restUrl, apiKey: KEY, requestsPerSecond: 0 });
    dir = mkdtempSync(join(tmpdir(), 'tickstock-history-'));
  }, 120_000);

  afterAll(async () => {
    client.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const withDatabase = async (run: (db: TestDatabase) => Promise<void>) => {
    const db = await createTestDatabase('pglite');
    try {
      await run(db);
    } finally {
      await db.drop();
    }
  };
  const loader = (db: TestDatabase, state: string | null) =>
    new HistoryBackfill(
      {
        fetchMinuteBars: (s, f, t) => client.fetchMinuteBars(s, f, t),
        replaceMinuteBars: (b) => createOhlcvRepository(db.dataSource).replaceMinuteBars(b),
      },
      state,
    );
  const chunks = historyChunks(SYMBOLS, '2025-11-03', '2025-11-05');
  const expected = () => rollUp(generated.map(fromSimAggregate));

  it('loads every minute the feed produced (equal to the oracle), and a rerun changes nothing', async () => {
    await withDatabase(async (db) => {
      const state = join(dir, 'complete.json');
      const progress: number[] = [];
      const first = await loader(db, state).run(chunks, (p) => progress.push(p.done));
      expect(first).toMatchObject({ chunks: 6, fetched: 6, skipped: 0, interrupted: false });
      expect(progress).toEqual([1, 2, 3, 4, 5, 6]);
      const stored = await readStoredBars(db.dataSource);
      expect(stored.size).toBeGreaterThan(2 * 4 * 60 * 0.9);
      expect(diffBars(stored, expected(), { vwapTolerance: 1e-4 })).toEqual([]);

      const again = await loader(db, state).run(chunks);
      expect(again).toMatchObject({ fetched: 0, skipped: 6, bars: 0 });
      // Without the state file every day is fetched again and replaced: the same rows.
      const refetched = await loader(db, null).run(chunks);
      expect(refetched.fetched).toBe(6);
      expect(await readStoredBars(db.dataSource)).toEqual(stored);
    });
  });

  it('resumes after an interruption at the first day not yet loaded', async () => {
    await withDatabase(async (db) => {
      const state = join(dir, 'interrupted.json');
      const interrupted = loader(db, state);
      const first = await interrupted.run(chunks, (p) => {
        if (p.done === 2) interrupted.stop();
      });
      expect(first).toMatchObject({ fetched: 2, interrupted: true });
      const resumed = await loader(db, state).run(chunks);
      expect(resumed).toMatchObject({ fetched: 4, skipped: 2, interrupted: false });
      expect(
        diffBars(await readStoredBars(db.dataSource), expected(), { vwapTolerance: 1e-4 }),
      ).toEqual([]);
    });
  });
});
