import type { DataSource } from 'typeorm';

/** A patterns row read back with plain SQL: ids and prices as text, times as epoch ms text. */
export interface PatternRow {
  id: string;
  symbol: string;
  pattern: string;
  direction: string;
  confidence: number;
  price: string;
  price_change: number;
  ts: string;
  expires: string;
  indicators: Record<string, number> | string;
  source: string;
}

/**
 * The patterns table read independently of the repository, newest first; `where` (with `$n`
 * parameters) and `limit` narrow it as the API under test would.
 */
export function readPatternRows(
  dataSource: DataSource,
  where = 'true',
  params: unknown[] = [],
  limit = 100_000,
): Promise<PatternRow[]> {
  return dataSource.query<PatternRow[]>(
    `SELECT id::text AS id, symbol, pattern, direction, confidence, price::text AS price, price_change,
            (extract(epoch FROM timestamp) * 1000)::bigint::text AS ts,
            (extract(epoch FROM expires_at) * 1000)::bigint::text AS expires, indicators, source
       FROM patterns WHERE ${where} ORDER BY patterns.timestamp DESC, patterns.id DESC LIMIT ${limit}`,
    params,
  );
}
