import type { DataSource } from 'typeorm';
import { toStoredBar, type StoredBarRow } from '../repositories/stored-bar-row';
import type { StoredBar } from '../domain/stored-bar';
import { DataAccessError } from './domain-errors';
import { checkLimit, checkSince, DEFAULT_LIMIT, normalizeSymbol } from './query-input';
import type { ApiDeps } from './service-registry';

/**
 * The newest `$3` bars of one symbol with timestamp >= `$2`, newest first. Both predicates and
 * the ORDER BY are on the primary key (symbol, timestamp), so PostgreSQL answers with a
 * backward range scan of `ohlcv_1min_pkey` that stops after `$3` rows. `$2` is '-infinity'
 * when there is no lower bound, keeping one statement text (and one plan) for both cases.
 * Prices are cast to text so NUMERIC stays exact on every driver (PGlite, pg).
 */
export const RECENT_BARS_SQL = `SELECT symbol, "timestamp", open::text AS open, high::text AS high,
  low::text AS low, close::text AS close, volume::text AS volume, vwap::text AS vwap
FROM ohlcv_1min
WHERE symbol = $1 AND "timestamp" >= $2::timestamptz
ORDER BY "timestamp" DESC
LIMIT $3`;

/**
 * The newest bar of each listed symbol in one statement: one backward index probe per symbol
 * (LATERAL … LIMIT 1) instead of DISTINCT ON over every stored minute.
 */
export const LATEST_BARS_SQL = `SELECT b.symbol, b."timestamp", b.open::text AS open, b.high::text AS high,
  b.low::text AS low, b.close::text AS close, b.volume::text AS volume, b.vwap::text AS vwap
FROM unnest($1::varchar[]) AS s(symbol)
CROSS JOIN LATERAL (
  SELECT * FROM ohlcv_1min o WHERE o.symbol = s.symbol ORDER BY o."timestamp" DESC LIMIT 1
) b`;

export interface RecentBarsQuery {
  symbol: string;
  since?: Date | null;
  limit?: number;
}

const DEFAULT_FUTURE_TOLERANCE_MS = 5 * 60_000;

/**
 * The one read path for minute bars, used by GraphQL (`recentTicks`, `Symbol.latestBar`) and
 * the legacy REST shim. Validates its inputs (InvalidInputError) and wraps database failures
 * (DataAccessError) so the edges only translate.
 */
export class BarQueryService {
  private readonly dataSource: DataSource;
  private readonly now: () => number;
  private readonly futureToleranceMs: number;

  constructor(deps: Pick<ApiDeps, 'dataSource' | 'now' | 'futureSinceToleranceMs'>) {
    this.dataSource = deps.dataSource;
    this.now = deps.now ?? Date.now;
    this.futureToleranceMs = deps.futureSinceToleranceMs ?? DEFAULT_FUTURE_TOLERANCE_MS;
  }

  /** The newest `limit` bars with timestamp >= since, **newest first**. Unknown symbol → []. */
  async recentBars(query: RecentBarsQuery): Promise<StoredBar[]> {
    const symbol = normalizeSymbol(query.symbol);
    const limit = checkLimit(query.limit ?? DEFAULT_LIMIT);
    const since = checkSince(query.since, this.now(), this.futureToleranceMs);
    const rows = await this.run<StoredBarRow>(RECENT_BARS_SQL, [
      symbol,
      since ?? '-infinity',
      limit,
    ]);
    return rows.map(toStoredBar);
  }

  /**
   * The newest bar of each symbol, in the order asked (null where a symbol has none), shaped for
   * DataLoader: one statement however many symbols.
   */
  async latestBars(symbols: readonly string[]): Promise<(StoredBar | null)[]> {
    if (symbols.length === 0) return [];
    const rows = await this.run<StoredBarRow>(LATEST_BARS_SQL, [[...new Set(symbols)]]);
    const bySymbol = new Map(rows.map((row) => [row.symbol, toStoredBar(row)]));
    return symbols.map((symbol) => bySymbol.get(symbol) ?? null);
  }

  private async run<T>(sql: string, parameters: unknown[]): Promise<T[]> {
    try {
      return await this.dataSource.query<T[]>(sql, parameters);
    } catch (error) {
      throw new DataAccessError('bar query failed', { cause: error });
    }
  }
}
