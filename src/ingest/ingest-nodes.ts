import type { TickData } from '../domain/tick';
import { RateLimitedLog, type Logger } from '../logger';
import { MinuteBarAggregator, type AggregatorOptions } from './bars/aggregator';
import type { BarWriterOptions } from './bars/writer';
import type { GapFiller } from './gap-filler';
import type {
  IngestBackfill,
  IngestBarStore,
  IngestFeed,
  IngestOptions,
  IngestSinks,
} from './ingest-options';
import { MassiveBackfillClient } from './massive/backfill-client';
import type { FeedListener } from './massive/feed-listener';
import { MassivePool } from './massive/pool';
import { createPipeline, type Pipeline } from './pipeline';
import type { IngestStats } from './stats';
/**
 * The pieces createIngest wires together: each builds one node of the ingest graph from its
 * ports. Kept apart so create-ingest.ts reads as the graph itself.
 */
export function newAggregator(
  sinks: IngestSinks,
  log: RateLimitedLog,
  correctionWindowMs: number,
  onRecheck: AggregatorOptions['onRecheck'],
): MinuteBarAggregator {
  const aggregator = new MinuteBarAggregator({
    correctionWindowMs,
    ...(onRecheck ? { onRecheck } : {}),
    onListenerError: (error, bar) =>
      log.warn(
        'bar-closed-listener',
        { err: error, symbol: bar.symbol, minuteStartMs: bar.minuteStartMs },
        'bar-closed listener threw; the bar was still built and written',
      ),
  });
  for (const listener of sinks.barClosedListeners ?? []) aggregator.addBarClosedListener(listener);
  return aggregator;
}

export function newPipeline(
  stats: IngestStats,
  aggregator: MinuteBarAggregator,
  sinks: IngestSinks,
  log: RateLimitedLog,
): Pipeline {
  return createPipeline({
    stats,
    aggregator,
    tickListeners: sinks.tickListeners,
    onListenerError: (error, tick) =>
      log.warn(
        'tick-listener',
        { err: error, symbol: tick.symbol, startMs: tick.startMs },
        'tick listener threw; the tick was still counted and aggregated',
      ),
  });
}

/** What every socket reports: frames into stats and the pipeline, gaps to the gap filler. */
export function feedListener(
  stats: IngestStats,
  frameTicks: (ticks: readonly TickData[]) => void,
  gapFiller: GapFiller | null,
  logger: Logger,
  recheckBefore: (symbol: string, fromMs: number) => void,
): FeedListener {
  return {
    frame(frame) {
      stats.countFrame(frame.dataCount, frame.rejects);
      if (frame.events.length > 0) frameTicks(frame.events);
    },
    gap(gap) {
      if (gapFiller === null) return;
      for (const symbol of gap.symbols) {
        gapFiller.enqueue({ symbol, fromMs: gap.fromMs, toMs: gap.toMs });
        recheckBefore(symbol, gap.fromMs);
      }
    },
    // The socket itself logs its fatal error once, at error level; status, /readyz and the
    // dashboard show it from there.
    fatal: (error) => logger.debug({ err: error }, 'feed socket stopped for good'),
  };
}

/** The newest stored minute per symbol of the feed's universe (every symbol for `*` or no feed). */
export function newestStored(store: IngestBarStore, feed: IngestFeed | undefined) {
  const symbols = feed === undefined || feed.symbols[0] === '*' ? undefined : feed.symbols;
  return store.latestMinutePerSymbol(symbols);
}

/**
 * Feed time while the feed flows (a feed replayed behind the wall clock stays consistent with
 * its own REST), the wall clock once it has been quiet for a while (Massive after the close).
 */
export function feedClock(stats: IngestStats): number {
  const quiet = Date.now() - stats.lastTickReceivedAtMs > FEED_QUIET_MS;
  return stats.lastTickEndMs === 0 || quiet ? Date.now() : stats.lastTickEndMs;
}

const FEED_QUIET_MS = 30_000;

export function maxValue(map: ReadonlyMap<string, number>): number {
  let max = -Infinity;
  for (const value of map.values()) if (value > max) max = value;
  return max;
}

export function writerOptions(
  options: IngestOptions,
  source: BarWriterOptions['source'],
): BarWriterOptions {
  const { store, logger, tuning, sinks = {} } = options;
  return {
    source,
    store,
    logger: logger.child({ component: 'bar-writer' }),
    flushIntervalMs: tuning.flushIntervalMs,
    flushBatchSize: tuning.flushBatchSize,
    // Absent, not undefined: the writer's own defaults apply.
    ...(tuning.retryInitialMs === undefined ? {} : { retryInitialMs: tuning.retryInitialMs }),
    ...(tuning.retryMaxMs === undefined ? {} : { retryMaxMs: tuning.retryMaxMs }),
    ...(sinks.barsStored === undefined ? {} : { onFlushed: sinks.barsStored }),
    ...(sinks.flushLatency === undefined ? {} : { onFlushLatency: sinks.flushLatency }),
  };
}

export function newBackfillClient(backfill: IngestBackfill, logger: Logger): MassiveBackfillClient {
  return new MassiveBackfillClient({
    restUrl: backfill.restUrl,
    apiKey: backfill.apiKey,
    source: backfill.source,
    maxFutureMs: backfill.maxFutureMs,
    logger,
  });
}

export function newPool(feed: IngestFeed, listener: FeedListener, logger: Logger): MassivePool {
  return new MassivePool({
    url: feed.wsUrl,
    apiKey: feed.apiKey,
    symbols: feed.symbols,
    connections: feed.connections,
    source: feed.source,
    maxFutureMs: feed.maxFutureMs,
    noDataTimeoutMs: feed.noDataTimeoutMs,
    pingIntervalMs: feed.pingIntervalMs,
    evictionLimit: feed.evictionLimit,
    evictionWindowMs: feed.evictionWindowMs,
    maxConnectionsBackoffMs: feed.maxConnectionsBackoffMs,
    logger,
    listener,
  });
}
