import type { BackfillStatus, IngestStatusSnapshot } from '../domain/status';
import type { TickData } from '../domain/tick';
import { RateLimitedLog, type Logger } from '../logger';
import { MinuteBarAggregator } from './bars/aggregator';
import { BarWriter, type BarWriterOptions } from './bars/writer';
import { GapFiller } from './gap-filler';
import type { IngestBackfill, IngestBarStore, IngestFeed, IngestOptions } from './ingest-options';
import { MassiveBackfillClient } from './massive/backfill-client';
import type { FeedListener } from './massive/feed-listener';
import { MassivePool } from './massive/pool';
import { createPipeline, type Pipeline } from './pipeline';
import { IngestStats } from './stats';

export type {
  IngestBackfill,
  IngestBarStore,
  IngestFeed,
  IngestOptions,
  IngestProbe,
  IngestSinks,
  IngestTuning,
} from './ingest-options';

/** The ingest part of the status snapshot. */
export type IngestStatus = Pick<
  IngestStatusSnapshot,
  'ingest' | 'connections' | 'writer' | 'backfill'
>;

/** The ingest graph: socket → pipeline → (aggregator → writer → store) and the gap path. */
export interface Ingest {
  readonly stats: IngestStats;
  readonly aggregator: MinuteBarAggregator;
  readonly pipeline: Pipeline;
  readonly writer: BarWriter;
  /** null without a feed. */
  readonly pool: MassivePool | null;
  /** null without a backfill endpoint. */
  readonly backfillClient: MassiveBackfillClient | null;
  readonly gapFiller: GapFiller | null;
  /** Starts the writer, the gap filler and the sockets, in that order. */
  start(): void;
  /**
   * The SIGTERM path: closes the sockets, fills the gaps that can be filled, writes every
   * pending bar (DrainTimeoutError after `drainTimeoutMs`), then stops the writer and the
   * backfill client. Idempotent: later calls return the first call's promise.
   */
  stop(options?: { drainTimeoutMs?: number }): Promise<void>;
  status(): IngestStatus;
  /** True when every feed socket is live (false without a feed). */
  feedLive(): boolean;
}

const NO_BACKFILL: Readonly<BackfillStatus> = Object.freeze({
  runs: 0,
  requests: 0,
  minutesFilled: 0,
  failures: 0,
  lastRunAt: null,
  lastError: null,
});

