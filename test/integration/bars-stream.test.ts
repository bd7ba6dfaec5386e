import type { StoredBar } from '../../src/domain/stored-bar';
import { barKey, fromTick, rollUp } from '../../testkit/bar-oracle';
import { diffBars, readStoredBars } from '../../testkit/stored-bars';
import { feedInFrames, startBarLifetime } from '../helpers/bars-harness';
import { recordedStream } from '../helpers/bars-stream';
import {
  createTestDatabase,
  testDatabaseKinds,
  type TestDatabase,
} from '../helpers/test-databases';

const T0 = Date.UTC(2026, 2, 2, 14, 30, 0);
const SYMBOLS = ['AAPL', 'MSFT', 'NVDA', 'AMZN', 'GOOGL', 'META', 'BRK.B', 'TSLA'];

describe.each(testDatabaseKinds())('recorded stream → pipeline → writer → %s', (kind) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(kind);
  });
  afterAll(async () => db?.drop());

  it('stores exactly the independent roll-up, value by value', async () => {
    // Starts mid-minute and spans four minute boundaries; ~5 % duplicates, delivery reordered
    // within windows of ~5 seconds, so earlier seconds of a bar often arrive in a later flush.
    const ticks = recordedStream({
      symbols: SYMBOLS,
      startMs: T0 + 37_000,
      seconds: 200,
      seed: 11,
      shuffleWindow: 40,
    });
    const expected = rollUp(ticks.map(fromTick));
    const life = await startBarLifetime(db.dataSource, { flushBatchSize: 7 });
    // First half: a flush after every small frame (deterministic partial merges); second half:
    // the timer and full batches decide (write-behind as in production).
    const half = Math.floor(ticks.length / 2);
    await feedInFrames(life.pipeline, ticks.slice(0, half), 10, () => life.writer.drain());
    await feedInFrames(life.pipeline, ticks.slice(half));
    await life.writer.drain();
    life.writer.stop();

    const stored = await readStoredBars(db.dataSource);
    expect(stored.size).toBe(expected.size);
    expect(diffBars(stored, expected)).toEqual([]);
    expect(life.stats.ticksProcessed).toBe(ticks.length);
    expect(life.aggregator.status().duplicatesDropped).toBeGreaterThan(0);

    // Bars were written in many partial flushes (write-behind), and the last report of each bar
    // carries the merged stored values.
    const status = life.writer.status();
    expect(status.flushes).toBeGreaterThan(expected.size / 7);
    expect(status.duplicatesIgnored).toBe(0);
    const lastReport = new Map<string, StoredBar>();
    for (const bar of life.flushed)
      lastReport.set(barKey(bar.symbol, bar.timestamp.getTime()), bar);
    expect(lastReport.size).toBe(expected.size);
    for (const [key, bar] of lastReport) {
      const want = expected.get(key)!;
      expect([bar.open, bar.high, bar.low, bar.close, bar.volume]).toEqual([
        String(want.open),
        String(want.high),
        String(want.low),
        String(want.close),
        want.volume,
      ]);
    }
    const symbols = await db.dataSource.query<{ symbol: string }[]>(
      'SELECT symbol FROM symbols ORDER BY symbol',
    );
    expect(symbols.map((r) => r.symbol)).toEqual([...SYMBOLS].sort());
  });
});
