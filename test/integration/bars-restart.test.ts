import { minuteStart, type MinuteBar } from '../../src/domain/minute-bar';
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
const SYMBOLS = ['AAPL', 'MSFT', 'NVDA', 'AMZN', 'GOOGL'];

describe.each(testDatabaseKinds())('restart mid-minute on %s', (kind) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(kind);
  });
  afterAll(async () => db?.drop());
  beforeEach(async () => {
    await db.dataSource.query('TRUNCATE ohlcv_1min, symbols CASCADE');
  });

  // 14:30:10 → 14:31:50; the restart falls around 14:30:55, in the middle of a minute.
  const ticks = recordedStream({
    symbols: SYMBOLS,
    startMs: T0 + 10_000,
    seconds: 100,
    seed: 21,
    shuffleWindow: 20,
  });
  const cut = Math.floor(ticks.length * 0.45);

  it('merges two lifetimes writing the same minutes, even when the feed re-delivers seconds', async () => {
    const one = await startBarLifetime(db.dataSource);
    await feedInFrames(one.pipeline, ticks.slice(0, cut));
    await one.writer.drain();
    one.writer.stop();
    const afterOne = await readStoredBars(db.dataSource);
    expect(afterOne.size).toBeGreaterThan(0);

    // The second lifetime knows only what the database holds. Its feed first re-delivers the
    // last 40 events the first lifetime had already counted, mixed into its first frames.
    const two = await startBarLifetime(db.dataSource, { seedFromDatabase: true });
    const closed: MinuteBar[] = [];
    two.aggregator.addBarClosedListener((bar) => closed.push(bar));
    await feedInFrames(two.pipeline, [...ticks.slice(cut - 40, cut), ...ticks.slice(cut)], 60);
    two.aggregator.closeThrough(Infinity);
    await two.writer.drain();
    two.writer.stop();

    const expected = rollUp(ticks.map(fromTick));
    expect(diffBars(await readStoredBars(db.dataSource), expected)).toEqual([]);
    expect(two.writer.status()).toMatchObject({ conflicts: 0, backlog: 0 });
    // Each re-delivered second was either recognised in memory (identical) or, when it was part
    // of a stored row, handed to the REST re-check (no REST here: the row stays as stored).
    const { duplicatesDropped, correctionsDeferred } = two.aggregator.status();
    expect(duplicatesDropped + correctionsDeferred).toBeGreaterThanOrEqual(40);

    // The restart minute was announced whole: the first lifetime's seconds included.
    const restartMinute = minuteStart(ticks[cut].startMs);
    for (const symbol of SYMBOLS) {
      const want = expected.get(barKey(symbol, restartMinute))!;
      const got = closed.find((b) => b.symbol === symbol && b.minuteStartMs === restartMinute);
      expect(got && [got.open, got.high, got.low, got.close, got.volume]).toEqual([
        want.open,
        want.high,
        want.low,
        want.close,
        want.volume,
      ]);
    }
  });

  it('without the seed horizon, a re-delivered second coalesced with new ones is reported as a conflict', async () => {
    const one = await startBarLifetime(db.dataSource);
    one.pipeline.handleTicks(ticks.slice(0, cut));
    await one.writer.drain();
    one.writer.stop();
    const two = await startBarLifetime(db.dataSource, { flushIntervalMs: 60_000 });
    two.pipeline.handleTicks([...ticks.slice(cut - 40, cut), ...ticks.slice(cut)]);
    await two.writer.drain();
    two.writer.stop();
    // This is why the composition root must call aggregator.setSeedThrough() at start-up.
    expect(two.writer.status().conflicts).toBeGreaterThan(0);
    expect(diffBars(await readStoredBars(db.dataSource), rollUp(ticks.map(fromTick)))).not.toEqual(
      [],
    );
  });
});
