import type { DataSource } from 'typeorm';
import { SymbolEntity } from '../entities/symbol.entity';

/**
 * The `symbols` table, with registration on first sight. Known symbols are cached in memory so
 * the bar writer issues the registration statement only for batches that bring a new ticker.
 */
export function createSymbolRepository(dataSource: DataSource) {
  const known = new Set<string>();
  return dataSource.getRepository(SymbolEntity).extend({
    /**
     * Makes sure every symbol has a `symbols` row (one `INSERT … SELECT unnest … ON CONFLICT DO
     * NOTHING` for the unknown ones). Returns how many were not known to this process before.
     */
    async ensureRegistered(symbols: Iterable<string>): Promise<number> {
      const unknown = new Set<string>();
      for (const symbol of symbols) if (!known.has(symbol)) unknown.add(symbol);
      if (unknown.size === 0) return 0;
      const list = [...unknown];
      await this.query(
        `INSERT INTO symbols (symbol) SELECT s FROM unnest($1::varchar[]) AS u(s) ON CONFLICT (symbol) DO NOTHING`,
        [list],
      );
      for (const symbol of list) known.add(symbol);
      return list.length;
    },

    /**
     * Forgets the cache (e.g. after a foreign-key violation shows a symbol row is gone), so the
     * next write registers its symbols again.
     */
    forgetKnown(): void {
      known.clear();
    },
  });
}

export type SymbolRepository = ReturnType<typeof createSymbolRepository>;
