import { createAppEvents } from '../../src/events/app-events';
import { type PatternEvent } from '../../src/domain/pattern-event';
import { createQuietLogger } from '../../src/logger';
import { PatternEngine } from '../../src/patterns/engine';
import { PatternSink, type PatternWriter } from '../../src/patterns/sink';
import { PatternRepository } from '../../src/repositories/pattern.repository';
import { type PersistedPatternEvent } from '../../src/domain/pattern-event';
import { feedEngine } from '../../testkit/engine-feed';
import { syntheticTicks } from '../../testkit/synthetic-ticks';
import { waitFor } from '../../testkit/wait';
import { readPatternRows, type PatternRow } from '../helpers/pattern-rows';
import { makePatternEvent, T0 } from '../helpers/patterns-factories';
import { collect, patternKey } from '../helpers/patterns-stream';
import {
  createTestDatabase,
  testDatabaseKinds,
  type TestDatabase,
} from '../helpers/test-databases';

/** The table keyed like the sink's uniqueness rule, read independently of the repository. */
async function readRows(db: TestDatabase): Promise<Map<string, PatternRow>> {
  const rows = await readPatternRows(db.dataSource);
  return new Map(rows.map((r) => [`${r.symbol}|${r.pattern}|${r.ts}`, r]));
}

const logger = createQuietLogger();

