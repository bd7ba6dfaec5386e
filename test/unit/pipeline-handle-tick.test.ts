import { performance } from 'node:perf_hooks';
import { MinuteBarAggregator } from '../../src/ingest/bars/aggregator';
import { createPipeline } from '../../src/ingest/pipeline';
import { IngestStats } from '../../src/ingest/stats';
import type { TickData } from '../../src/domain/tick';
import { recordedStream } from '../helpers/bars-stream';

const T0 = Date.UTC(2026, 2, 2, 14, 30, 0);

describe('handleTick', () => {
  const ticks = recordedStream({
    symbols: ['AAPL', 'MSFT', 'NVDA'],
    startMs: T0,
    seconds: 130,
    seed: 3,
  });

  it('updates stats, the aggregator and listeners synchronously (no awaits)', () => {
    const stats = new IngestStats();
    const aggregator = new MinuteBarAggregator();
    const seen: TickData[] = [];
    const pipeline = createPipeline({ stats, aggregator, tickListeners: [(t) => seen.push(t)] });
    pipeline.handleTick(ticks[0]);
    // Visible right after the call returns: nothing was deferred.
    expect(stats.ticksProcessed).toBe(1);
    expect(stats.lastTickEndMs).toBe(ticks[0].endMs);
    expect(stats.lastTickReceivedAtMs).toBe(ticks[0].receivedAtMs);
    expect(aggregator.dirtyCount).toBe(1);
    expect(seen).toEqual([ticks[0]]);
  });

  it('counts every tick, keeps the newest feed time, and passes listeners only ticks that counted', () => {
    const stats = new IngestStats();
    const aggregator = new MinuteBarAggregator();
    const seen: TickData[] = [];
    const pipeline = createPipeline({ stats, aggregator });
    pipeline.addTickListener((t) => seen.push(t));
    pipeline.handleTicks(ticks);
    const unique = new Set(ticks.map((t) => `${t.symbol}@${t.startMs}`)).size;
    expect(ticks.length).toBeGreaterThan(unique); // the stream has duplicates
    expect(stats.ticksProcessed).toBe(ticks.length);
    expect(seen).toHaveLength(unique);
    expect(aggregator.status().duplicatesDropped).toBe(ticks.length - unique);
    expect(stats.lastTickEndMs).toBe(Math.max(...ticks.map((t) => t.endMs)));
  });

  it('keeps aggregating when a tick listener throws', () => {
    const stats = new IngestStats();
    const aggregator = new MinuteBarAggregator();
    const errors: unknown[] = [];
    const pipeline = createPipeline({
      stats,
      aggregator,
      tickListeners: [
        () => {
          throw new Error('boom');
        },
      ],
      onListenerError: (e) => errors.push(e),
    });
    pipeline.handleTicks(ticks.slice(0, 10));
    expect(stats.ticksProcessed).toBe(10);
    expect(errors.length).toBeGreaterThan(0);
    expect(aggregator.status().secondsApplied).toBe(errors.length);
    expect(pipeline.status().listenerErrors).toBe(errors.length);
  });

  it('measures handleTick latency (reported, not asserted)', () => {
    const symbols = Array.from({ length: 1000 }, (_, i) => `S${i}`);
    const stream = recordedStream({ symbols, startMs: T0, seconds: 30, seed: 9, shuffleWindow: 4 });
    const pipeline = createPipeline({
      stats: new IngestStats(),
      aggregator: new MinuteBarAggregator(),
    });
    const samples = new Float64Array(stream.length);
    for (let i = 0; i < stream.length; i++) {
      const t0 = performance.now();
      pipeline.handleTick(stream[i]);
      samples[i] = performance.now() - t0;
    }
    samples.sort();
    const p = (q: number) => (samples[Math.floor(q * (samples.length - 1))] * 1000).toFixed(2);
    console.log(`handleTick over ${stream.length} ticks: p50 ${p(0.5)} µs, p99 ${p(0.99)} µs`);
    expect(samples.length).toBe(stream.length);
  });
});
