import type { StoredBar } from '../domain/stored-bar';

/** A bar row as the SQL of this project selects it: prices cast to text, so NUMERIC stays exact. */
export interface StoredBarRow {
  symbol: string;
  timestamp: Date | string;
  open: string;
  high: string;
  low: string;
  close: string;
  /** bigint: text from pg, a number from PGlite. */
  volume: string | number;
  vwap: string | null;
}

export function toStoredBar(row: StoredBarRow): StoredBar {
  return {
    symbol: row.symbol,
    timestamp: row.timestamp instanceof Date ? row.timestamp : new Date(row.timestamp),
    open: row.open,
    high: row.high,
    low: row.low,
    close: row.close,
    volume: Number(row.volume),
    vwap: row.vwap,
  };
}
