import { Writable } from 'node:stream';
import pino from 'pino';
import type { StoredBar } from '../../src/domain/stored-bar';
import { MinuteBarAggregator } from '../../src/ingest/bars/aggregator';
import type { BarDelta, StoredBarState, UpsertDeltasResult } from '../../src/domain/bar-delta';
import type { MinuteBar } from '../../src/domain/minute-bar';
import { BarWriter, DrainTimeoutError, type ReplacingBarStore } from '../../src/ingest/bars/writer';
import type { TickData } from '../../src/domain/tick';
import { secondTick } from '../../testkit/ticks';
import { waitFor } from '../../testkit/wait';

/**
 * The writer's control logic (batching, retry-as-is, backoff, bisecting bad data, drain) against
 * a scripted store. The real SQL merge is exercised on real databases in test/integration.
 */
class ScriptedStore implements ReplacingBarStore {
  readonly calls: BarDelta[][] = [];
  failuresLeft = 0;
  failWith: (batch: readonly BarDelta[]) => Error | null = () => null;

  async upsertDeltas(deltas: readonly BarDelta[]): Promise<UpsertDeltasResult> {
    this.calls.push(deltas.map((d) => ({ ...d })));
    const planned = this.failWith(deltas);
    if (planned) throw planned;
    if (this.failuresLeft > 0) {
      this.failuresLeft--;
      throw Object.assign(new Error('connection terminated'), { code: 'ECONNRESET' });
    }
    return { stored: deltas.map(toStored), ignored: 0, conflicts: 0, refused: [] };
  }

  async readBarStates(): Promise<StoredBarState[]> {
    return [];
  }

  async writeRestBars(bars: readonly MinuteBar[]): Promise<StoredBar[]> {
    return bars.map((b) =>
      toStored({ ...b, openSecond: 0, closeSecond: 59, maskLo: 1, maskHi: 1 }),
    );
  }
}

const toStored = (d: BarDelta): StoredBar => ({
  symbol: d.symbol,
  timestamp: new Date(d.minuteStartMs),
  open: String(d.open),
  high: String(d.high),
  low: String(d.low),
  close: String(d.close),
  volume: d.volume,
  vwap: null,
});

const T0 = Date.UTC(2026, 2, 2, 14, 30, 0);
function tick(symbol: string, second: number, volume = 1): TickData {
  const startMs = T0 + second * 1000;
  return secondTick({
    symbol,
    startMs,
    open: 1,
    high: 2,
    low: 1,
    close: 2,
    volume,
    receivedAtMs: startMs,
  });
}

function harness(options: { batchSize?: number; intervalMs?: number } = {}) {
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const aggregator = new MinuteBarAggregator();
  const store = new ScriptedStore();
  const flushed: StoredBar[] = [];
  const latencies: number[] = [];
  const writer = new BarWriter({
    source: aggregator,
    store,
    logger: pino({ level: 'info' }, sink),
    flushIntervalMs: options.intervalMs ?? 10,
    flushBatchSize: options.batchSize ?? 100,
    retryInitialMs: 5,
    retryMaxMs: 20,
    onFlushed: (bars) => flushed.push(...bars),
    onFlushLatency: (ms) => latencies.push(ms),
  });
  return { aggregator, store, writer, flushed, latencies, logs };
}

