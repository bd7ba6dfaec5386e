import {
  emptyBackfillStatus,
  type BackfillStatus,
  type IngestStatusSnapshot,
} from '../domain/status';
import type { TickData } from '../domain/tick';
import { RateLimitedLog, type Logger } from '../logger';
import { MinuteBarAggregator } from './bars/aggregator';
import { BarWriter, type BarWriterOptions } from './bars/writer';
import { CommitReportingStore } from './commit-reporting-store';
import { GapFiller } from './gap-filler';
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

/** Builds the ingest graph from ports. The only place that wires it, for the app, benches and tests. */
export async function createIngest(given: IngestOptions): Promise<Ingest> {
  const options: IngestOptions = given.commits
    ? { ...given, store: new CommitReportingStore(given.store, given.commits) }
    : given;
  const { store, logger, sinks = {}, feed, backfill, probe } = options;
  const stats = new IngestStats();
  const listenerLog = new RateLimitedLog(logger.child({ component: 'ingest' }));
  const aggregator = newAggregator(sinks, listenerLog);
  const latestStored =
    options.seedFromStore === false ? new Map<string, number>() : await newestStored(store, feed);
  if (latestStored.size > 0) aggregator.setSeedThrough(maxValue(latestStored));
  const writer = new BarWriter(
    writerOptions(options, probe?.barSource?.(aggregator) ?? aggregator),
  );
  const pipeline = newPipeline(stats, aggregator, sinks, listenerLog);

  // The gap path: socket gap (or restart) → gap filler → REST backfill → authoritative replace.
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
  const listener = feedListener(stats, frameTicks, gapFiller, logger);
  const pool = feed ? newPool(feed, listener, logger) : null;
  return new IngestGraph(stats, aggregator, pipeline, writer, pool, backfillClient, gapFiller);
}

class IngestGraph implements Ingest {
  private stopping: Promise<void> | null = null;

  constructor(
    readonly stats: IngestStats,
    readonly aggregator: MinuteBarAggregator,
    readonly pipeline: Pipeline,
    readonly writer: BarWriter,
    readonly pool: MassivePool | null,
    readonly backfillClient: MassiveBackfillClient | null,
    readonly gapFiller: GapFiller | null,
  ) {}

  start(): void {
    this.writer.start();
    this.gapFiller?.start();
    this.pool?.start();
  }

  stop(options: { drainTimeoutMs?: number } = {}): Promise<void> {
    return (this.stopping ??= this.unwind(options.drainTimeoutMs));
  }

  status(): IngestStatus {
    return {
      ingest: this.stats.status(),
      connections: this.pool?.status() ?? [],
      writer: this.writer.status(),
      backfill: this.backfillStatus(),
    };
  }

  feedLive(): boolean {
    return this.pool?.allLive() ?? false;
  }

  private async unwind(drainTimeoutMs: number | undefined): Promise<void> {
    await this.pool?.close();
    this.gapFiller?.stop();
    await this.gapFiller?.fillPendingNow();
    try {
      await this.writer.drain({ timeoutMs: drainTimeoutMs });
    } finally {
      this.writer.stop();
      this.backfillClient?.close();
    }
  }

  private backfillStatus(): BackfillStatus {
    if (this.gapFiller === null || this.backfillClient === null) return emptyBackfillStatus();
    const fills = this.gapFiller.status();
    const client = this.backfillClient.status();
    return { ...fills, requests: client.requests, lastError: fills.lastError ?? client.lastError };
  }
}

function newAggregator(sinks: IngestSinks, log: RateLimitedLog): MinuteBarAggregator {
  const aggregator = new MinuteBarAggregator({
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

function newPipeline(
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
function feedListener(
  stats: IngestStats,
  frameTicks: (ticks: readonly TickData[]) => void,
  gapFiller: GapFiller | null,
  logger: Logger,
): FeedListener {
  return {
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
