/**
 * Retention deletes: one small batch per statement ($1 cutoff, $2 batch size), found through
 * the time column and deleted by ctid, so each statement holds its row locks only briefly and
 * ingest's upserts interleave between batches.
 */
export const DELETE_OLD_BARS_SQL = `
DELETE FROM ohlcv_1min WHERE ctid IN (
  SELECT ctid FROM ohlcv_1min WHERE symbol = $3 AND "timestamp" < $1::timestamptz LIMIT $2)`;

/** Bars are deleted symbol by symbol: a primary-key range each, on any schema (no time index needed). */
export const RETENTION_SYMBOLS_SQL = `SELECT symbol FROM symbols ORDER BY symbol`;

export const DELETE_OLD_PATTERNS_SQL = `
DELETE FROM patterns WHERE ctid IN (
  SELECT ctid FROM patterns WHERE "timestamp" < $1::timestamptz LIMIT $2)`;

/** TimescaleDB only: whole chunks older than the cutoff go at once (no row-by-row delete). */
export const DROP_OLD_CHUNKS_SQL = `SELECT count(*)::int AS dropped FROM drop_chunks('ohlcv_1min', older_than => $1::timestamptz)`;
