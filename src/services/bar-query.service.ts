import type { StoredBar } from '../domain/stored-bar';
import type { BarReadRepository } from '../repositories/bar-read.repository';
import type { CachedRead, ReadCache } from './cache/read-cache';
import { readThrough } from './domain-errors';
import { checkLimit, DEFAULT_LIMIT, sinceChecker, type SinceOptions } from './query-input';
import type { SymbolLookupService } from './symbol-lookup.service';

export interface RecentBarsQuery {
  symbol: string;
  since?: Date | null;
  limit?: number;
}

/**
 * A rendering of a recent-bars answer (the REST JSON body, GraphQL's Bar objects), cached next
 * to the rows under the same commit generation so a hit skips the mapping too.
 */
export interface RecentBarsView<T> {
  /** Distinguishes views in the cache key; one name per rendering. */
  name: string;
  render(newestFirst: readonly StoredBar[], symbol: string): T;
  /** Estimated bytes of a rendered value, for the cache's size cap. */
  bytes(value: T): number;
}

interface CheckedQuery {
  symbol: string;
  since: Date | null;
  limit: number;
}

/** Rough heap bytes of one StoredBar (object, Date, six short strings). */
const BAR_BYTES = 320;

const ROWS: RecentBarsView<readonly StoredBar[]> = {
  name: 'rows',
  render: (bars) => bars,
  bytes: (bars) => bars.length * BAR_BYTES,
};

/**
 * The one read path for minute bars, used by GraphQL (`recentTicks`, `Symbol.latestBar`) and
 * the legacy REST shim. Validates its inputs (InvalidInputError) and wraps database failures
 * (DataAccessError) so the edges only translate. With a ReadCache, answers are kept per symbol
 * and query shape until a write of that symbol (see CommitGenerations); returned arrays are
 * shared between callers and must not be mutated.
 */
export class BarQueryService {
  private readonly checkSince: (since: Date | null | undefined) => Date | null;

  constructor(
    private readonly repository: BarReadRepository,
    private readonly lookup: Pick<SymbolLookupService, 'resolve'>,
    options: SinceOptions = {},
    private readonly cache: ReadCache | null = null,
  ) {
    this.checkSince = sinceChecker(options);
  }

  /** The newest `limit` bars with timestamp >= since, **newest first**. Unknown symbol → []. */
  async recentBars(query: RecentBarsQuery): Promise<readonly StoredBar[]> {
    return (await this.recentView(query, ROWS)).value;
  }

  /**
   * recentBars rendered by `view` (which gets the ticker the argument resolved to: exact, else
   * the unique case-insensitive match), with the tag of the commit it is exact for (null without
   * a cache, or when the read overlapped a write of the symbol).
   */
  async recentView<T>(query: RecentBarsQuery, view: RecentBarsView<T>): Promise<CachedRead<T>> {
    return this.viewOf(await this.check(query), view);
  }

  /**
   * The tag an answer to `query` would carry now, without reading bars (If-None-Match): null
   * without a cache or while the symbol is being written. Validates the query like a read.
   */
  async currentTag(query: RecentBarsQuery): Promise<string | null> {
    const { symbol } = await this.check(query);
    return this.cache?.tag(symbol) ?? null;
  }

  /**
   * The newest bar of each symbol, in the order asked (null where a symbol has none), shaped for
   * DataLoader: one statement however many symbols.
   */
  async latestBars(symbols: readonly string[]): Promise<(StoredBar | null)[]> {
    const bySymbol = await readThrough('bar query failed', () =>
      this.repository.findLatestPerSymbol(symbols),
    );
    return symbols.map((symbol) => bySymbol.get(symbol) ?? null);
  }

  private async check(query: RecentBarsQuery): Promise<CheckedQuery> {
    const limit = checkLimit(query.limit ?? DEFAULT_LIMIT);
    const since = this.checkSince(query.since);
    return { symbol: await this.lookup.resolve(query.symbol), limit, since };
  }

  private async viewOf<T>(query: CheckedQuery, view: RecentBarsView<T>): Promise<CachedRead<T>> {
    const load = async (): Promise<T> => {
      const rows =
        view === (ROWS as RecentBarsView<unknown>)
          ? await this.load(query)
          : (await this.viewOf(query, ROWS)).value;
      return view.render(rows, query.symbol);
    };
    if (this.cache === null) return { value: await load(), tag: null };
    const key = `${view.name}|${query.limit}|${query.since?.getTime() ?? ''}`;
    return this.cache.read(query.symbol, key, load, (value) => view.bytes(value));
  }

  private load({ symbol, since, limit }: CheckedQuery): Promise<StoredBar[]> {
    return readThrough('bar query failed', () => this.repository.findRecent(symbol, since, limit));
  }
}
