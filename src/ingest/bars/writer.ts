import { performance } from 'node:perf_hooks';
import type { StoredBar } from '../../domain/stored-bar';
import { RateLimitedLog, type Logger } from '../../logger';
import { sqlStateOf } from '../../repositories/ohlcv.repository';
import type { WriterStatus } from '../../domain/status';
import type { BarDelta, UpsertDeltasResult } from '../../domain/bar-delta';
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
  /** First retry delay after a failed flush, doubled per failure up to retryMaxMs (±20 % jitter). */
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** Merged stored values of every row a flush (or replace) changed; feeds GraphQL barUpdated. */
  onFlushed?: (bars: StoredBar[]) => void;
  /** Duration of every successful flush statement, ms (e.g. a Prometheus histogram). */
  onFlushLatency?: (ms: number) => void;
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

/** idle: nothing to write; flushed: a batch was written; failed: retry after backoff; again: retry now. */
export type FlushOutcome = 'idle' | 'flushed' | 'failed' | 'again';

/**
 * SQLSTATE classes a retry cannot fix (bad data, a duplicate key within one batch), except a
 * foreign-key violation, which the repository repairs by re-registering symbols.
 */
const isPoison = (state: string | undefined) =>
  state !== undefined && state !== '23503' && /^(21|22|23)/.test(state);

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
  private readonly options: Required<Omit<BarWriterOptions, 'onFlushed' | 'onFlushLatency'>> &
    Pick<BarWriterOptions, 'onFlushed' | 'onFlushLatency'>;
  /** Batches that failed, oldest first; always written before new deltas. */
  private readonly retryQueue: BarDelta[][] = [];
  private tail: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private looping = false;
  private backingOff = false;
  private failureStreak = 0;
  private streakStartedAt = 0;
  private lastFailure: unknown = null;
  private readonly latency = new LatencyReservoir();
  private readonly rateLimited: RateLimitedLog;
  private readonly counters = {
    barsWritten: 0,
    barsReplaced: 0,
    flushes: 0,
    flushFailures: 0,
    duplicatesIgnored: 0,
    conflicts: 0,
    rejected: 0,
    lastFlushAt: null as string | null,
    lastError: null as string | null,
  };

  constructor(options: BarWriterOptions) {
    this.options = { retryInitialMs: 200, retryMaxMs: 10_000, ...options };
    this.rateLimited = new RateLimitedLog(options.logger);
  }

  /** Starts the flush timer (idempotent). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.options.source.onBacklog(this.options.flushBatchSize, () => this.kick());
    this.schedule(this.options.flushIntervalMs);
  }

  /** Stops the timer. An in-flight flush completes; call drain() first to write everything. */
  stop(): void {
    this.running = false;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** One flush attempt, serialised with every other write of this writer. */
  flushNow(): Promise<FlushOutcome> {
    return this.exclusive(() => this.flushOnce());
  }

  /**
   * Flushes until the aggregator and the retry queue are empty (the SIGTERM path; stop the feed
   * first). Retries with backoff while the database is down; throws DrainTimeoutError after
   * `timeoutMs` (default: wait forever).
   */
  async drain(options: { timeoutMs?: number } = {}): Promise<void> {
    const deadline = Date.now() + (options.timeoutMs ?? Infinity);
    for (;;) {
      const outcome = await this.flushNow();
      if (outcome === 'idle' && this.backlog === 0) return;
      if (outcome !== 'failed') continue;
      const delay = this.backoffDelay();
      if (Date.now() + delay > deadline)
        throw new DrainTimeoutError(this.backlog, { cause: this.lastFailure });
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  /**
   * Writes authoritative whole minutes (REST backfill) through the same serialised path, then
   * reports them like a flush. Throws the store's error; the caller owns retries.
   */
  async replaceMinuteBars(bars: readonly MinuteBar[]): Promise<StoredBar[]> {
    if (bars.length === 0) return [];
    const stored = await this.exclusive(() => this.options.store.replaceMinuteBars(bars));
    this.counters.barsReplaced += stored.length;
    this.counters.barsWritten += stored.length;
    this.notifyFlushed(stored);
    return stored;
  }

  /** Bar updates not yet in the database: dirty and unseeded bars, plus failed batches. */
  get backlog(): number {
    let pending = this.options.source.dirtyCount + this.options.source.seedsPending;
    for (const batch of this.retryQueue) pending += batch.length;
    return pending;
  }

  /** The writer's part of the status snapshot, plus counters beyond the shared WriterStatus. */
  status(): WriterStatus & { barsReplaced: number; conflicts: number; rejected: number } {
    return {
      ...this.counters,
      flushLatencyMs: { p50: this.latency.percentile(50), p99: this.latency.percentile(99) },
      backlog: this.backlog,
    };
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  private kick(): void {
    if (this.running && !this.looping && !this.backingOff) this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.loop().catch((error: unknown) =>
        this.options.logger.error({ err: error }, 'bar writer loop crashed'),
      );
    }, delayMs);
    // The writer never keeps a process alive on its own: the feed and the HTTP server do.
    this.timer.unref();
  }

  private async loop(): Promise<void> {
    this.looping = true;
    let outcome: FlushOutcome;
    try {
      outcome = await this.flushNow();
    } finally {
      this.looping = false;
    }
    if (!this.running) return;
    this.backingOff = outcome === 'failed';
    if (this.backingOff) return this.schedule(this.backoffDelay());
    const more =
      outcome === 'again' ||
      this.retryQueue.length > 0 ||
      this.options.source.seedsPending > 0 ||
      this.options.source.dirtyCount >= this.options.flushBatchSize;
    this.schedule(more ? 0 : this.options.flushIntervalMs);
  }

  private async flushOnce(): Promise<FlushOutcome> {
    const { source, store, flushBatchSize } = this.options;
    if (this.retryQueue.length === 0 && source.seedsPending > 0) {
      const keys = source.seedRequests(flushBatchSize);
      try {
        source.applySeeds(keys, await store.readBarStates(keys));
      } catch (error) {
        return this.onFailure(null, error);
      }
    }
    const retrying = this.retryQueue.length > 0;
    const batch = retrying ? this.retryQueue.shift()! : source.takeDirty(flushBatchSize);
    if (batch.length === 0) return 'idle';
    const started = performance.now();
    let result: UpsertDeltasResult;
    try {
      result = await store.upsertDeltas(batch);
    } catch (error) {
      return this.onFailure(batch, error);
    }
    const ms = performance.now() - started;
    this.onSuccess(batch, result, ms);
    return 'flushed';
  }

  private onSuccess(batch: BarDelta[], result: UpsertDeltasResult, ms: number): void {
    const c = this.counters;
    if (this.failureStreak > 0) {
      this.options.logger.info(
        {
          failures: this.failureStreak,
          outageMs: Date.now() - this.streakStartedAt,
          backlog: this.backlog,
        },
        'bar writes recovered',
      );
      this.failureStreak = 0;
    }
    c.flushes++;
    c.barsWritten += result.stored.length;
    c.duplicatesIgnored += result.ignored;
    c.lastFlushAt = new Date().toISOString();
    this.latency.add(ms);
    this.options.onFlushLatency?.(ms);
    if (result.conflicts === null || result.conflicts > 0) {
      c.conflicts += result.conflicts ?? 0;
      this.rateLimited.warn(
        'bar-conflicts',
        { conflicts: result.conflicts, ignored: result.ignored, batch: batch.length },
        'bar deltas refused that mixed already-stored and new seconds (their new seconds are lost)',
      );
    }
    this.notifyFlushed(result.stored);
  }

  /** `batch` null: reading seeds failed (nothing to re-queue, the seeds stay pending). */
  private onFailure(batch: BarDelta[] | null, error: unknown): FlushOutcome {
    const c = this.counters;
    const sqlState = sqlStateOf(error);
    c.flushFailures++;
    c.lastError = error instanceof Error ? error.message : String(error);
    this.lastFailure = error;
    if (batch !== null && isPoison(sqlState)) {
      // Nothing of the statement was applied; isolate the bad delta by halving the batch.
      if (batch.length > 1) {
        const half = Math.ceil(batch.length / 2);
        this.retryQueue.unshift(batch.slice(0, half), batch.slice(half));
        return 'again';
      }
      c.rejected++;
      this.options.logger.error(
        { err: error, sqlState, delta: batch[0] },
        'bar delta rejected by the database, dropped',
      );
      return 'again';
    }
    if (batch !== null) this.retryQueue.unshift(batch);
    if (this.failureStreak++ === 0) {
      this.streakStartedAt = Date.now();
      this.options.logger.error(
        { err: error, sqlState, batch: batch?.length ?? 0, backlog: this.backlog },
        'bar flush failed; retrying the same batch with backoff until the database is back',
      );
    }
    return 'failed';
  }

  private backoffDelay(): number {
    const { retryInitialMs, retryMaxMs } = this.options;
    const base = Math.min(retryMaxMs, retryInitialMs * 2 ** Math.max(0, this.failureStreak - 1));
    return Math.round(base * (0.8 + 0.4 * Math.random()));
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
