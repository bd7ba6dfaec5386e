import type { DataSource } from 'typeorm';
import { RepositoryError } from './repository-error';
import {
  DELETE_OLD_BARS_SQL,
  DELETE_OLD_PATTERNS_SQL,
  DROP_OLD_CHUNKS_SQL,
  RETENTION_SYMBOLS_SQL,
} from './retention.sql';
import { SchemaRepository } from './schema.repository';

export type RetentionTable = 'ohlcv_1min' | 'patterns';

/** Deletes rows older than a cutoff, one bounded batch per call. */
export class RetentionRepository {
  private hypertable: boolean | null = null;

  constructor(private readonly dataSource: DataSource) {}

  /** Every symbol, the unit bars are deleted by. */
  async symbols(): Promise<string[]> {
    const rows = await this.dataSource.query<{ symbol: string }[]>(RETENTION_SYMBOLS_SQL);
    return rows.map((r) => r.symbol);
  }

  /**
   * Rows deleted by one batch (< batchSize means nothing older is left): bars of `symbol`, or
   * patterns (symbol null).
   */
  async deleteBatch(
    table: RetentionTable,
    cutoff: Date,
    batchSize: number,
    symbol: string | null = null,
  ): Promise<number> {
    const bars = table === 'ohlcv_1min';
    if (bars && symbol === null) throw new RangeError('bars are deleted per symbol');
    const params: unknown[] = [cutoff.toISOString(), batchSize];
    if (bars) params.push(symbol);
    try {
      // TypeORM answers a DELETE with [rows, affected count].
      const result = await this.dataSource.query<[unknown[], number]>(
        bars ? DELETE_OLD_BARS_SQL : DELETE_OLD_PATTERNS_SQL,
        params,
      );
      return Number(result[1] ?? 0);
    } catch (error) {
      throw new RepositoryError(`deleting old rows of ${table} failed`, { cause: error });
    }
  }

  /** On a TimescaleDB hypertable, drops whole chunks older than the cutoff; 0 elsewhere. */
  async dropOldChunks(cutoff: Date): Promise<number> {
    this.hypertable ??= (
      await new SchemaRepository(this.dataSource).tableShape('ohlcv_1min')
    ).hypertable;
    if (!this.hypertable) return 0;
    const rows = await this.dataSource.query<{ dropped: number }[]>(DROP_OLD_CHUNKS_SQL, [
      cutoff.toISOString(),
    ]);
    return Number(rows[0]?.dropped ?? 0);
  }
}
