import type { IngestStatusSnapshot } from '../domain/status';
import type { AppEvents } from '../events/app-events';
import type { ReadRepositories } from '../repositories/read-repositories';
import { BarFeedService } from './bar-feed.service';
import { BarQueryService } from './bar-query.service';
import type { CommitGenerations } from './cache/commit-generations';
import { ReadCache, type ReadCacheOptions } from './cache/read-cache';
import { IngestStatusService } from './ingest-status.service';
import { PatternQueryService } from './pattern-query.service';
import type { SinceOptions } from './query-input';
import { SymbolQueryService } from './symbol-query.service';

/** The read side the API serves, one instance each per server; GraphQL and REST share them. */
export interface ApiServices {
  bars: BarQueryService;
  barFeed: BarFeedService;
  symbols: SymbolQueryService;
  patterns: PatternQueryService;
  ingestStatus: IngestStatusService;
  /** The read cache behind bars and patterns; null when no commit events feed it. */
  cache: ReadCache | null;
}

export interface ApiServicesOptions extends SinceOptions {
  repositories: ReadRepositories;
  /** The bus the bar writer and the pattern sink publish on. */
  events: AppEvents;
  status: () => IngestStatusSnapshot;
  /**
   * The commit events of every writer of bars and patterns. Given, reads are cached and
   * invalidated exactly by them; absent (nothing reports writes), every read goes to the database.
   */
  commits?: CommitGenerations;
  /** Size caps of the read cache (READ_CACHE_MAX_ENTRIES / READ_CACHE_MAX_MB). */
  cache?: ReadCacheOptions;
}

/** Builds the services over their repositories and ports; app.ts, benches and test servers call it. */
export function createApiServices(options: ApiServicesOptions): ApiServices {
  const { repositories, events } = options;
  const since: SinceOptions = {
    now: options.now,
    futureSinceToleranceMs: options.futureSinceToleranceMs,
  };
  const cache = options.commits ? new ReadCache(options.commits, options.cache) : null;
  return {
    bars: new BarQueryService(repositories.bars, since, cache),
    barFeed: new BarFeedService(events),
    symbols: new SymbolQueryService(repositories.symbols),
    patterns: new PatternQueryService(repositories.patterns, events, since, cache),
    ingestStatus: new IngestStatusService(options.status),
    cache,
  };
}