describe('BarWriter', () => {
  it('flushes dirty bars on its interval and reports them', async () => {
    const h = harness();
    h.writer.start();
    h.aggregator.apply(tick('AAPL', 1, 5));
    h.aggregator.apply(tick('MSFT', 2, 7));
    await waitFor(() => h.flushed.length === 2, 'two bars flushed');
    h.writer.stop();
    expect(h.flushed.map((b) => [b.symbol, b.volume]).sort()).toEqual([
      ['AAPL', 5],
      ['MSFT', 7],
    ]);
    const status = h.writer.status();
    expect(status).toMatchObject({ barsWritten: 2, backlog: 0, flushFailures: 0 });
    expect(status.flushes).toBeGreaterThanOrEqual(1);
    expect(h.latencies.length).toBe(status.flushes);
    expect(status.flushLatencyMs.p99).toBeGreaterThanOrEqual(status.flushLatencyMs.p50);
  });

  it('writes a full batch at once instead of waiting for the interval', async () => {
    const h = harness({ batchSize: 3, intervalMs: 60_000 });
    h.writer.start();
    for (const s of ['A', 'B', 'C', 'D']) h.aggregator.apply(tick(s, 1));
    await waitFor(() => h.store.calls.length >= 1, 'the full batch to be written');
    expect(h.store.calls[0].map((d) => d.symbol)).toEqual(['A', 'B', 'C']);
    expect(h.aggregator.dirtyCount).toBe(1); // below a batch: waits for the (long) interval
    h.writer.stop();
  });

  it('retries a failed batch as-is, before newer deltas, which keep coalescing; logs once per streak', async () => {
    const h = harness();
    h.store.failuresLeft = 3;
    h.aggregator.apply(tick('AAPL', 1, 10));
    h.writer.start();
    await waitFor(() => h.store.calls.length >= 2, 'the first retry');
    // Newer seconds of the same bar arrive during the outage.
    h.aggregator.apply(tick('AAPL', 2, 20));
    h.aggregator.apply(tick('AAPL', 3, 30));
    await waitFor(() => h.flushed.length >= 2, 'recovery');
    h.writer.stop();
    const calls = h.store.calls;
    expect(calls.slice(0, 4)).toEqual([calls[0], calls[0], calls[0], calls[0]]); // same batch 4 times
    expect(calls[0]).toEqual([
      expect.objectContaining({ symbol: 'AAPL', volume: 10, openSecond: 1, closeSecond: 1 }),
    ]);
    // The newer seconds were coalesced into one delta, written after the retried batch.
    expect(calls[4]).toEqual([
      expect.objectContaining({ volume: 50, openSecond: 2, closeSecond: 3 }),
    ]);
    const errors = h.logs.filter((l) => l.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ batch: 1 });
    expect(h.logs.some((l) => l.msg === 'bar writes recovered' && l.failures === 3)).toBe(true);
    expect(h.writer.status()).toMatchObject({ flushFailures: 3, barsWritten: 2, backlog: 0 });
  });

  it('isolates a delta the database rejects as bad data and writes the rest', async () => {
    const h = harness();
    h.store.failWith = (batch) =>
      batch.some((d) => d.symbol === 'BAD')
        ? Object.assign(new Error('check violation'), { code: '23514', permanent: true })
        : null;
    for (const s of ['A', 'B', 'BAD', 'C', 'D']) h.aggregator.apply(tick(s, 1));
    await h.writer.drain();
    expect(h.flushed.map((b) => b.symbol).sort()).toEqual(['A', 'B', 'C', 'D']);
    expect(h.writer.status()).toMatchObject({ rejected: 1, backlog: 0 });
    expect(h.logs.some((l) => l.msg === 'bar delta rejected by the database, dropped')).toBe(true);
  });

  it('drain() writes everything through failures, and times out while the store stays down', async () => {
    const h = harness();
    for (let s = 0; s < 50; s++) h.aggregator.apply(tick(`S${s}`, 1));
    h.store.failuresLeft = 2;
    await h.writer.drain();
    expect(h.flushed).toHaveLength(50);
    expect(h.writer.backlog).toBe(0);

    h.aggregator.apply(tick('LATE', 1));
    h.store.failuresLeft = Infinity;
    await expect(h.writer.drain({ timeoutMs: 100 })).rejects.toBeInstanceOf(DrainTimeoutError);
    expect(h.writer.backlog).toBe(1); // kept, not dropped
  });

  it('serialises REST writes with flushes and reports the stored rows', async () => {
    const h = harness();
    const stored = await h.writer.writeRestBars(
      [
        {
          symbol: 'AAPL',
          minuteStartMs: T0,
          open: 1,
          high: 2,
          low: 1,
          close: 2,
          volume: 60,
          vwap: null,
        },
      ],
      'prompt',
    );
    expect(stored).toHaveLength(1);
    expect(h.flushed).toEqual(stored);
    expect(h.writer.status()).toMatchObject({ barsReplaced: 1, barsWritten: 1 });
  });
});
