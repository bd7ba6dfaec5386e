import type { DataSource } from 'typeorm';
import type { StoredBar } from '../../src/domain/stored-bar';
import { MinuteBarAggregator } from '../../src/ingest/bars/aggregator';
import { BarWriter } from '../../src/ingest/bars/writer';
import { createPipeline, type Pipeline } from '../../src/ingest/pipeline';
import { IngestStats } from '../../src/ingest/stats';
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
 * Starts a lifetime; with `seedFromDatabase` it first asks the database for its newest stored
 * minute, as the composition root does at start-up.
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
  const stats = new IngestStats();
  const aggregator = new MinuteBarAggregator();
  if (options.seedFromDatabase) {
    const latest = await createOhlcvRepository(dataSource).latestMinutePerSymbol();
    aggregator.setSeedThrough(Math.max(-Infinity, ...latest.values()));
  }
  const pipeline = createPipeline({ stats, aggregator });
  const flushed: StoredBar[] = [];
  const writer = new BarWriter({
    source: aggregator,
    store: createOhlcvRepository(dataSource),
    logger: createQuietLogger(),
    flushIntervalMs: options.flushIntervalMs ?? 20,
    flushBatchSize: options.flushBatchSize ?? 50,
    retryInitialMs: 20,
    retryMaxMs: options.retryMaxMs ?? 200,
    onFlushed: (bars) => flushed.push(...bars),
  });
  writer.start();
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
