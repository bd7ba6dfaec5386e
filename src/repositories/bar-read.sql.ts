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
