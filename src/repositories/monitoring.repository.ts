import type { SqlRunner } from './schema.repository';
import {
  BARS_PER_SYMBOL_LAST_HOUR_SQL,
  NEWEST_BAR_PER_SYMBOL_SQL,
  RECENT_WRITES_SQL,
} from './monitoring.sql';
import { ROLLUP_DRIFT_SQL } from './day-rollup.sql';

export interface NewestBar {
  symbol: string;
  minuteStartMs: number;
  volume: number;
}

/** Operator reads: the legacy monitoring queries and the newest bar per symbol. */
export class MonitoringRepository {
  constructor(private readonly runner: SqlRunner) {}

  async recentWrites(): Promise<number> {
    const rows = (await this.runner.query(RECENT_WRITES_SQL)) as { recent_writes: string }[];
    return Number(rows[0]?.recent_writes ?? 0);
  }

  /** Rows of the "bars per symbol in the last hour" query. */
  async barsPerSymbolLastHour(): Promise<number> {
    return ((await this.runner.query(BARS_PER_SYMBOL_LAST_HOUR_SQL)) as unknown[]).length;
  }

  /** The newest `limit` materialized daily roll-up rows checked against their minutes. */
  async dailyRollupDrift(limit = 500): Promise<{ days: number; differing: number }> {
    const rows = (await this.runner.query(ROLLUP_DRIFT_SQL, [limit])) as {
      days: number;
      differing: number;
    }[];
    return { days: Number(rows[0]?.days ?? 0), differing: Number(rows[0]?.differing ?? 0) };
  }

  async newestBars(): Promise<NewestBar[]> {
    const rows = (await this.runner.query(NEWEST_BAR_PER_SYMBOL_SQL)) as {
      symbol: string;
      ms: string;
      volume: string;
    }[];
    return rows.map((r) => ({
      symbol: r.symbol,
      minuteStartMs: Number(r.ms),
      volume: Number(r.volume),
    }));
  }
}
