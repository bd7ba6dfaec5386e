import type { DataSource } from 'typeorm';
import type { CommitPort } from '../domain/commit-port';
import type { AppConfig } from '../config';
import type { AppEvents } from '../events/app-events';
import type { PatternStatus } from '../domain/status';
import type { Logger } from '../logger';
import { PatternRepository } from '../repositories/pattern.repository';
import { PatternEngine } from './engine';
import { RedisPatternPublisher } from './redis-publisher';
import { PatternSink, type PatternSinkOptions } from './sink';

/** The sink's writer with each insert reported to `commits` for the batch's symbols. */
function reportingCommits(
  repository: PatternRepository,
  commits: CommitPort | undefined,
): PatternSinkOptions['writer'] {
  if (commits === undefined) return repository;
  return {
    insertMany: (events) =>
      commits.around(
        events.map((e) => e.symbol),
        () => repository.insertMany(events),
      ),
  };
}

export interface PatternModuleOptions {
  dataSource: DataSource;
  events: AppEvents | null;
  config: Pick<AppConfig, 'redisUrl' | 'patternChannel'>;
  logger: Logger;
  /** Overrides for the sink's queue/batch/interval (tests and benches). */
  sink?: Partial<Omit<PatternSinkOptions, 'writer' | 'events' | 'publisher' | 'logger'>>;
  /** Overrides for the Redis publisher's queue (tests). */
  redisMaxQueue?: number;
  /** Told of every pattern insert, for exactly its symbols (keeps the API's read cache exact). */
  commits?: CommitPort;
}

/** The pattern engine wired to its sinks; what main.ts composes and shuts down. */
export interface PatternModule {
  engine: PatternEngine;
  sink: PatternSink;
  /** null unless REDIS_URL is set. */
  publisher: RedisPatternPublisher | null;
  /** The PatternStatus block of IngestStatusSnapshot. */
  status(): PatternStatus;
  /** Writes what is queued (and publishes it); for SIGTERM, before the DataSource is destroyed. */
  drain(timeoutMs?: number): Promise<void>;
  /** drain + stop timers + close Redis. */
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * Builds engine → sink → (patterns table, event bus, Redis when configured) and starts the
 * background writer and the Redis connection. Wire `module.engine.onTick` as a tick listener
 * and `module.engine.onBarClosed` as the aggregator's BarClosedListener.
 */
export function createPatternModule(options: PatternModuleOptions): PatternModule {
  const logger = options.logger.child({ component: 'patterns' });
  const publisher =
    options.config.redisUrl === null
      ? null
      : new RedisPatternPublisher({
          url: options.config.redisUrl,
          channel: options.config.patternChannel,
          logger,
          ...(options.redisMaxQueue === undefined ? {} : { maxQueue: options.redisMaxQueue }),
        });
  const sink = new PatternSink({
    ...options.sink,
    writer: reportingCommits(new PatternRepository(options.dataSource), options.commits),
    events: options.events,
    publisher,
    logger,
  });
  const engine = new PatternEngine({ sink: sink.accept, logger });
  publisher?.start();
  sink.start();
  return {
    engine,
    sink,
    publisher,
    status: () => {
      const s = sink.status();
      return {
        detectedByPattern: engine.status().detectedByPattern,
        persisted: s.persisted,
        published: s.published,
        publishFailures: s.publishFailures,
        queueDepth: s.queueDepth,
        dropped: s.dropped,
      };
    },
    drain: (timeoutMs) => sink.drain(timeoutMs),
    stop: (timeoutMs) => sink.stop(timeoutMs),
  };
}
