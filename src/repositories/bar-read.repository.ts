import type { DataSource, Repository } from 'typeorm';
import type { StoredBar } from '../domain/stored-bar';
import { OhlcvMinuteEntity } from '../entities/ohlcv-minute.entity';
import { LATEST_BARS_SQL, RECENT_BARS_SQL } from './bar-read.sql';
import { RepositoryError } from './repository-error';
import { toStoredBar, type StoredBarRow } from './stored-bar-row';

/**
 * The read side of `ohlcv_1min` for the API: both statements are answered from the primary key
 * (see bar-read.sql.ts and test/integration/api-query-plan.test.ts). Throws RepositoryError.
 */
export class BarReadRepository {
  private readonly table: Repository<OhlcvMinuteEntity>;

  constructor(dataSource: DataSource) {
    this.table = dataSource.getRepository(OhlcvMinuteEntity);
  }

  /** The newest `limit` bars of `symbol` with timestamp >= since (no bound when null), newest first. */
  async findRecent(symbol: string, since: Date | null, limit: number): Promise<StoredBar[]> {
    const rows = await this.run(RECENT_BARS_SQL, [symbol, since ?? '-infinity', limit]);
    return rows.map(toStoredBar);
  }

  /** The newest bar of each listed symbol that has one, in one statement. */
  async findLatestPerSymbol(symbols: readonly string[]): Promise<Map<string, StoredBar>> {
    if (symbols.length === 0) return new Map();
    const rows = await this.run(LATEST_BARS_SQL, [[...new Set(symbols)]]);
    return new Map(rows.map((row) => [row.symbol, toStoredBar(row)]));
  }

  private async run(sql: string, parameters: unknown[]): Promise<StoredBarRow[]> {
    try {
      return await this.table.query<StoredBarRow[]>(sql, parameters);
    } catch (error) {
      throw new RepositoryError('reading bars failed', { cause: error });
    }
  }
}