/** Builds the ingest graph from ports. The only place that wires it, for the app, benches and tests. */
export async function createIngest(options: IngestOptions): Promise<Ingest> {
  const { store, logger, sinks = {}, feed, backfill, probe } = options;
  const stats = new IngestStats();
  const listenerLog = new RateLimitedLog(logger.child({ component: 'ingest' }));
  const aggregator = new MinuteBarAggregator({
    onListenerError: (error, bar) =>
      listenerLog.warn(
        'bar-closed-listener',
        { err: error, symbol: bar.symbol, minuteStartMs: bar.minuteStartMs },
        'bar-closed listener threw; the bar was still built and written',
      ),
  });
  const latestStored =
    options.seedFromStore === false ? new Map<string, number>() : await newestStored(store, feed);
  if (latestStored.size > 0) aggregator.setSeedThrough(maxValue(latestStored));

  const writer = new BarWriter(
    writerOptions(options, probe?.barSource?.(aggregator) ?? aggregator),
  );
  for (const listener of sinks.barClosedListeners ?? []) aggregator.addBarClosedListener(listener);
  const pipeline = createPipeline({
    stats,
    aggregator,
    tickListeners: sinks.tickListeners,
    onListenerError: (error, tick) =>
      listenerLog.warn(
        'tick-listener',
        { err: error, symbol: tick.symbol, startMs: tick.startMs },
        'tick listener threw; the tick was still counted and aggregated',
      ),
  });

  const backfillClient = backfill ? newBackfillClient(backfill, logger) : null;
  const gapFiller =
    backfill && backfillClient
      ? new GapFiller(
          {
            fetchMinuteBars: (symbol, from, to) => backfillClient.fetchMinuteBars(symbol, from, to),
            replaceMinuteBars: async (bars) => void (await writer.replaceMinuteBars(bars)),
            feedTimeMs: () => stats.lastTickEndMs,
            logger: logger.child({ component: 'backfill' }),
          },
          { maxMinutes: backfill.maxMinutes },
        )
      : null;
  if (gapFiller)
    for (const [symbol, minute] of latestStored) gapFiller.enqueueUntilLive(symbol, minute);

  const frameTicks =
    probe?.frameTicks?.(pipeline) ?? ((ticks: readonly TickData[]) => pipeline.handleTicks(ticks));
  const listener: FeedListener = {
    frame(frame) {
      stats.countFrame(frame.dataCount, frame.rejects);
      if (frame.events.length > 0) frameTicks(frame.events);
    },
    gap(gap) {
      if (gapFiller === null) return;
      for (const symbol of gap.symbols)
        gapFiller.enqueue({ symbol, fromMs: gap.fromMs, toMs: gap.toMs });
    },
    fatal: (error) => logger.error({ err: error }, 'feed socket stopped for good'),
  };
  const pool = feed ? newPool(feed, listener, logger) : null;

  const backfillStatus = (): BackfillStatus => {
    if (gapFiller === null || backfillClient === null) return { ...NO_BACKFILL };
    const fills = gapFiller.status();
    const client = backfillClient.status();
    return { ...fills, requests: client.requests, lastError: fills.lastError ?? client.lastError };
  };

  let stopping: Promise<void> | null = null;
  const stop = async (drainTimeoutMs: number | undefined): Promise<void> => {
    await pool?.close();
    gapFiller?.stop();
    await gapFiller?.fillPendingNow();
    try {
      await writer.drain({ timeoutMs: drainTimeoutMs });
    } finally {
      writer.stop();
      backfillClient?.close();
    }
  };

  return {
    stats,
    aggregator,
    pipeline,
    writer,
    pool,
    backfillClient,
    gapFiller,
    start() {
      writer.start();
      gapFiller?.start();
      pool?.start();
    },
    stop: (stopOptions = {}) => (stopping ??= stop(stopOptions.drainTimeoutMs)),
    status: () => ({
      ingest: stats.status(),
      connections: pool?.status() ?? [],
      writer: writer.status(),
      backfill: backfillStatus(),
    }),
    feedLive: () => pool?.allLive() ?? false,
  };
}

/** The newest stored minute per symbol of the feed's universe (every symbol for `*` or no feed). */
function newestStored(store: IngestBarStore, feed: IngestFeed | undefined) {
  const symbols = feed === undefined || feed.symbols[0] === '*' ? undefined : feed.symbols;
  return store.latestMinutePerSymbol(symbols);
}

function maxValue(map: ReadonlyMap<string, number>): number {
  let max = -Infinity;
  for (const value of map.values()) if (value > max) max = value;
  return max;
}

function writerOptions(
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

function newBackfillClient(backfill: IngestBackfill, logger: Logger): MassiveBackfillClient {
  return new MassiveBackfillClient({
    restUrl: backfill.restUrl,
    apiKey: backfill.apiKey,
    source: backfill.source,
    maxFutureMs: backfill.maxFutureMs,
    logger,
  });
}

function newPool(feed: IngestFeed, listener: FeedListener, logger: Logger): MassivePool {
  return new MassivePool({
    url: feed.wsUrl,
    apiKey: feed.apiKey,
    symbols: feed.symbols,
    connections: feed.connections,
    source: feed.source,
    maxFutureMs: feed.maxFutureMs,
    noDataTimeoutMs: feed.noDataTimeoutMs,
    pingIntervalMs: feed.pingIntervalMs,
    logger,
    listener,
  });
}
