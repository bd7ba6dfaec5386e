import type { StoredBar } from '../domain/stored-bar';
import type { BarReadRepository } from '../repositories/bar-read.repository';
import { readThrough } from './domain-errors';
import {
  checkLimit,
  DEFAULT_LIMIT,
  normalizeSymbol,
  sinceChecker,
  type SinceOptions,
} from './query-input';

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
    options: SinceOptions = {},
  ) {
    this.checkSince = sinceChecker(options);
  }

  /** The newest `limit` bars with timestamp >= since, **newest first**. Unknown symbol → []. */
  async recentBars(query: RecentBarsQuery): Promise<StoredBar[]> {
    const symbol = normalizeSymbol(query.symbol);
    const limit = checkLimit(query.limit ?? DEFAULT_LIMIT);
    const since = this.checkSince(query.since);
    return readThrough('bar query failed', () => this.repository.findRecent(symbol, since, limit));
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
