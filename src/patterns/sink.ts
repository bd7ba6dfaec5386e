import type { AppEvents } from '../events/app-events';
import type { PatternEvent } from '../domain/pattern-event';
import type { PatternStatus } from '../domain/status';
import { RateLimitedLog, type Logger } from '../logger';
import type { PersistedPatternEvent } from '../domain/pattern-event';
import { BoundedQueue } from './bounded-queue';
import type { PatternEventSink } from './engine';
import type { RedisPublisherStatus } from './redis-publisher';

/** Persists a batch; returns the events that were new (PatternRepository satisfies this). */
export interface PatternWriter {
  insertMany(events: readonly PatternEvent[]): Promise<PersistedPatternEvent[]>;
}

/** Where persisted events go besides the GraphQL bus (RedisPatternPublisher satisfies this). */
export interface PatternPublisher {
  enqueue(events: readonly PatternEvent[]): void;
  status(): RedisPublisherStatus;
  drain(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface PatternSinkOptions {
  writer: PatternWriter;
  /** GraphQL subscriptions: `patternsDetected` gets one array per written batch. */
  events?: AppEvents | null;
  /** Redis, only when REDIS_URL is set. */
  publisher?: PatternPublisher | null;
  logger: Logger;
  /** Events waiting for the database; beyond it the oldest are dropped (counted). */
  maxQueue?: number;
  /** Events per INSERT statement. */
  batchSize?: number;
  flushIntervalMs?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
}

/** PatternStatus without the engine's per-pattern counts, plus database-side detail. */
export interface PatternSinkStatus extends Omit<PatternStatus, 'detectedByPattern'> {
  accepted: number;
  /** Events the database already had (same symbol, pattern and timestamp): not re-published. */
  duplicates: number;
  writeFailures: number;
  lastError: string | null;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Takes events from the engine on the tick path (accept: O(1), never blocks, never throws) and
 * does the slow work off it: a timer-driven batch writer with one write in flight, then the
 * GraphQL event bus and Redis get exactly the rows that were new. A failing database keeps its
 * batch for retry with capped exponential backoff while the bounded queue drops its oldest.
 */
export class PatternSink {
  private readonly queue: BoundedQueue<PatternEvent>;
  private readonly batchSize: number;
  private readonly flushIntervalMs: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly log: RateLimitedLog;
  private retryBatch: PatternEvent[] | null = null;
  private retryAttempt = 0;
  private retryAtMs = 0;
  private writing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private stopped = false;
  private accepted = 0;
  private persisted = 0;
  private duplicates = 0;
  private writeFailures = 0;
  private lastError: string | null = null;

  constructor(private readonly options: PatternSinkOptions) {
    this.queue = new BoundedQueue(options.maxQueue ?? 20_000);
    this.batchSize = options.batchSize ?? 1_000;
    this.flushIntervalMs = options.flushIntervalMs ?? 250;
    this.retryBaseMs = options.retryBaseMs ?? 200;
    this.retryMaxMs = options.retryMaxMs ?? 5_000;
    this.log = new RateLimitedLog(options.logger);
  }

  /** The engine's sink callback: enqueue only. A full batch schedules a write right after this tick. */
  readonly accept: PatternEventSink = (event) => {
    if (this.stopped) return;
    this.accepted++;
    this.queue.push(event);
    if (
      this.queue.length >= this.batchSize &&
      this.writing === null &&
      this.immediate === null &&
      this.timer !== null
    ) {
      this.immediate = setImmediate(() => {
        this.immediate = null;
        void this.flush();
      });
    }
  };

  /** Starts the periodic writer (unref'd: it never keeps the process alive on its own). */
  start(): void {
    if (this.timer !== null || this.stopped) return;
    this.timer = setInterval(() => void this.flush(), this.flushIntervalMs);
    this.timer.unref();
  }

  status(): PatternSinkStatus {
    const publisher = this.options.publisher?.status();
    return {
      accepted: this.accepted,
      persisted: this.persisted,
      duplicates: this.duplicates,
      published: publisher?.published ?? 0,
      publishFailures: publisher?.publishFailures ?? 0,
      queueDepth: this.queue.length + (this.retryBatch?.length ?? 0) + (publisher?.queueDepth ?? 0),
      dropped: this.queue.dropped + (publisher?.dropped ?? 0),
      writeFailures: this.writeFailures,
      lastError: this.lastError,
    };
  }

  /**
   * Writes everything queued so far (retrying failures without backoff waits beyond a short
   * pause), then lets the publisher send what it can; gives up at the timeout.
   */
  async drain(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (
      (this.queue.length > 0 || this.retryBatch !== null || this.writing !== null) &&
      Date.now() < deadline
    ) {
      if (this.writing !== null) {
        await this.writing;
        continue;
      }
      const failuresBefore = this.writeFailures;
      await this.writeBatch();
      if (this.writeFailures > failuresBefore)
        await sleep(Math.min(100, Math.max(0, deadline - Date.now())));
    }
    await this.options.publisher?.drain(Math.max(0, deadline - Date.now()));
  }

  /** Drains (bounded by the timeout), stops the timer and closes the publisher. */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.immediate = null;
    await this.drain(timeoutMs);
    this.stopped = true;
    await this.options.publisher?.stop();
  }

  /** One write unless one is in flight or a retry is backing off; chains while full batches remain. */
  private async flush(): Promise<void> {
    if (this.writing !== null || Date.now() < this.retryAtMs) return;
    await this.writeBatch();
    if (
      this.retryBatch === null &&
      this.queue.length >= this.batchSize &&
      this.immediate === null &&
      this.timer !== null
    ) {
      this.immediate = setImmediate(() => {
        this.immediate = null;
        void this.flush();
      });
    }
  }

  private writeBatch(): Promise<void> {
    if (this.writing !== null) return this.writing;
    const batch = this.retryBatch ?? this.queue.take(this.batchSize);
    if (batch.length === 0) return Promise.resolve();
    this.writing = this.write(batch).finally(() => {
      this.writing = null;
    });
    return this.writing;
  }

  private async write(batch: PatternEvent[]): Promise<void> {
    let inserted: PersistedPatternEvent[];
    try {
      inserted = await this.options.writer.insertMany(batch);
    } catch (error) {
      this.retryBatch = batch;
      this.retryAttempt++;
      this.writeFailures++;
      const delay = Math.min(
        this.retryMaxMs,
        this.retryBaseMs * 2 ** Math.min(this.retryAttempt - 1, 16),
      );
      this.retryAtMs = Date.now() + delay * (0.5 + Math.random() / 2);
      this.lastError = error instanceof Error ? error.message : String(error);
      this.log.warn(
        'pattern-sink:write',
        { err: error, batch: batch.length, attempt: this.retryAttempt, queued: this.queue.length },
        'writing patterns failed; will retry',
      );
      return;
    }
    this.retryBatch = null;
    this.retryAttempt = 0;
    this.retryAtMs = 0;
    this.persisted += inserted.length;
    this.duplicates += batch.length - inserted.length;
    if (inserted.length === 0) return;
    try {
      this.options.events?.publish('patternsDetected', inserted);
    } catch (error) {
      this.log.warn(
        'pattern-sink:events',
        { err: error },
        'publishing patterns to subscribers failed',
      );
    }
    this.options.publisher?.enqueue(inserted);
  }
}
