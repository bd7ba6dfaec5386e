import type { StoredBar } from '../domain/stored-bar';
import type { BarReadRepository } from '../repositories/bar-read.repository';
import { readThrough } from './domain-errors';
import { checkLimit, DEFAULT_LIMIT, sinceChecker, type SinceOptions } from './query-input';
import type { SymbolLookupService } from './symbol-lookup.service';

export interface RecentBarsQuery {
  symbol: string;
  since?: Date | null;
  limit?: number;
}

/**
 * The one read path for minute bars, used by GraphQL (`recentTicks`, `Symbol.latestBar`) and
 * the legacy REST shim. Validates its inputs (InvalidInputError) and wraps database failures
 * (DataAccessError) so the edges only translate.
 */
export class BarQueryService {
  private readonly checkSince: (since: Date | null | undefined) => Date | null;

  constructor(
    private readonly repository: BarReadRepository,
    private readonly lookup: SymbolLookupService,
    options: SinceOptions = {},
  ) {
    this.checkSince = sinceChecker(options);
  }

  /** The newest `limit` bars with timestamp >= since, **newest first**. Unknown symbol → []. */
  async recentBars(query: RecentBarsQuery): Promise<StoredBar[]> {
    return (await this.recentBarsOf(query)).bars;
  }

  /**
   * recentBars with the ticker the argument resolved to (exact, else the unique
   * case-insensitive match; see SymbolLookupService), for answers that echo it.
   */
  async recentBarsOf(query: RecentBarsQuery): Promise<{ symbol: string; bars: StoredBar[] }> {
    const limit = checkLimit(query.limit ?? DEFAULT_LIMIT);
    const since = this.checkSince(query.since);
    const symbol = await this.lookup.resolve(query.symbol);
    const bars = await readThrough('bar query failed', () =>
      this.repository.findRecent(symbol, since, limit),
    );
    return { symbol, bars };
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
}
