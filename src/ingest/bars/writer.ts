import { performance } from 'node:perf_hooks';
import type { StoredBar } from '../../domain/stored-bar';
import { RateLimitedLog, type Logger } from '../../logger';
import type { WriterStatus } from '../../domain/status';
import type { BarDelta, BarKey, RestWriteMode, UpsertDeltasResult } from '../../domain/bar-delta';
import { isPermanentWriteFailure } from '../../domain/write-failure';
import { WriteBehind, type FlushOutcome } from '../../lib/write-behind';
import type { DirtyBarSource, ReplacingBarStore } from './bar-store';
import { LatencyReservoir } from './latency-reservoir';
import type { MinuteBar } from '../../domain/minute-bar';

export type { DirtyBarSource, ReplacingBarStore } from './bar-store';

export interface BarWriterOptions {
  source: DirtyBarSource;
  store: ReplacingBarStore;
  logger: Logger;
  /** Flush this often when the backlog is below a batch (FLUSH_INTERVAL_MS). */
  flushIntervalMs: number;
  /** Deltas per statement; a full batch is flushed at once. */
  flushBatchSize: number;
  /** First retry delay after a failed flush, doubled per failure up to retryMaxMs (−20 % jitter). */
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** Merged stored values of every row a flush (or replace) changed; feeds GraphQL barUpdated. */
  onFlushed?: (bars: StoredBar[]) => void;
  /** Duration of every successful flush statement, ms (e.g. a Prometheus histogram). */
  onFlushLatency?: (ms: number) => void;
  /** Bars the store refused because their data is not in the row: re-check them from REST. */
  onRefused?: (keys: BarKey[]) => void;
}

/** drain() gave up before the backlog was written (the database stayed down). */
export class DrainTimeoutError extends Error {
  constructor(
    readonly backlog: number,
    options: { cause: unknown },
  ) {
    super(`bar writer drain timed out with ${backlog} bar updates unwritten`, options);
    this.name = 'DrainTimeoutError';
  }
}

interface TimedUpsert {
  result: UpsertDeltasResult;
  ms: number;
}

/**
 * Write-behind flusher: drains the aggregator's coalesced deltas into the store every
 * flushIntervalMs, or at once when a batch fills. One flush in flight at a time (PGlite has no
 * isolation between connections; on PostgreSQL it keeps row-lock contention at zero). A failed
 * batch is retried as-is, before anything newer, with capped exponential backoff: the mask guard
 * then makes an ambiguous failure (committed, but the reply was lost) exact, while newer seconds
 * keep coalescing in the aggregator. Nothing is dropped except a single delta the database
 * rejects as invalid data, which is logged with its values.
 */
export class BarWriter {
  private readonly machine: WriteBehind<BarDelta, TimedUpsert>;
  private readonly latency = new LatencyReservoir();
  private readonly rateLimited: RateLimitedLog;
  private readonly counters = {
    barsWritten: 0,
    barsReplaced: 0,
    duplicatesIgnored: 0,
    conflicts: 0,
    rejected: 0,
  };

  constructor(private readonly options: BarWriterOptions) {
    this.rateLimited = new RateLimitedLog(options.logger);
    const { source, flushBatchSize } = options;
    this.machine = new WriteBehind({
      name: 'bar writer',
      logger: options.logger,
      intervalMs: options.flushIntervalMs,
      retry: {
        minMs: options.retryInitialMs ?? 200,
        maxMs: options.retryMaxMs ?? 10_000,
        factor: 2,
        jitter: 0.2,
      },
      take: () => this.take(),
      write: (batch) => this.upsert(batch),
      onWritten: (batch, written) => this.onWritten(batch, written),
      backlog: () => source.dirtyCount + source.seedsPending,
      ready: () => source.seedsPending > 0 || source.dirtyCount >= flushBatchSize,
      split: (batch, error) => this.splitPoison(batch, error),
      onFailure: (error, batch, streak) => {
        if (streak > 1) return;
        options.logger.error(
          { err: error, batch: batch?.length ?? 0, backlog: this.backlog },
          'bar flush failed; retrying the same batch with backoff until the database is back',
        );
      },
      onRecovered: (failures, outageMs) =>
        options.logger.info({ failures, outageMs, backlog: this.backlog }, 'bar writes recovered'),
    });
  }

  /** Starts the flush timer (idempotent). */
  start(): void {
    this.options.source.onBacklog(this.options.flushBatchSize, () => this.machine.kick());
    this.machine.start();
  }

  /** Stops the timer. An in-flight flush completes; call drain() first to write everything. */
  stop(): void {
    this.machine.stop();
  }

