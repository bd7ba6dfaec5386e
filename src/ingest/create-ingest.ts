import {
  emptyBackfillStatus,
  emptyReconcileStatus,
  type BackfillStatus,
  type CorrectionStatus,
  type IngestStatusSnapshot,
} from '../domain/status';
import type { TickData } from '../domain/tick';
import { MINUTE_MS, minuteStart } from '../domain/minute-bar';
import { RateLimitedLog } from '../logger';
import type { MinuteBarAggregator, RecheckReason } from './bars/aggregator';
import { BarWriter } from './bars/writer';
import { CommitReportingStore } from './commit-reporting-store';
import { GapFiller } from './gap-filler';
import {
  feedClock,
  feedListener,
  maxValue,
  newAggregator,
  newBackfillClient,
  newestStored,
  newPipeline,
  newPool,
  writerOptions,
} from './ingest-nodes';
import { newRecheckScheduler, reconcileListener } from './create-rechecks';
import type { RecheckScheduler } from './recheck-scheduler';
import { CORRECTION_DEFAULTS, type IngestOptions } from './ingest-options';
import type { MassiveBackfillClient } from './massive/backfill-client';
import type { MassivePool } from './massive/pool';
import type { Pipeline } from './pipeline';
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
  'ingest' | 'connections' | 'writer' | 'backfill' | 'corrections' | 'reconcile'
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
  /** null without a backfill endpoint. */
  readonly rechecks: RecheckScheduler | null;
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
  const windowMs = options.corrections?.windowMs ?? CORRECTION_DEFAULTS.windowMs;
  const corrections = {
    ...CORRECTION_DEFAULTS,
    // A quarter of the window, at most the default: short windows (tests) re-check promptly.
    batchDelayMs: Math.min(CORRECTION_DEFAULTS.batchDelayMs, windowMs / 4),
    ...options.corrections,
  };
  const stats = new IngestStats();
  const clock = options.clock ?? (() => feedClock(stats));
  const listenerLog = new RateLimitedLog(logger.child({ component: 'ingest' }));
  // Bound below, once the writer exists: the aggregator and the writer report to it.
  let rechecks: RecheckScheduler | null = null;
  const aggregator = newAggregator(
    sinks,
    listenerLog,
    corrections.windowMs,
    (s: string, m: number, why: RecheckReason) => rechecks?.schedule(s, m, why),
  );
  const latestStored =
    options.seedFromStore === false ? new Map<string, number>() : await newestStored(store, feed);
  if (latestStored.size > 0) aggregator.setSeedThrough(maxValue(latestStored));
  const writer = new BarWriter({
    ...writerOptions(options, probe?.barSource?.(aggregator) ?? aggregator),
    onRefused: (keys) => {
      for (const key of keys) rechecks?.schedule(key.symbol, key.minuteStartMs, 'conflict');
    },
  });
  const pipeline = newPipeline(stats, aggregator, sinks, listenerLog);

  // The gap path: socket gap (or restart) → gap filler → REST backfill → prompt write, and every
  // filled minute re-checked once its correction window has closed.
  const backfillClient = backfill ? newBackfillClient(backfill, logger) : null;
  if (backfillClient) {
    rechecks = newRecheckScheduler(backfillClient, store, writer, corrections, clock, logger);
    const reconcile = reconcileListener(corrections.reconcileSymbols, (s, m) =>
      rechecks?.schedule(s, m, 'reconcile'),
    );
    if (reconcile) aggregator.addBarClosedListener(reconcile);
  }
  const gapFiller =
    backfill && backfillClient
      ? new GapFiller(
          {
            fetchMinuteBars: (symbol, from, to) => backfillClient.fetchMinuteBars(symbol, from, to),
            writeRestBars: async (bars) => void (await writer.writeRestBars(bars, 'prompt')),
            recheck: (symbol, minute) => rechecks?.schedule(symbol, minute, 'gap-fill'),
            feedTimeMs: () => stats.lastTickEndMs,
            clockMs: clock,
            logger: logger.child({ component: 'backfill' }),
          },
          { maxMinutes: backfill.maxMinutes },
        )
      : null;
  // Corrections broadcast while we were away (down, or between sockets) are lost for the minutes
  // before the gap too: those still inside the window are re-checked as well.
  const recheckBefore = (symbol: string, fromMs: number) => {
    const last = minuteStart(fromMs);
    for (let m = minuteStart(fromMs - corrections.windowMs); m < last; m += MINUTE_MS)
      rechecks?.schedule(symbol, m, 'gap-fill');
  };
  if (gapFiller) {
    for (const [symbol, minute] of latestStored) {
      gapFiller.enqueueUntilLive(symbol, minute);
      recheckBefore(symbol, minute);
    }
  }

  const frameTicks =
    probe?.frameTicks?.(pipeline) ?? ((ticks: readonly TickData[]) => pipeline.handleTicks(ticks));
  const listener = feedListener(stats, frameTicks, gapFiller, logger, recheckBefore);
  const pool = feed ? newPool(feed, listener, logger) : null;
  return new IngestGraph(
    stats,
    aggregator,
    pipeline,
    writer,
    pool,
    backfillClient,
    gapFiller,
    rechecks,
  );
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
    readonly rechecks: RecheckScheduler | null,
  ) {}

  start(): void {
    this.writer.start();
    this.gapFiller?.start();
    this.rechecks?.start();
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
      corrections: this.correctionStatus(),
      reconcile: this.rechecks?.status() ?? emptyReconcileStatus(),
    };
  }

  private correctionStatus(): CorrectionStatus {
    const a = this.aggregator.status();
    return {
      applied: a.correctionsApplied,
      deferred: a.correctionsDeferred,
      identical: a.duplicatesDropped,
      barsInMemory: a.barsInMemory,
    };
  }

  feedLive(): boolean {
    return this.pool?.allLive() ?? false;
  }

  private async unwind(drainTimeoutMs: number | undefined): Promise<void> {
    await this.pool?.close();
    this.gapFiller?.stop();
    this.rechecks?.stop();
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
