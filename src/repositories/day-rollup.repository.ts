import type { DataSource } from 'typeorm';
import {
  COVERAGE_LOCK_SQL,
  COVERAGE_SQL,
  DAYS_ASC_SQL,
  DAYS_DESC_SQL,
  MATERIALIZE_SQL,
  ROLLUP_MAINTAINED_SQL,
} from './day-rollup.sql';
import { sqlStateOf } from './ohlcv-columns';
import { RepositoryError } from './repository-error';

/** A read-only server (a streaming replica): days are materialized on the primary only. */
const READ_ONLY_TRANSACTION = '25006';
/** 31-day steps: a year of history is materialized in ~12 short transactions. */
const MAX_STEPS = 10_000;

export interface DayRollupRow {
  bucket: number | string;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string | number;
  vwap: string | null;
  minutes: number;
}

export interface DayRollupWindow {
  symbol: string;
  /** Bucket starts (New York midnights), ascending, the first ≤ fromMs. */
  startsMs: readonly number[];
  /** Minutes in [fromMs, toMs), both New York midnights. */
  fromMs: number;
  toMs: number;
  regularOnly: boolean;
  order: 'asc' | 'desc';
  /** Days before this New York midnight may be materialized (today never is). */
  materializeBeforeMs: number;
}

/**
 * The daily roll-up: lazily materializes a symbol's closed days (31 at a time, oldest first)
 * and reads day-aligned buckets from materialized days plus the minutes after them. Exactness
 * does not depend on this class: the triggers recompute every materialized day a write touches.
 */
export class DayRollupRepository {
  private maintained: Promise<boolean> | null = null;
  private readOnly = false;
  /**
   * Coverage seen per symbol. Only decides whether to try materializing (coverage only moves
   * forward); the read itself takes coverage from the database, so a stale entry costs speed,
   * never exactness.
   */
  private readonly covered = new Map<string, number>();

  constructor(private readonly dataSource: DataSource) {}

  /** Null when the roll-up is not maintained here (the caller rolls up minutes instead). */
  async rollup(window: DayRollupWindow): Promise<DayRollupRow[] | null> {
    if (!(await this.isMaintained())) return null;
    const target = Math.min(window.toMs, window.materializeBeforeMs);
    if (!this.readOnly && target > window.fromMs) await this.materialize(window.symbol, target);
    return this.run<DayRollupRow>(window.order === 'asc' ? DAYS_ASC_SQL : DAYS_DESC_SQL, [
      window.symbol,
      window.startsMs.map((ms) => new Date(ms).toISOString()),
      new Date(window.fromMs).toISOString(),
      new Date(window.toMs).toISOString(),
      window.regularOnly,
    ]);
  }

  /** Moves `symbol`'s coverage up to `targetMs` (a New York midnight). */
  private async materialize(symbol: string, targetMs: number): Promise<void> {
    if ((this.covered.get(symbol) ?? -Infinity) >= targetMs) return;
    const seen = await this.run<{ through_ms: string }>(COVERAGE_SQL, [symbol]);
    if (seen.length > 0) this.covered.set(symbol, Number(seen[0].through_ms));
    if ((this.covered.get(symbol) ?? -Infinity) >= targetMs) return;
    const target = new Date(targetMs).toISOString();
    for (let step = 0; step < MAX_STEPS; step++) {
      let rows: { through_ms: string }[];
      try {
        rows = await this.step(symbol, target);
      } catch (error) {
        if (sqlStateOf(error) !== READ_ONLY_TRANSACTION)
          throw new RepositoryError('materializing daily bars failed', { cause: error });
        this.readOnly = true;
        return;
      }
      if (rows.length === 0) {
        // Nothing stored before the target: minutes written there later are read as minutes.
        this.covered.set(symbol, targetMs);
        return;
      }
      this.covered.set(symbol, Number(rows[0].through_ms));
      if (Number(rows[0].through_ms) >= targetMs) return;
    }
  }

  private step(symbol: string, target: string): Promise<{ through_ms: string }[]> {
    const parameters = [symbol, target];
    // PGlite is one session running one statement at a time: the statement alone is atomic,
    // and a transaction there would enclose whatever else the process runs meanwhile.
    if (this.isPglite()) return this.dataSource.query(MATERIALIZE_SQL, parameters);
    return this.dataSource.transaction(async (manager) => {
      await manager.query(COVERAGE_LOCK_SQL);
      return manager.query<{ through_ms: string }[]>(MATERIALIZE_SQL, parameters);
    });
  }

  private isMaintained(): Promise<boolean> {
    this.maintained ??= this.run<{ maintained: boolean }>(ROLLUP_MAINTAINED_SQL, []).then(
      (rows) => rows[0]?.maintained === true,
      (error: unknown) => {
        this.maintained = null;
        throw error;
      },
    );
    return this.maintained;
  }

  private isPglite(): boolean {
    return (this.dataSource.options as { driver?: unknown }).driver !== undefined;
  }

  private async run<T>(sql: string, parameters: unknown[]): Promise<T[]> {
    try {
      return await this.dataSource.query<T[]>(sql, parameters);
    } catch (error) {
      throw new RepositoryError('rolling up daily bars failed', { cause: error });
    }
  }
}
