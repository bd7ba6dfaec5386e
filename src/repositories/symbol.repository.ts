import type { DataSource, Repository } from 'typeorm';
import type { SymbolRecord } from '../domain/symbol-record';
import { SymbolEntity } from '../entities/symbol.entity';
import { RepositoryError } from './repository-error';
import {
  FIND_SYMBOLS_IGNORING_CASE_SQL,
  REGISTER_SYMBOLS_SQL,
  SEARCH_SYMBOLS_SQL,
} from './symbol.sql';

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

/**
 * The `symbols` table: registration on first sight (for the bar writer) and search (for the
 * API). Known symbols are cached in memory so the writer issues the registration statement
 * only for batches that bring a new ticker.
 */
export class SymbolRepository {
  private readonly table: Repository<SymbolEntity>;
  private readonly known = new Set<string>();

  constructor(dataSource: DataSource) {
    this.table = dataSource.getRepository(SymbolEntity);
  }

  /**
   * Makes sure every symbol has a `symbols` row (one `INSERT … SELECT unnest … ON CONFLICT DO
   * NOTHING` for the unknown ones). Returns how many were not known to this process before.
   */
  async ensureRegistered(symbols: Iterable<string>): Promise<number> {
    const unknown = new Set<string>();
    for (const symbol of symbols) if (!this.known.has(symbol)) unknown.add(symbol);
    if (unknown.size === 0) return 0;
    const list = [...unknown];
    await this.table.query(REGISTER_SYMBOLS_SQL, [list]);
    for (const symbol of list) this.known.add(symbol);
    return list.length;
  }

  /**
   * Forgets the cache (e.g. after a foreign-key violation shows a symbol row is gone), so the
   * next write registers its symbols again.
   */
  forgetKnown(): void {
    this.known.clear();
  }

  /**
   * At most `limit` symbols whose ticker or name contains `text` (case-insensitive; null: all),
   * tickers that start with it first. LIKE wildcards in `text` are literal: `%` finds a percent
   * sign. Throws RepositoryError.
   */
  async search(text: string | null, limit: number): Promise<SymbolRecord[]> {
    type Row = { symbol: string; name: string | null; firstSeen: Date | string };
    let rows: Row[];
    try {
      rows = await this.table.query<Row[]>(SEARCH_SYMBOLS_SQL, [
        text === null ? null : escapeLike(text),
        limit,
      ]);
    } catch (error) {
      throw new RepositoryError('searching symbols failed', { cause: error });
    }
    return rows.map((row) => ({
      symbol: row.symbol,
      name: row.name,
      firstSeen: row.firstSeen instanceof Date ? row.firstSeen : new Date(row.firstSeen),
    }));
  }

  /**
   * The stored tickers equal to any of `tickers` ignoring case (`bcpc` → `BCPC` and `BCpC`),
   * sorted; one statement for the whole list. Throws RepositoryError.
   */
  async findIgnoringCase(tickers: readonly string[]): Promise<string[]> {
    if (tickers.length === 0) return [];
    const folded = [...new Set(tickers.map((ticker) => ticker.toLowerCase()))];
    try {
      const rows = await this.table.query<{ symbol: string }[]>(FIND_SYMBOLS_IGNORING_CASE_SQL, [
        folded,
      ]);
      return rows.map((row) => row.symbol);
    } catch (error) {
      throw new RepositoryError('looking up symbols failed', { cause: error });
    }
  }
}
