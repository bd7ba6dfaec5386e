import type { DataSource } from 'typeorm';
import { DataAccessError } from './domain-errors';
import { checkLimit, checkSearch, DEFAULT_LIMIT } from './query-input';
import type { ApiDeps } from './service-registry';

export interface SymbolRecord {
  symbol: string;
  name: string | null;
  firstSeen: Date;
}

/**
 * Symbols whose ticker or name contains the search text (case-insensitive), tickers that start
 * with it first, then alphabetical. LIKE wildcards in the input are escaped: `%` searches for a
 * literal percent sign.
 */
export const SEARCH_SYMBOLS_SQL = `SELECT symbol, name, first_seen AS "firstSeen"
FROM symbols
WHERE $1::text IS NULL OR symbol ILIKE '%' || $1 || '%' ESCAPE '\\' OR name ILIKE '%' || $1 || '%' ESCAPE '\\'
ORDER BY ($1::text IS NOT NULL AND symbol ILIKE $1 || '%' ESCAPE '\\') DESC, symbol
LIMIT $2`;

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

/** The read path for `Query.symbols`. */
export class SymbolQueryService {
  private readonly dataSource: DataSource;

  constructor(deps: Pick<ApiDeps, 'dataSource'>) {
    this.dataSource = deps.dataSource;
  }

  async search(query: { search?: string | null; limit?: number }): Promise<SymbolRecord[]> {
    const search = checkSearch(query.search);
    const limit = checkLimit(query.limit ?? DEFAULT_LIMIT);
    let rows: { symbol: string; name: string | null; firstSeen: Date | string }[];
    try {
      rows = await this.dataSource.query<typeof rows>(SEARCH_SYMBOLS_SQL, [
        search === null ? null : escapeLike(search),
        limit,
      ]);
    } catch (error) {
      throw new DataAccessError('symbol query failed', { cause: error });
    }
    return rows.map((row) => ({
      symbol: row.symbol,
      name: row.name,
      firstSeen: row.firstSeen instanceof Date ? row.firstSeen : new Date(row.firstSeen),
    }));
  }
}