describe.each(testDatabaseKinds())('pattern sink and repository on %s', (kind) => {
  let db: TestDatabase;
  let repository: PatternRepository;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    repository = new PatternRepository(db.dataSource);
  });
  afterAll(async () => {
    await db?.drop();
  });
  beforeEach(async () => {
    await db.dataSource.query('TRUNCATE patterns');
  });

  it('persists what the engine finds on a generated stream, value by value, and publishes exactly the new rows', async () => {
    const events = createAppEvents();
    const published = collect<PersistedPatternEvent>(
      events.subscribe('patternsDetected') as AsyncIterableIterator<PersistedPatternEvent[]>,
      true,
    );
    const sink = new PatternSink({
      writer: repository,
      events,
      logger,
      batchSize: 100,
      flushIntervalMs: 20,
    });
    const emitted: PatternEvent[] = [];
    const engine = new PatternEngine({ sink: (e) => (emitted.push(e), sink.accept(e)) });
    sink.start();
    const bars = feedEngine(
      engine,
      syntheticTicks({ symbols: 25, seconds: 720, seed: 11, startMs: T0 }),
    );
    await sink.drain();
    await waitFor(() => published.items.length >= emitted.length, 'bus events');
    await published.stop();
    await sink.stop();

    expect(bars.length).toBeGreaterThan(200);
    expect(emitted.length).toBeGreaterThan(100);
    const kinds = new Set(emitted.map((e) => e.pattern));
    expect(kinds.size).toBeGreaterThanOrEqual(5);

    const rows = await readRows(db);
    expect(rows.size).toBe(emitted.length);
    for (const e of emitted) {
      const row = rows.get(patternKey(e));
      expect(row).toBeDefined();
      expect(row!.direction).toBe(e.direction);
      expect(row!.confidence).toBeCloseTo(Math.fround(e.confidence), 6);
      expect(row!.price).toBe(String(e.price));
      expect(row!.price_change).toBeCloseTo(Math.fround(e.priceChange), 4);
      expect(Number(row!.expires)).toBe(e.expiresAt.getTime());
      expect(
        typeof row!.indicators === 'string' ? JSON.parse(row!.indicators) : row!.indicators,
      ).toEqual(e.indicators);
      expect(row!.source).toBe('tickstock');
    }

    expect(published.items.map(patternKey).sort()).toEqual(emitted.map(patternKey).sort());
    for (const p of published.items) expect(rows.get(patternKey(p))!.id).toBe(p.id);
    expect(sink.status()).toMatchObject({
      accepted: emitted.length,
      persisted: emitted.length,
      queueDepth: 0,
      dropped: 0,
      writeFailures: 0,
    });
  });

  it('never touches the database on the tick path: accept() only enqueues', async () => {
    const sink = new PatternSink({ writer: repository, logger, batchSize: 5 });
    for (let i = 0; i < 12; i++) sink.accept(makePatternEvent(i));
    // Not started: nothing may have been written, however long we look.
    expect((await readRows(db)).size).toBe(0);
    expect(sink.status().queueDepth).toBe(12);
    await sink.drain();
    expect((await readRows(db)).size).toBe(12);
    expect(sink.status()).toMatchObject({ persisted: 12, queueDepth: 0 });
  });

  it('inserts a batch in one statement, skipping keys the table (or the batch) already has', async () => {
    const first = await repository.insertMany([makePatternEvent(1), makePatternEvent(2)]);
    expect(first.map((e) => e.id)).toEqual([expect.any(String), expect.any(String)]);
    const again = await repository.insertMany([
      makePatternEvent(2),
      makePatternEvent(3),
      makePatternEvent(3, { confidence: 0.9 }),
      makePatternEvent(1),
    ]);
    expect(again.map((e) => e.timestamp.getTime())).toEqual([T0 + 3000]);
    expect(again[0].confidence).toBe(0.5); // the first occurrence in the batch won
    expect((await readRows(db)).size).toBe(3);
  });

  it('does not re-publish rows the database already had (a restart re-detecting a bar)', async () => {
    await repository.insertMany([makePatternEvent(1), makePatternEvent(2)]);
    const events = createAppEvents();
    const published = collect<PersistedPatternEvent>(
      events.subscribe('patternsDetected') as AsyncIterableIterator<PersistedPatternEvent[]>,
      true,
    );
    const sink = new PatternSink({ writer: repository, events, logger });
    [1, 2, 3].forEach((i) => sink.accept(makePatternEvent(i)));
    await sink.drain();
    await waitFor(() => published.items.length >= 1, 'bus event');
    await published.stop();
    expect(published.items.map((e) => e.timestamp.getTime())).toEqual([T0 + 3000]);
    expect(sink.status()).toMatchObject({ persisted: 1, duplicates: 2 });
  });

  it('keeps one write in flight however fast events arrive', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    let calls = 0;
    const writer: PatternWriter = {
      insertMany: async (batch) => {
        calls++;
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        try {
          return await repository.insertMany(batch);
        } finally {
          inFlight--;
        }
      },
    };
    const sink = new PatternSink({ writer, logger, batchSize: 10, flushIntervalMs: 1 });
    sink.start();
    for (let i = 0; i < 500; i++) sink.accept(makePatternEvent(i));
    await waitFor(() => sink.status().persisted === 500, 'all 500 persisted');
    await sink.stop();
    expect(maxInFlight).toBe(1);
    expect(calls).toBeGreaterThanOrEqual(50);
    expect((await readRows(db)).size).toBe(500);
  });

  it('retries while the table is unavailable, bounded: drops the oldest, loses nothing it kept', async () => {
    const sink = new PatternSink({
      writer: repository,
      logger,
      batchSize: 20,
      maxQueue: 50,
      retryBaseMs: 5,
      retryMaxMs: 20,
    });
    await db.dataSource.query('ALTER TABLE patterns RENAME TO patterns_away');
    try {
      for (let i = 0; i < 200; i++) sink.accept(makePatternEvent(i));
      expect(sink.status()).toMatchObject({ queueDepth: 50, dropped: 150 });
      await sink.drain(300); // every attempt fails: a real "relation does not exist"
      expect(sink.status().writeFailures).toBeGreaterThanOrEqual(1);
      expect(sink.status().lastError).toMatch(/patterns/);
      expect(sink.status().queueDepth).toBe(50);
    } finally {
      await db.dataSource.query('ALTER TABLE patterns_away RENAME TO patterns');
    }
    await sink.drain();
    const rows = await readRows(db);
    expect(rows.size).toBe(50);
    // Drop-oldest: the newest 50 survived.
    for (let i = 150; i < 200; i++) expect(rows.has(patternKey(makePatternEvent(i)))).toBe(true);
    expect(sink.status()).toMatchObject({ persisted: 50, queueDepth: 0, dropped: 150 });
  });

  it('reads back newest first, filtered, and the latest N per symbol in one query', async () => {
    await repository.insertMany([
      makePatternEvent(1, { symbol: 'AAA', pattern: 'Doji' }),
      makePatternEvent(2, { symbol: 'AAA', pattern: 'Hammer' }),
      makePatternEvent(3, { symbol: 'BBB', pattern: 'Doji' }),
      makePatternEvent(4, { symbol: 'AAA', pattern: 'Doji' }),
    ]);
    const keys = (list: { symbol: string; pattern: string; timestamp: Date }[]) =>
      list.map((p) => `${p.symbol}:${p.pattern}:${(p.timestamp.getTime() - T0) / 1000}`);
    const all = await repository.findRecent({
      symbol: null,
      pattern: null,
      since: null,
      limit: 10,
    });
    expect(keys(all)).toEqual(['AAA:Doji:4', 'BBB:Doji:3', 'AAA:Hammer:2', 'AAA:Doji:1']);
    expect(all[0]).toMatchObject({
      price: 100.04,
      confidence: 0.5,
      indicators: { relativeVolume: 1.25, gapPercent: 2.5 },
    });
    expect(
      keys(await repository.findRecent({ symbol: 'AAA', pattern: 'Doji', since: null, limit: 10 })),
    ).toEqual(['AAA:Doji:4', 'AAA:Doji:1']);
    expect(
      keys(
        await repository.findRecent({
          symbol: null,
          pattern: null,
          since: new Date(T0 + 2000),
          limit: 2,
        }),
      ),
    ).toEqual(['AAA:Doji:4', 'BBB:Doji:3']);
    const latest = await repository.findLatestPerSymbol(['AAA', 'BBB', 'ZZZ'], 2);
    expect(keys(latest.get('AAA')!)).toEqual(['AAA:Doji:4', 'AAA:Hammer:2']);
    expect(keys(latest.get('BBB')!)).toEqual(['BBB:Doji:3']);
    expect(latest.get('ZZZ')).toEqual([]);
  });
});
