import type { DataSource, Repository } from 'typeorm';
import { OhlcvMinuteEntity } from '../entities/ohlcv-minute.entity';
import type { BarKey } from '../domain/bar-delta';
import type { MinuteBar } from '../domain/minute-bar';
import { columnParams, OhlcvWriteError, wholeMinute } from './ohlcv-columns';
import type { StoredBarRow } from './stored-bar-row';
import {
  DELETE_OFF_MINUTE_ROWS_SQL,
  OFF_MINUTE_PAGE_SQL,
  OFF_MINUTE_TOTALS_SQL,
  REST_FINAL_SQL,
} from './ohlcv.sql';

/** The off-minute legacy rows of one symbol-minute. */
export interface OffMinuteGroup {
  symbol: string;
  minuteStartMs: number;
  rowTimestampsMs: number[];
}

/**
 * The old system's rows of ohlcv_1min that are not minute bars (keyed by a second's end time):
 * counted at start-up, listed and replaced by `npm run db:repair`.
 */
export class LegacyRowsRepository {
  private readonly table: Repository<OhlcvMinuteEntity>;

  constructor(dataSource: DataSource) {
    this.table = dataSource.getRepository(OhlcvMinuteEntity);
  }

  /** How many legacy rows are not on a minute boundary, in how many (symbol, minute) pairs. */
  async offMinuteTotals(): Promise<{ rows: number; minutes: number; symbols: number }> {
    const [row] =
      await this.table.query<{ rows: string; minutes: string; symbols: string }[]>(
        OFF_MINUTE_TOTALS_SQL,
      );
    return { rows: Number(row.rows), minutes: Number(row.minutes), symbols: Number(row.symbols) };
  }

  /**
   * Up to `limit` (symbol, minute) pairs holding off-minute legacy rows, in (symbol, minute)
   * order after `after` (keyset pagination), each with the exact timestamps of its rows.
   */
  async offMinutePage(after: BarKey | null, limit: number): Promise<OffMinuteGroup[]> {
    const rows = await this.table.query<{ symbol: string; minute: string; rows: string }[]>(
      OFF_MINUTE_PAGE_SQL,
      [
        after?.symbol ?? null,
        after === null ? null : new Date(after.minuteStartMs).toISOString(),
        limit,
      ],
    );
    return rows.map((row) => ({
      symbol: row.symbol,
      minuteStartMs: Number(row.minute),
      rowTimestampsMs: row.rows.split(',').map(Number),
    }));
  }

  /**
   * In one transaction: deletes the given off-minute rows of `symbol` and writes `bars` (REST
   * minutes) as final (REST_FINAL_SQL). Committed per call, so an interrupted
   * repair keeps what it finished; a repeated call finds nothing left to delete.
   */
  async replaceOffMinuteRows(
    symbol: string,
    rowTimestampsMs: readonly number[],
    bars: readonly MinuteBar[],
  ): Promise<{ deleted: number; written: number }> {
    try {
      return await this.table.manager.transaction(async (manager) => {
        // TypeORM answers a DELETE with [rows, affected count].
        const result = await manager.query<[unknown[], number]>(DELETE_OFF_MINUTE_ROWS_SQL, [
          symbol,
          rowTimestampsMs.map((ms) => new Date(ms).toISOString()),
        ]);
        const deleted = Number(result[1] ?? 0);
        const rows =
          bars.length === 0
            ? []
            : await manager.query<StoredBarRow[]>(
                REST_FINAL_SQL,
                columnParams(bars.map(wholeMinute)),
              );
        return { deleted, written: rows.length };
      });
    } catch (error) {
      throw new OhlcvWriteError(`replacing off-minute rows of ${symbol} failed`, { cause: error });
    }
  }
}
