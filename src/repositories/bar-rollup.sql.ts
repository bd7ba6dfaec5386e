/**
 * Roll-ups of `ohlcv_1min` into bars of any timeframe, in one GROUP BY over a primary-key
 * range scan (symbol = $1 AND "timestamp" in [$3, $4)). Only the bucket expression differs:
 * fixed-width buckets (sizes dividing an hour) are `date_bin` from the epoch; every other
 * timeframe gets its bucket starts computed by the service on the New York clock (one rule,
 * src/services/timeframe-buckets.ts) and passed as a sorted array, which `width_bucket`
 * binary-searches — so the SQL holds no time-zone rule except the session filter.
 *
 * open/close: `min/max(ARRAY[epoch, price])` picks the price of the earliest/latest minute
 * without sorting (arrays compare element by element). Prices stay NUMERIC, read as text.
 * $5: true = regular session only (09:30 ≤ New York time < 16:00).
 */
const SESSION_FILTER = `($5::boolean IS NOT TRUE OR (("timestamp" AT TIME ZONE 'America/New_York')::time >= TIME '09:30'
    AND ("timestamp" AT TIME ZONE 'America/New_York')::time < TIME '16:00'))`;

function rollupSql(bucket: string, order: 'ASC' | 'DESC'): string {
  return `SELECT ${bucket} AS bucket,
  (min(ARRAY[extract(epoch FROM "timestamp")::numeric, open]))[2]::text AS open,
  max(high)::text AS high, min(low)::text AS low,
  (max(ARRAY[extract(epoch FROM "timestamp")::numeric, close]))[2]::text AS close,
  sum(volume)::text AS volume,
  round(sum(vwap * volume) / NULLIF(sum(volume) FILTER (WHERE vwap IS NOT NULL), 0), 6)::text AS vwap,
  count(*)::int AS minutes
FROM ohlcv_1min
WHERE symbol = $1 AND "timestamp" >= $3::timestamptz AND "timestamp" < $4::timestamptz
  AND ${SESSION_FILTER}
GROUP BY 1
ORDER BY 1 ${order}`;
}

/** $2: the bucket width as an interval ('300000 milliseconds'). */
const FIXED_BUCKET = `date_bin($2::interval, "timestamp", TIMESTAMPTZ 'epoch')`;
/**
 * $2: the bucket starts, ascending, the first <= $3. Only the 1-based index is grouped on (the
 * repository maps it back to the start): subscripting the array per row copies it per row,
 * which measured ~3× slower on a year of minutes.
 */
const LISTED_BUCKET = `width_bucket("timestamp", $2::timestamptz[])`;

export const ROLLUP_FIXED_ASC_SQL = rollupSql(FIXED_BUCKET, 'ASC');
export const ROLLUP_FIXED_DESC_SQL = rollupSql(FIXED_BUCKET, 'DESC');
export const ROLLUP_LISTED_ASC_SQL = rollupSql(LISTED_BUCKET, 'ASC');
export const ROLLUP_LISTED_DESC_SQL = rollupSql(LISTED_BUCKET, 'DESC');

/** The first (ASC) or last (DESC) stored minute of $1 in [$2, $3), session-aware ($5 … as $4). */
function edgeSql(order: 'ASC' | 'DESC'): string {
  return `SELECT "timestamp" FROM ohlcv_1min
WHERE symbol = $1 AND "timestamp" >= $2::timestamptz AND "timestamp" < $3::timestamptz
  AND ${SESSION_FILTER.replaceAll('$5', '$4')}
ORDER BY "timestamp" ${order}
LIMIT 1`;
}

export const FIRST_MINUTE_SQL = edgeSql('ASC');
export const LAST_MINUTE_SQL = edgeSql('DESC');
