import { Redis } from 'ioredis';
import { redactUrl } from '../config';
import { backoffDelay, type BackoffPolicy } from '../lib/backoff';
import type { PatternEvent } from '../domain/pattern-event';
import { RateLimitedLog, type Logger } from '../logger';
import { BoundedQueue } from './bounded-queue';

export interface RedisPublisherOptions {
  url: string;
  channel: string;
  logger: Logger;
  /** Events held while Redis is slow or away; beyond it the oldest are dropped (counted). */
  maxQueue?: number;
  /** Events per pipeline (one round trip). */
  batchSize?: number;
  connectTimeoutMs?: number;
  /** A pipeline not answered within this is failed, so a hung socket cannot stall publishing forever. */
  commandTimeoutMs?: number;
  /** Reconnect delay cap (exponential with jitter below it). */
  maxReconnectDelayMs?: number;
}

export interface RedisPublisherStatus {
  /** ioredis connection state ('ready' when publishing). */
  state: string;
  published: number;
  publishFailures: number;
  queueDepth: number;
  dropped: number;
}

/**
 * Publishes pattern events — and nothing else: no tick or bar data ever goes to Redis — as JSON
 * on one channel. It never makes its caller wait: enqueue() is synchronous, the queue is
 * bounded (drop-oldest), commands are never queued inside ioredis while disconnected
 * (enableOfflineQueue off; we publish only when the client is 'ready'), and the client
 * reconnects on its own with capped, jittered backoff.
 */
export class RedisPatternPublisher {
  private readonly queue: BoundedQueue<PatternEvent>;
  private readonly batchSize: number;
  private readonly log: RateLimitedLog;
  private readonly client: Redis;
  private inFlight = false;
  private stopped = false;
  private published = 0;
  private publishFailures = 0;

  constructor(private readonly options: RedisPublisherOptions) {
    this.queue = new BoundedQueue(options.maxQueue ?? 10_000);
    this.batchSize = options.batchSize ?? 256;
    this.log = new RateLimitedLog(options.logger);
    // ioredis counts reconnects from 1, so even the first one is jittered: [100, 200] ms.
    const reconnect: BackoffPolicy = {
      minMs: 100,
      maxMs: options.maxReconnectDelayMs ?? 5_000,
      factor: 2,
      jitter: 0.5,
    };
    this.client = new Redis(options.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      connectTimeout: options.connectTimeoutMs ?? 2_000,
      commandTimeout: options.commandTimeoutMs ?? 2_000,
      retryStrategy: (attempt) => backoffDelay(reconnect, attempt),
    });
    this.client.on('ready', () => {
      options.logger.info(
        { redis: redactUrl(options.url), channel: options.channel },
        'redis pattern publisher ready',
      );
      this.pump();
    });
    // ioredis reports every failed (re)connect here; without a listener it would print to stderr.
    this.client.on('error', (error: Error) => {
      this.log.warn(
        'redis-publisher:error',
        { redis: redactUrl(options.url), err: error.message },
        'redis unavailable; pattern events queue (bounded) until it is back',
      );
    });
  }

  /** Starts connecting; resolves at once (connection problems are retried in the background). */
  start(): void {
    this.client.connect().catch(() => {
      // Reported through the 'error' listener; retryStrategy keeps reconnecting.
    });
  }

  /** Queues events for publishing. Synchronous and O(n); drops the oldest when full. */
  enqueue(events: readonly PatternEvent[]): void {
    if (this.stopped) return;
    for (const event of events) this.queue.push(event);
    this.pump();
  }

  status(): RedisPublisherStatus {
    return {
      state: this.client.status,
      published: this.published,
      publishFailures: this.publishFailures,
      queueDepth: this.queue.length,
      dropped: this.queue.dropped,
    };
  }

  /** Waits until the queue is empty, Redis is not ready (nothing more can go out), or the timeout. */
  async drain(timeoutMs = 2_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((this.queue.length > 0 || this.inFlight) && Date.now() < deadline) {
      if (!this.inFlight && this.client.status !== 'ready') return;
      this.pump();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /**
   * Stops publishing and closes the connection: QUIT when Redis answers within `timeoutMs`,
   * otherwise (hung or gone) a hard disconnect. Reconnecting stops either way.
   */
  async stop(timeoutMs = 1_000): Promise<void> {
    this.stopped = true;
    if (this.client.status !== 'ready') {
      this.client.disconnect();
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([
      this.client.quit().catch(() => 'failed' as const),
      timedOut,
    ]);
    clearTimeout(timer);
    if (outcome !== 'OK') this.client.disconnect();
  }

  private pump(): void {
    if (this.inFlight || this.stopped || this.queue.length === 0 || this.client.status !== 'ready')
      return;
    const batch = this.queue.take(this.batchSize);
    const pipeline = this.client.pipeline();
    for (const event of batch) pipeline.publish(this.options.channel, JSON.stringify(event));
    this.inFlight = true;
    pipeline
      .exec()
      .then((results) => {
        let failed = 0;
        for (const [error] of results ?? []) if (error) failed++;
        if (results === null) failed = batch.length;
        this.published += batch.length - failed;
        this.countFailures(failed, null);
      })
      .catch((error: unknown) => this.countFailures(batch.length, error))
      .finally(() => {
        this.inFlight = false;
        if (this.queue.length > 0) setImmediate(() => this.pump());
      });
  }

  private countFailures(count: number, error: unknown): void {
    if (count === 0) return;
    // At most once: a batch that failed mid-flight may have partly reached Redis; resending could duplicate.
    this.publishFailures += count;
    this.log.warn(
      'redis-publisher:publish',
      {
        count,
        failures: this.publishFailures,
        err: error instanceof Error ? error.message : error,
      },
      'publishing pattern events to redis failed',
    );
  }
}
