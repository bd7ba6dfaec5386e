import { createIngest, type IngestBarStore } from '../../src/ingest/create-ingest';
import { captureLogger } from '../helpers/feed-fixtures';
import { recordedStream } from '../helpers/bars-stream';

const T0 = Date.UTC(2026, 2, 2, 14, 30, 0);

/** The writer is never started in these tests, so the store must never be reached. */
const UNREACHED: IngestBarStore = {
  upsertDeltas: () => Promise.reject(new Error('unexpected write')),
  readBarStates: () => Promise.reject(new Error('unexpected read')),
  writeRestBars: () => Promise.reject(new Error('unexpected REST write')),
  readBarRange: () => Promise.resolve([]),
  latestMinutePerSymbol: () => Promise.reject(new Error('unexpected seed read')),
};

describe('createIngest', () => {
  const ticks = recordedStream({ symbols: ['AAPL', 'MSFT'], startMs: T0, seconds: 150, seed: 5 });

  it('counts and logs (rate-limited) throwing tick and bar-closed listeners; bars are still built', async () => {
    const lines: string[] = [];
    const ingest = await createIngest({
      store: UNREACHED,
      logger: captureLogger(lines),
      tuning: { flushIntervalMs: 1_000, flushBatchSize: 100 },
      sinks: {
        tickListeners: [
          () => {
            throw new Error('tick listener boom');
          },
        ],
        barClosedListeners: [
          () => {
            throw new Error('bar listener boom');
          },
        ],
      },
      seedFromStore: false,
    });
    ingest.pipeline.handleTicks(ticks);

    const unique = new Set(ticks.map((t) => `${t.symbol}@${t.startMs}`)).size;
    expect(ingest.stats.ticksProcessed).toBe(ticks.length);
    expect(ingest.pipeline.status().listenerErrors).toBe(unique);
    expect(ingest.aggregator.status().secondsApplied).toBe(unique);
    const closed = ingest.aggregator.status().barsClosed;
    expect(closed).toBeGreaterThanOrEqual(2);
    expect(ingest.aggregator.status().listenerErrors).toBe(closed);

    const warnings = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const tickWarnings = warnings.filter((w) => String(w.msg).startsWith('tick listener threw'));
    const barWarnings = warnings.filter((w) => String(w.msg).startsWith('bar-closed listener'));
    // Once per 10 s per kind, however many calls threw; the error itself is in the line.
    expect(tickWarnings).toHaveLength(1);
    expect(barWarnings).toHaveLength(1);
    expect(JSON.stringify(tickWarnings[0].err)).toContain('tick listener boom');
    expect(JSON.stringify(barWarnings[0].err)).toContain('bar listener boom');
  });

  it('without a feed or backfill: no pool, empty connections, zero backfill, feed not live', async () => {
    const ingest = await createIngest({
      store: UNREACHED,
      logger: captureLogger([]),
      tuning: { flushIntervalMs: 1_000, flushBatchSize: 100 },
      seedFromStore: false,
    });
    expect(ingest.pool).toBeNull();
    expect(ingest.gapFiller).toBeNull();
    expect(ingest.feedLive()).toBe(false);
    expect(ingest.status()).toMatchObject({
      connections: [],
      backfill: { runs: 0, requests: 0, minutesFilled: 0, failures: 0, lastError: null },
      ingest: { ticksProcessed: 0 },
      writer: { backlog: 0, barsWritten: 0 },
    });
  });
});
