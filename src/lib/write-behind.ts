import type { Logger } from '../logger';
import { backoffDelay, type BackoffPolicy } from './backoff';

/** idle: nothing to write; flushed: a batch was written; failed: retry after backoff; again: retry now. */
export type FlushOutcome = 'idle' | 'flushed' | 'failed' | 'again';

export interface WriteBehindOptions<T, R> {
  /** Names the machine in its one log line ("<name> loop crashed"). */
  name: string;
  logger: Logger;
  /** Flush this often while less than a full batch is waiting. */
  intervalMs: number;
  /** Delay before retry n after n consecutive failures (attempt n − 1 of the policy). */
  retry: BackoffPolicy;
  /** Longest pause between attempts inside drain(); default: the retry delay itself. */
  drainPauseMaxMs?: number;
  /**
   * The next new batch, empty when nothing waits. Called only when no failed batch is waiting;
   * a rejection counts as a failed flush with nothing to keep (the source still holds its data).
   */
  take(): T[] | Promise<T[]>;
  /** Writes one batch. A rejection keeps the batch for retry before anything newer. */
  write(batch: T[]): Promise<R>;
  /** After a batch was written (and counted). */
  onWritten?(batch: T[], result: R): void;
  /** Items waiting at the source; drain() ends when these and the failed batches are gone. */
  backlog(): number;
  /** More than the interval's worth waits at the source (a full batch): flush again at once. */
  ready(): boolean;
  /**
   * For a failure retrying cannot fix: the batches to try instead, at once and before anything
   * else (none: the batch is dropped). Null, or no function: transient, keep it and back off.
   */
  split?(batch: T[], error: unknown): T[][] | null;
  /** Every transient failure, after its batch was kept; `streak` counts consecutive ones. */
  onFailure?(error: unknown, batch: T[] | null, streak: number): void;
  /** The first success after `failures` consecutive transient failures. */
  onRecovered?(failures: number, outageMs: number): void;
}

export interface WriteBehindStatus {
  /** Batches written. */
  flushes: number;
  /** Failed attempts, transient or not. */
  failures: number;
  lastFlushAt: string | null;
  lastError: string | null;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A write-behind loop: takes batches from a source and writes them off the hot path, every
 * intervalMs or at once when kick()ed (a batch is full). One write in flight at a time: every
 * flush, and any other work passed to exclusive(), runs in turn. A failed batch is kept and
 * retried as-is, before anything newer, with capped exponential backoff, while the source keeps
 * collecting. drain() writes everything left (the SIGTERM path); the timer never keeps the
 * process alive on its own.
 */
export class WriteBehind<T, R> {
  /** Batches that failed, oldest first; always written before new ones. */
  private readonly failed: T[][] = [];
  private tail: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private dueNow = false;
  private running = false;
  private looping = false;
  private backingOff = false;
  private streak = 0;
  private streakStartedAt = 0;
  private readonly counters: WriteBehindStatus = {
    flushes: 0,
    failures: 0,
    lastFlushAt: null,
    lastError: null,
  };
  /** The error of the latest failed attempt (the cause of a drain that gave up). */
  lastFailure: unknown = null;

  constructor(private readonly options: WriteBehindOptions<T, R>) {}

  /** Starts the flush timer (idempotent). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(this.options.intervalMs);
  }

  /** Stops the timer. An in-flight flush completes; drain() still works. */
  stop(): void {
    this.running = false;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** A full batch waits: flush now, unless a flush runs (it checks again) or a retry backs off. */
  kick(): void {
    if (this.running && !this.looping && !this.backingOff && !this.dueNow) this.schedule(0);
  }

  /** One flush attempt, in turn with every other write. */
  flushNow(): Promise<FlushOutcome> {
    return this.exclusive(() => this.flushOnce());
  }

  /** Runs `work` when no flush (or earlier work) is in flight, and holds the next one until done. */
  exclusive<W>(work: () => Promise<W>): Promise<W> {
    const result = this.tail.then(work);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /**
   * Flushes until the source and the failed batches are empty, pausing after a failure. Returns
   * false, leaving the rest queued, when the next attempt would start after `timeoutMs`.
   */
  async drain(timeoutMs = Infinity): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const outcome = await this.flushNow();
      if (outcome === 'idle' && this.pending === 0) return true;
      if (outcome !== 'failed') continue;
      const delay = Math.min(this.retryDelay(), this.options.drainPauseMaxMs ?? Infinity);
      if (Date.now() + delay > deadline) return false;
      await sleep(delay);
    }
  }

  /** Items held in failed batches. */
  get retrying(): number {
    let items = 0;
    for (const batch of this.failed) items += batch.length;
    return items;
  }

  /** Items not written yet: at the source and in failed batches. */
  get pending(): number {
    return this.options.backlog() + this.retrying;
  }

  status(): WriteBehindStatus {
    return { ...this.counters };
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.dueNow = delayMs === 0;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.dueNow = false;
      this.loop().catch((error: unknown) =>
        this.options.logger.error({ err: error }, `${this.options.name} loop crashed`),
      );
    }, delayMs);
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
    if (this.backingOff) return this.schedule(this.retryDelay());
    const more = outcome === 'again' || this.failed.length > 0 || this.options.ready();
    this.schedule(more ? 0 : this.options.intervalMs);
  }

  private async flushOnce(): Promise<FlushOutcome> {
    let batch: T[];
    if (this.failed.length > 0) {
      batch = this.failed.shift()!;
    } else {
      try {
        batch = await this.options.take();
      } catch (error) {
        return this.onFailure(null, error);
      }
    }
    if (batch.length === 0) return 'idle';
    let result: R;
    try {
      result = await this.options.write(batch);
    } catch (error) {
      return this.onFailure(batch, error);
    }
    if (this.streak > 0) {
      this.options.onRecovered?.(this.streak, Date.now() - this.streakStartedAt);
      this.streak = 0;
    }
    this.counters.flushes++;
    this.counters.lastFlushAt = new Date().toISOString();
    this.options.onWritten?.(batch, result);
    return 'flushed';
  }

  /** `batch` null: taking failed (nothing to keep; the source still has it). */
  private onFailure(batch: T[] | null, error: unknown): FlushOutcome {
    this.counters.failures++;
    this.counters.lastError = error instanceof Error ? error.message : String(error);
    this.lastFailure = error;
    const instead = batch === null ? null : (this.options.split?.(batch, error) ?? null);
    if (instead !== null) {
      this.failed.unshift(...instead);
      return 'again';
    }
    if (batch !== null) this.failed.unshift(batch);
    if (this.streak++ === 0) this.streakStartedAt = Date.now();
    this.options.onFailure?.(error, batch, this.streak);
    return 'failed';
  }

  private retryDelay(): number {
    return backoffDelay(this.options.retry, this.streak - 1);
  }
}
