import type { DataSource } from 'typeorm';
import type { AggregateBar } from '../domain/aggregate-bar';
import {
  FIRST_MINUTE_SQL,
  LAST_MINUTE_SQL,
  ROLLUP_FIXED_ASC_SQL,
  ROLLUP_FIXED_DESC_SQL,
  ROLLUP_LISTED_ASC_SQL,
  ROLLUP_LISTED_DESC_SQL,
} from './bar-rollup.sql';
import { RepositoryError } from './repository-error';
import { DayRollupRepository, type DayRollupWindow } from './day-rollup.repository';

/** Which buckets one roll-up statement forms. */
export type RollupBuckets =
  /** Fixed width from the epoch (a size dividing an hour). */
  | { kind: 'fixed'; stepMs: number }
  /** Explicit starts, ascending; the first at or before the window's start. */
  | { kind: 'listed'; startsMs: readonly number[] };

export interface RollupWindow {
  symbol: string;
  buckets: RollupBuckets;
  /** Minutes with timestamp in [fromMs, toMs). */
  fromMs: number;
  toMs: number;
  regularOnly: boolean;
  order: 'asc' | 'desc';
}

interface RollupRow {
  /** The bucket start (fixed buckets) or its 1-based index in the listed starts. */
  bucket: Date | string | number;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string | number;
  vwap: string | null;
  minutes: number;
}

/**
 * Bars of any timeframe from `ohlcv_1min` (the read side; the writer's tables are not touched).
 * Works on PGlite and PostgreSQL alike (date_bin, width_bucket: PostgreSQL ≥ 14). Throws
 * RepositoryError.
 */
export class BarRollupRepository {
  private readonly days: DayRollupRepository;

  constructor(private readonly dataSource: DataSource) {
    this.days = new DayRollupRepository(dataSource);
  }

  /**
   * Day-aligned buckets (days, weeks, months) through the daily roll-up where it is maintained
   * (materialized closed days + the minutes after them), else from minutes alone. Same values.
   */
  async rollupDays(window: DayRollupWindow): Promise<AggregateBar[]> {
    const rows = await this.days.rollup(window);
    if (rows === null)
      return this.rollup({ ...window, buckets: { kind: 'listed', startsMs: window.startsMs } });
    return rows.map((row) =>
      toAggregateBar(window.symbol, row, new Date(window.startsMs[Number(row.bucket) - 1])),
    );
  }

  /** The non-empty buckets of one window, in `order`. */
  async rollup(window: RollupWindow): Promise<AggregateBar[]> {
    const { buckets, order } = window;
    const sql =
      buckets.kind === 'fixed'
        ? order === 'asc'
          ? ROLLUP_FIXED_ASC_SQL
          : ROLLUP_FIXED_DESC_SQL
        : order === 'asc'
          ? ROLLUP_LISTED_ASC_SQL
          : ROLLUP_LISTED_DESC_SQL;
    const bucketParameter =
      buckets.kind === 'fixed'
        ? `${buckets.stepMs} milliseconds`
        : buckets.startsMs.map((ms) => new Date(ms).toISOString());
    const rows = await this.run<RollupRow>(sql, [
      window.symbol,
      bucketParameter,
      new Date(window.fromMs).toISOString(),
      new Date(window.toMs).toISOString(),
      window.regularOnly,
    ]);
    const startOf = (row: RollupRow): Date =>
      buckets.kind === 'fixed'
        ? new Date(row.bucket)
        : new Date(buckets.startsMs[Number(row.bucket) - 1]);
    return rows.map((row) => toAggregateBar(window.symbol, row, startOf(row)));
  }

  /** The first ('asc') or last ('desc') stored minute in [fromMs, toMs), or null. */
  async edgeMinute(
    symbol: string,
    fromMs: number,
    toMs: number,
    regularOnly: boolean,
    edge: 'asc' | 'desc',
  ): Promise<number | null> {
    const rows = await this.run<{ timestamp: Date | string }>(
      edge === 'asc' ? FIRST_MINUTE_SQL : LAST_MINUTE_SQL,
      [symbol, new Date(fromMs).toISOString(), new Date(toMs).toISOString(), regularOnly],
    );
    return rows.length === 0 ? null : new Date(rows[0].timestamp).getTime();
  }

  private async run<T>(sql: string, parameters: unknown[]): Promise<T[]> {
    try {
      return await this.dataSource.query<T[]>(sql, parameters);
    } catch (error) {
      throw new RepositoryError('rolling up bars failed', { cause: error });
    }
  }
}

function toAggregateBar(symbol: string, row: RollupRow, start: Date): AggregateBar {
  return {
    symbol,
    timestamp: start,
    open: row.open,
    high: row.high,
    low: row.low,
    close: row.close,
    volume: Number(row.volume),
    vwap: row.vwap,
    minutes: Number(row.minutes),
  };
}
