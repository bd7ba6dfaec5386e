import { type CommitGenerations } from './commit-generations';
import { LruMap } from './lru-map';

/** An answer with the commit generation it is exact for. */
export interface CachedRead<T> {
  value: T;
  /**
   * `"<epoch>.<generation>"` of the scope the answer is exact at (an ETag's content), or null
   * when the read overlapped a write of it (the answer is right for the moment it was read,
   * but which commit it reflects is unknown).
   */
  tag: string | null;
}

export interface ReadCacheOptions {
  /** Entries kept at most (default 20,000). */
  maxEntries?: number;
  /** Estimated bytes kept at most (default 64 MiB). */
  maxBytes?: number;
}

export interface ReadCacheStats {
  hits: number;
  misses: number;
  /** Misses that joined a load already running for the same key and generation. */
  coalesced: number;
  /** Reads that went straight to the database because a write of their scope was in flight. */
  bypassed: number;
  evictions: number;
  entries: number;
  bytes: number;
  maxEntries: number;
  maxBytes: number;
}

interface Entry {
  generation: number;
  value: unknown;
}

interface Flight {
  generation: number;
  promise: Promise<CachedRead<unknown>>;
}

export const DEFAULT_CACHE_ENTRIES = 20_000;
export const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;

/**
 * Answers kept per scope (a symbol) and key (the query shape), exact by construction: an entry
 * is served only while its scope's commit generation is the one it was loaded at and no write
 * of the scope is in flight, and a load is stored only when the generation did not move while
 * it ran (see CommitGenerations). Concurrent misses of one key share one load. Stale entries
 * are not hunted down: the size-capped LRU drops them in time, and they are never served.
 */
export class ReadCache {
  private readonly lru: LruMap<string, Entry>;
  private readonly flights = new Map<string, Flight>();
  private counters = { hits: 0, misses: 0, coalesced: 0, bypassed: 0 };

  constructor(
    readonly commits: CommitGenerations,
    options: ReadCacheOptions = {},
  ) {
    this.lru = new LruMap(
      options.maxEntries ?? DEFAULT_CACHE_ENTRIES,
      options.maxBytes ?? DEFAULT_CACHE_BYTES,
    );
  }

  /** The tag the scope's answers carry now, or null while a write of it is in flight. */
  tag(scope: string): string | null {
    return this.commits.busy(scope) ? null : this.tagAt(this.commits.generation(scope));
  }

  /** The cached answer of (scope, key), or `load()`'s, stored when still exact; `bytes` sizes it. */
  read<T>(
    scope: string,
    key: string,
    load: () => Promise<T>,
    bytes: (value: T) => number,
  ): Promise<CachedRead<T>> {
    const { commits } = this;
    if (commits.busy(scope)) {
      this.counters.bypassed++;
      return load().then((value) => ({ value, tag: null }));
    }
    const generation = commits.generation(scope);
    const fullKey = `${scope}\u0001${key}`;
    const entry = this.lru.get(fullKey);
    if (entry !== undefined) {
      if (entry.generation === generation) {
        this.counters.hits++;
        return Promise.resolve({ value: entry.value as T, tag: this.tagAt(generation) });
      }
      this.lru.delete(fullKey);
    }
    this.counters.misses++;
    const flight = this.flights.get(fullKey);
    if (flight !== undefined && flight.generation === generation) {
      this.counters.coalesced++;
      return flight.promise as Promise<CachedRead<T>>;
    }
    const promise = load().then((value): CachedRead<T> => {
      const exact = commits.generation(scope) === generation && !commits.busy(scope);
      if (!exact) return { value, tag: null };
      this.lru.set(fullKey, { generation, value }, bytes(value) + fullKey.length + 64);
      return { value, tag: this.tagAt(generation) };
    });
    this.flights.set(fullKey, { generation, promise });
    const land = () => {
      if (this.flights.get(fullKey)?.promise === promise) this.flights.delete(fullKey);
    };
    promise.then(land, land);
    return promise;
  }

  /**
   * For callers that cannot hand over a load function (an Apollo plugin caching whole
   * responses): the answer of (scope, key) if it is exact now, counting a hit or a miss.
   */
  peek(scope: string, key: string): unknown {
    const generation = this.idleGeneration(scope);
    const fullKey = `${scope}\u0001${key}`;
    const entry = generation === null ? undefined : this.lru.get(fullKey);
    if (entry !== undefined && entry.generation === generation) {
      this.counters.hits++;
      return entry.value;
    }
    if (generation === null) this.counters.bypassed++;
    else this.counters.misses++;
    return undefined;
  }

  /**
   * The answer of (scope, key) if it is exact now, counting only a hit: for a fast path whose
   * miss falls through to a slower path that counts its own read.
   */
  hit(scope: string, key: string): unknown {
    const generation = this.idleGeneration(scope);
    if (generation === null) return undefined;
    const entry = this.lru.get(`${scope}\u0001${key}`);
    if (entry === undefined || entry.generation !== generation) return undefined;
    this.counters.hits++;
    return entry.value;
  }

  /**
   * Stores an answer known exact at `tag` (a tag() taken no later than the read began) only if
   * the scope is still at that tag: no write of it began or ended since. True when stored.
   */
  storeAtTag(scope: string, key: string, tag: string, value: unknown, bytes: number): boolean {
    if (this.tag(scope) !== tag) return false;
    return this.store(scope, key, this.commits.generation(scope), value, bytes);
  }

  /** The scope's generation to load at, null while a write of it is in flight (do not store). */
  idleGeneration(scope: string): number | null {
    return this.commits.busy(scope) ? null : this.commits.generation(scope);
  }

  /**
   * Stores an answer loaded after idleGeneration() returned `generation`, only if no write of
   * the scope began or ended since (else it may predate a commit). True when stored.
   */
  store(scope: string, key: string, generation: number, value: unknown, bytes: number): boolean {
    if (this.idleGeneration(scope) !== generation) return false;
    const fullKey = `${scope}\u0001${key}`;
    this.lru.set(fullKey, { generation, value }, bytes + fullKey.length + 64);
    return true;
  }

  stats(): ReadCacheStats {
    return {
      ...this.counters,
      evictions: this.lru.evictions,
      entries: this.lru.size,
      bytes: this.lru.bytes,
      maxEntries: this.lru.maxEntries,
      maxBytes: this.lru.maxBytes,
    };
  }

  private tagAt(generation: number): string {
    return `${this.commits.epoch}.${generation}`;
  }
}
