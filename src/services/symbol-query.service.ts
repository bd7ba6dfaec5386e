import type { SymbolRecord } from '../domain/symbol-record';
import type { SymbolRepository } from '../repositories/symbol.repository';
import { readThrough } from './domain-errors';
import { checkLimit, checkSearch, DEFAULT_LIMIT } from './query-input';

/** The read path for `Query.symbols`. */
export class SymbolQueryService {
  constructor(private readonly repository: SymbolRepository) {}

  /** Tickers or names containing the search text (case-insensitive), tickers starting with it first. */
  async search(query: { search?: string | null; limit?: number }): Promise<SymbolRecord[]> {
    const search = checkSearch(query.search);
    const limit = checkLimit(query.limit ?? DEFAULT_LIMIT);
    return readThrough('symbol query failed', () => this.repository.search(search, limit));
  }
}
