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
import { SymbolLookupService } from './symbol-lookup.service';
import { SymbolQueryService } from './symbol-query.service';
import { TimeframeBarsService } from './timeframe-bars.service';
import { TimeframeFeedService } from './timeframe-feed.service';

/** The read side the API serves, one instance each per server; GraphQL and REST share them. */
export interface ApiServices {
  bars: BarQueryService;
  barFeed: BarFeedService;
  /** Bars of any timeframe (GraphQL `bars`, REST `/v2/aggs`). */
  timeframeBars: TimeframeBarsService;
  /** `barUpdated` at a chosen timeframe. */
  timeframeFeed: TimeframeFeedService;
  symbols: SymbolQueryService;
  patterns: PatternQueryService;
  ingestStatus: IngestStatusService;
  /** The read cache behind bars and patterns; null when no commit events feed it. */
  cache: ReadCache | null;
  /** How ticker arguments resolve to stored tickers (shared by every entry point). */
  tickers: SymbolLookupService;
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
  // One lookup for every entry point, so REST, queries and subscriptions read tickers alike.
  const lookup = new SymbolLookupService(repositories.symbols);
  const cache = options.commits ? new ReadCache(options.commits, options.cache) : null;
  const barFeed = new BarFeedService(events, lookup);
  const timeframeBars = new TimeframeBarsService(repositories.barRollups, lookup);
  return {
    bars: new BarQueryService(repositories.bars, lookup, since, cache),
    barFeed,
    timeframeBars,
    timeframeFeed: new TimeframeFeedService(barFeed, timeframeBars),
    symbols: new SymbolQueryService(repositories.symbols),
    patterns: new PatternQueryService(repositories.patterns, events, lookup, since, cache),
    ingestStatus: new IngestStatusService(options.status),
    cache,
    tickers: lookup,
  };
}
