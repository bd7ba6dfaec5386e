import type { DataSource } from 'typeorm';
import type { StoredBar } from '../../src/domain/stored-bar';
import type { MinuteBarAggregator } from '../../src/ingest/bars/aggregator';
import type { BarWriter } from '../../src/ingest/bars/writer';
import { createIngest } from '../../src/ingest/create-ingest';
import type { Pipeline } from '../../src/ingest/pipeline';
import type { IngestStats } from '../../src/ingest/stats';
import type { TickData } from '../../src/domain/tick';
import { createQuietLogger } from '../../src/logger';
import { createOhlcvRepository } from '../../src/repositories/ohlcv.repository';

/** One process lifetime of the bar path: pipeline → aggregator → writer → repository. */
export interface BarLifetime {
  stats: IngestStats;
  aggregator: MinuteBarAggregator;
  pipeline: Pipeline;
  writer: BarWriter;
  /** Every onFlushed report, in order. */
  flushed: StoredBar[];
}

/**
 * Starts a lifetime of the app's ingest graph without a feed (the test drives the pipeline);
 * with `seedFromDatabase` it first seeds from the newest stored minutes, as the app does.
 */
export async function startBarLifetime(
  dataSource: DataSource,
  options: {
    flushIntervalMs?: number;
    flushBatchSize?: number;
    retryMaxMs?: number;
    seedFromDatabase?: boolean;
  } = {},
): Promise<BarLifetime> {
  const flushed: StoredBar[] = [];
  const ingest = await createIngest({
    store: createOhlcvRepository(dataSource),
    logger: createQuietLogger(),
    tuning: {
      flushIntervalMs: options.flushIntervalMs ?? 20,
      flushBatchSize: options.flushBatchSize ?? 50,
      retryInitialMs: 20,
      retryMaxMs: options.retryMaxMs ?? 200,
    },
    sinks: { barsStored: (bars) => flushed.push(...bars) },
    seedFromStore: options.seedFromDatabase ?? false,
  });
  ingest.start();
  const { stats, aggregator, pipeline, writer } = ingest;
  return { stats, aggregator, pipeline, writer, flushed };
}

/**
 * Feeds ticks in frames, yielding to the event loop between frames so the writer runs meanwhile;
 * `afterFrame` (e.g. a flush) makes the write pattern deterministic.
 */
export async function feedInFrames(
  pipeline: Pipeline,
  ticks: readonly TickData[],
  frame = 25,
  afterFrame?: () => Promise<unknown>,
): Promise<void> {
  for (let i = 0; i < ticks.length; i += frame) {
    pipeline.handleTicks(ticks.slice(i, i + frame));
    if (afterFrame) await afterFrame();
    await new Promise((resolve) => setImmediate(resolve));
  }
}
