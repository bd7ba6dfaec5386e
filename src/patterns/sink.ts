import type { AppEvents } from '../events/app-events';
import type { PatternEvent } from '../domain/pattern-event';
import type { PatternStatus } from '../domain/status';
import { WriteBehind } from '../lib/write-behind';
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
  /** Events per write statement. */
  batchSize?: number;
  flushIntervalMs?: number;
  /** First retry delay after a failed write, doubled per failure up to retryMaxMs (−50 % jitter). */
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

/**
 * Takes events from the engine on the tick path (accept: O(1), never blocks, never throws) and
 * does the slow work off it: a timer-driven batch writer with one write in flight, then the
 * GraphQL event bus and Redis get exactly the rows that were new. A failing database keeps its
 * batch for retry with capped exponential backoff while the bounded queue drops its oldest.
 */
export class PatternSink {
  private readonly queue: BoundedQueue<PatternEvent>;
  private readonly batchSize: number;
  private readonly log: RateLimitedLog;
  private readonly machine: WriteBehind<PatternEvent, PersistedPatternEvent[]>;
  private stopped = false;
  private accepted = 0;
  private persisted = 0;
  private duplicates = 0;

  constructor(private readonly options: PatternSinkOptions) {
    this.queue = new BoundedQueue(options.maxQueue ?? 20_000);
    this.batchSize = options.batchSize ?? 1_000;
    this.log = new RateLimitedLog(options.logger);
    this.machine = new WriteBehind({
      name: 'pattern sink',
      logger: options.logger,
      intervalMs: options.flushIntervalMs ?? 250,
      retry: {
        minMs: options.retryBaseMs ?? 200,
        maxMs: options.retryMaxMs ?? 5_000,
        factor: 2,
        jitter: 0.5,
      },
      // Shutdown retries at a short pause instead of waiting out the backoff.
      drainPauseMaxMs: 100,
      take: () => this.queue.take(this.batchSize),
      write: (batch) => options.writer.insertMany(batch),
      onWritten: (batch, inserted) => this.onWritten(batch, inserted),
      backlog: () => this.queue.length,
      ready: () => this.queue.length >= this.batchSize,
      onFailure: (error, batch, streak) =>
        this.log.warn(
          'pattern-sink:write',
          { err: error, batch: batch?.length ?? 0, attempt: streak, queued: this.queue.length },
          'writing patterns failed; will retry',
        ),
    });
  }

  /** The engine's sink callback: enqueue only. A full batch schedules a write right after this tick. */
  readonly accept: PatternEventSink = (event) => {
    if (this.stopped) return;
    this.accepted++;
    this.queue.push(event);
    if (this.queue.length >= this.batchSize) this.machine.kick();
  };

  /** Starts the periodic writer (unref'd: it never keeps the process alive on its own). */
  start(): void {
    if (!this.stopped) this.machine.start();
  }

  status(): PatternSinkStatus {
    const publisher = this.options.publisher?.status();
    const machine = this.machine.status();
    return {
      accepted: this.accepted,
      persisted: this.persisted,
      duplicates: this.duplicates,
      published: publisher?.published ?? 0,
      publishFailures: publisher?.publishFailures ?? 0,
      queueDepth: this.queue.length + this.machine.retrying + (publisher?.queueDepth ?? 0),
      dropped: this.queue.dropped + (publisher?.dropped ?? 0),
      writeFailures: machine.failures,
      lastError: machine.lastError,
    };
  }

  /**
   * Writes everything queued so far (retrying failures without backoff waits beyond a short
   * pause), then lets the publisher send what it can; gives up at the timeout.
   */
  async drain(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    await this.machine.drain(timeoutMs);
    await this.options.publisher?.drain(Math.max(0, deadline - Date.now()));
  }

  /** Drains (bounded by the timeout), stops the timer and closes the publisher. */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.machine.stop();
    await this.drain(timeoutMs);
    this.stopped = true;
    await this.options.publisher?.stop();
  }

  private onWritten(batch: PatternEvent[], inserted: PersistedPatternEvent[]): void {
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