  /** One flush attempt, serialised with every other write of this writer. */
  flushNow(): Promise<FlushOutcome> {
    return this.machine.flushNow();
  }

  /**
   * Flushes until the aggregator and the retry queue are empty (the SIGTERM path; stop the feed
   * first). Retries with backoff while the database is down; throws DrainTimeoutError after
   * `timeoutMs` (default: wait forever).
   */
  async drain(options: { timeoutMs?: number } = {}): Promise<void> {
    if (!(await this.machine.drain(options.timeoutMs)))
      throw new DrainTimeoutError(this.backlog, { cause: this.machine.lastFailure });
  }

  /**
   * Writes REST minutes (gap fill: `prompt`; re-check after the window: `final`) through the
   * same serialised path, then reports them like a flush. Throws the store's error; the caller
   * owns retries.
   */
  async writeRestBars(bars: readonly MinuteBar[], mode: RestWriteMode): Promise<StoredBar[]> {
    if (bars.length === 0) return [];
    const stored = await this.machine.exclusive(() => this.options.store.writeRestBars(bars, mode));
    this.counters.barsReplaced += stored.length;
    this.counters.barsWritten += stored.length;
    this.notifyFlushed(stored);
    return stored;
  }

  /** Bar updates not yet in the database: dirty and unseeded bars, plus failed batches. */
  get backlog(): number {
    return this.machine.pending;
  }

  /** The writer's part of the status snapshot, plus counters beyond the shared WriterStatus. */
  status(): WriterStatus & { barsReplaced: number; conflicts: number; rejected: number } {
    const c = this.counters;
    const machine = this.machine.status();
    return {
      barsWritten: c.barsWritten,
      barsReplaced: c.barsReplaced,
      flushes: machine.flushes,
      flushFailures: machine.failures,
      duplicatesIgnored: c.duplicatesIgnored,
      conflicts: c.conflicts,
      rejected: c.rejected,
      lastFlushAt: machine.lastFlushAt,
      lastError: machine.lastError,
      flushLatencyMs: { p50: this.latency.percentile(50), p99: this.latency.percentile(99) },
      backlog: this.backlog,
    };
  }

  /** Bars restored after a restart need their stored row before their first delta is taken. */
  private async take(): Promise<BarDelta[]> {
    const { source, store, flushBatchSize } = this.options;
    if (source.seedsPending > 0) {
      const keys = source.seedRequests(flushBatchSize);
      source.applySeeds(keys, await store.readBarStates(keys));
    }
    return source.takeDirty(flushBatchSize);
  }

  private async upsert(batch: BarDelta[]): Promise<TimedUpsert> {
    const started = performance.now();
    const result = await this.options.store.upsertDeltas(batch);
    return { result, ms: performance.now() - started };
  }

  private onWritten(batch: BarDelta[], { result, ms }: TimedUpsert): void {
    const c = this.counters;
    c.barsWritten += result.stored.length;
    c.duplicatesIgnored += result.ignored;
    this.latency.add(ms);
    this.options.onFlushLatency?.(ms);
    if (result.conflicts === null || result.conflicts > 0) {
      c.conflicts += result.conflicts ?? 0;
      this.rateLimited.warn(
        'bar-conflicts',
        { conflicts: result.conflicts, ignored: result.ignored, batch: batch.length },
        'bar writes refused whose seconds the stored row cannot take (REST-filled minute); re-checking them from REST',
      );
    }
    if (result.refused.length > 0) this.options.onRefused?.(result.refused);
    this.notifyFlushed(result.stored);
  }

  /**
   * The store refused the data itself, so nothing of the statement was applied: isolate the bad
   * delta by halving the batch, and drop it (logged with its values) once it stands alone.
   */
  private splitPoison(batch: BarDelta[], error: unknown): BarDelta[][] | null {
    if (!isPermanentWriteFailure(error)) return null;
    if (batch.length > 1) {
      const half = Math.ceil(batch.length / 2);
      return [batch.slice(0, half), batch.slice(half)];
    }
    this.counters.rejected++;
    this.options.logger.error(
      { err: error, delta: batch[0] },
      'bar delta rejected by the database, dropped',
    );
    return [];
  }

  private notifyFlushed(stored: StoredBar[]): void {
    if (stored.length === 0 || this.options.onFlushed === undefined) return;
    try {
      this.options.onFlushed(stored);
    } catch (error) {
      this.rateLimited.warn('on-flushed', { err: error }, 'onFlushed listener threw');
    }
  }
}
