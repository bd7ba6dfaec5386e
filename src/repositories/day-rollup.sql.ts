import {
  DAY_AGGREGATES,
  REGULAR_MINUTE,
  ROLLUP_LOCK,
  ROLLUP_TRIGGER_NAME,
} from '../migrations/day-rollup-ddl';

/**
 * Statements over the daily roll-up (`bar_rollup_day`, `bar_rollup_coverage`; schema and
 * triggers in src/migrations/day-rollup-ddl.ts).
 */

const NY = `'America/New_York'`;

/** Whether the triggers that keep the roll-up exact exist (not on a TimescaleDB hypertable). */
export const ROLLUP_MAINTAINED_SQL = `SELECT EXISTS (SELECT 1 FROM pg_trigger
  WHERE tgname = '${ROLLUP_TRIGGER_NAME}' AND tgrelid = to_regclass('ohlcv_1min')) AS maintained`;

/** $1's coverage (ms), no row when none. */
export const COVERAGE_SQL = `SELECT (extract(epoch FROM through) * 1000)::bigint::text AS through_ms
  FROM bar_rollup_coverage WHERE symbol = $1`;

/** Taken by a materializer on PostgreSQL before MATERIALIZE_SQL, in the same transaction. */
export const COVERAGE_LOCK_SQL = `SELECT pg_advisory_xact_lock(${ROLLUP_LOCK.classid}, ${ROLLUP_LOCK.coverage})`;

/**
 * Materializes the next stretch (≤ 31 days) of $1's days, from its coverage (or its first stored
 * minute's day) up to at most $2 (a New York midnight), and moves coverage there. Returns the
 * new `through` (ms), or no row when there was nothing below $2 to do. One statement, one
 * snapshot: on PostgreSQL it runs under the exclusive coverage lock, so no write is in flight.
 */
export const MATERIALIZE_SQL = `
WITH start AS (
  SELECT COALESCE(
    (SELECT through FROM bar_rollup_coverage WHERE symbol = $1::varchar),
    date_trunc('day', (SELECT "timestamp" FROM ohlcv_1min WHERE symbol = $1::varchar ORDER BY "timestamp" LIMIT 1), ${NY})
  ) AS lo
), span AS (
  SELECT lo, LEAST($2::timestamptz, ((lo AT TIME ZONE ${NY}) + interval '31 days') AT TIME ZONE ${NY}) AS hi
  FROM start WHERE lo < $2::timestamptz
), days AS (
  INSERT INTO bar_rollup_day (symbol, regular, day_start, open, high, low, close, volume, vwap_sum, vwap_volume, minutes)
  SELECT $1::varchar, s.regular, date_trunc('day', m."timestamp", ${NY}), ${DAY_AGGREGATES}
  FROM span
  JOIN ohlcv_1min m ON m.symbol = $1::varchar AND m."timestamp" >= span.lo AND m."timestamp" < span.hi
  CROSS JOIN (VALUES (false), (true)) AS s(regular)
  WHERE NOT s.regular OR ${REGULAR_MINUTE('m."timestamp"')}
  GROUP BY s.regular, 3
  ON CONFLICT (symbol, regular, day_start) DO UPDATE SET open = EXCLUDED.open, high = EXCLUDED.high,
    low = EXCLUDED.low, close = EXCLUDED.close, volume = EXCLUDED.volume, vwap_sum = EXCLUDED.vwap_sum,
    vwap_volume = EXCLUDED.vwap_volume, minutes = EXCLUDED.minutes
  RETURNING 1
), moved AS (
  INSERT INTO bar_rollup_coverage (symbol, through) SELECT $1::varchar, hi FROM span
  ON CONFLICT (symbol) DO UPDATE SET through = EXCLUDED.through
  RETURNING through
)
SELECT (extract(epoch FROM through) * 1000)::bigint::text AS through_ms,
  (SELECT count(*) FROM days)::int AS days
FROM moved`;

/**
 * Bars of day-aligned buckets ($2: starts, ascending, the first ≤ $3) for minutes in [$3, $4)
 * (New York midnights), $5 = regular session only: materialized days before $1's coverage,
 * stored minutes from there on, in one statement (one snapshot: a write that recomputes days is
 * seen whole or not at all). Open/close pick the earliest/latest part; VWAP divides the exact
 * sums, so every value equals the roll-up of the minutes themselves.
 */
function daysSql(order: 'ASC' | 'DESC'): string {
  return `
WITH cov AS (
  SELECT COALESCE((SELECT through FROM bar_rollup_coverage WHERE symbol = $1), '-infinity'::timestamptz) AS t
), parts AS (
  SELECT d.day_start AS ts, d.open, d.high, d.low, d.close, d.volume, d.vwap_sum, d.vwap_volume, d.minutes
  FROM bar_rollup_day d, cov
  WHERE d.symbol = $1 AND d.regular = $5::boolean AND d.day_start >= $3::timestamptz
    AND d.day_start < LEAST($4::timestamptz, cov.t)
  UNION ALL
  SELECT m."timestamp", m.open, m.high, m.low, m.close, m.volume::numeric, m.vwap * m.volume,
    CASE WHEN m.vwap IS NOT NULL THEN m.volume::numeric END, 1
  FROM ohlcv_1min m, cov
  WHERE m.symbol = $1 AND m."timestamp" >= GREATEST($3::timestamptz, cov.t) AND m."timestamp" < $4::timestamptz
    AND ($5::boolean IS NOT TRUE OR ${REGULAR_MINUTE('m."timestamp"')})
)
SELECT width_bucket(ts, $2::timestamptz[]) AS bucket,
  (min(ARRAY[extract(epoch FROM ts)::numeric, open]))[2]::text AS open,
  max(high)::text AS high, min(low)::text AS low,
  (max(ARRAY[extract(epoch FROM ts)::numeric, close]))[2]::text AS close,
  sum(volume)::text AS volume,
  round(sum(vwap_sum) / NULLIF(sum(vwap_volume), 0), 6)::text AS vwap,
  sum(minutes)::int AS minutes
FROM parts
GROUP BY 1
ORDER BY 1 ${order}`;
}

export const DAYS_ASC_SQL = daysSql('ASC');
export const DAYS_DESC_SQL = daysSql('DESC');

/**
 * `npm run validate`: the newest $1 materialized (symbol, session, day) rows recomputed from
 * their minutes; `differing` counts rows whose values are not the minutes' roll-up (0 when exact).
 */
export const ROLLUP_DRIFT_SQL = `
SELECT count(*)::int AS days, count(*) FILTER (WHERE r.minutes IS DISTINCT FROM d.minutes
    OR r.volume IS DISTINCT FROM d.volume OR r.high IS DISTINCT FROM d.high OR r.low IS DISTINCT FROM d.low
    OR r.open IS DISTINCT FROM d.open OR r.close IS DISTINCT FROM d.close
    OR r.vwap_sum IS DISTINCT FROM d.vwap_sum OR r.vwap_volume IS DISTINCT FROM d.vwap_volume)::int AS differing
FROM (SELECT * FROM bar_rollup_day ORDER BY day_start DESC LIMIT $1) d
CROSS JOIN LATERAL (
  SELECT ${DAY_AGGREGATES}
  FROM ohlcv_1min m WHERE m.symbol = d.symbol AND m."timestamp" >= d.day_start
    AND m."timestamp" < ((d.day_start AT TIME ZONE ${NY}) + interval '1 day') AT TIME ZONE ${NY}
    AND (NOT d.regular OR ${REGULAR_MINUTE('m."timestamp"')})
) AS r(open, high, low, close, volume, vwap_sum, vwap_volume, minutes)`;
