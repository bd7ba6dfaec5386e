/**
 * The set-based statements of the ohlcv repository. Every write is one `INSERT … SELECT FROM
 * unnest(…)` with one array parameter per column ($1 symbol … $11 seconds_mask), so a batch
 * never meets PostgreSQL's 65,535-parameter limit and TypeORM adds no per-row cost.
 */

const COLUMNS = `symbol, "timestamp", open, high, low, close, volume, vwap, open_second, close_second, seconds_mask`;
const UNNEST = `unnest($1::varchar[], $2::timestamptz[], $3::numeric[], $4::numeric[], $5::numeric[],
  $6::numeric[], $7::bigint[], $8::numeric[], $9::smallint[], $10::smallint[], $11::bigint[])`;
const RETURNING = `RETURNING symbol, "timestamp", open::text AS open, high::text AS high, low::text AS low,
  close::text AS close, volume::text AS volume, vwap::text AS vwap`;

/**
 * Merges a delta of seconds into the stored bar. Every expression reads the row's old values.
 * The WHERE makes the merge exactly-once: a delta any of whose seconds is already counted
 * (a retried batch, a re-delivered second) changes nothing and is not returned.
 */
export const UPSERT_DELTAS_SQL = `
INSERT INTO ohlcv_1min AS b (${COLUMNS})
SELECT * FROM ${UNNEST}
ON CONFLICT (symbol, "timestamp") DO UPDATE SET
  open = CASE WHEN EXCLUDED.open_second < b.open_second THEN EXCLUDED.open ELSE b.open END,
  open_second = LEAST(b.open_second, EXCLUDED.open_second),
  close = CASE WHEN EXCLUDED.close_second > b.close_second THEN EXCLUDED.close ELSE b.close END,
  close_second = GREATEST(b.close_second, EXCLUDED.close_second),
  high = GREATEST(b.high, EXCLUDED.high),
  low = LEAST(b.low, EXCLUDED.low),
  volume = b.volume + EXCLUDED.volume,
  vwap = CASE
    WHEN EXCLUDED.vwap IS NULL THEN b.vwap
    WHEN b.vwap IS NULL OR b.volume + EXCLUDED.volume = 0 THEN EXCLUDED.vwap
    ELSE trim_scale(round((b.vwap * b.volume + EXCLUDED.vwap * EXCLUDED.volume) / (b.volume + EXCLUDED.volume), 6))
  END,
  seconds_mask = b.seconds_mask | EXCLUDED.seconds_mask
WHERE (b.seconds_mask & EXCLUDED.seconds_mask) = 0
${RETURNING}`;

const OVERWRITE = `
  open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close,
  volume = EXCLUDED.volume, vwap = EXCLUDED.vwap, open_second = EXCLUDED.open_second,
  close_second = EXCLUDED.close_second, seconds_mask = EXCLUDED.seconds_mask`;

/**
 * A whole bar recomputed after a correction replaces the stored row, but only when the row
 * counts no second the bar lacks (else someone else — a REST fill — wrote seconds this process
 * never saw, and the row is left for the REST re-check). Rewriting the same bar twice is a no-op.
 */
export const REWRITE_SQL = `
INSERT INTO ohlcv_1min AS b (${COLUMNS})
SELECT * FROM ${UNNEST}
ON CONFLICT (symbol, "timestamp") DO UPDATE SET ${OVERWRITE}
WHERE (b.seconds_mask & ~EXCLUDED.seconds_mask) = 0
${RETURNING}`;

/**
 * REST minutes written promptly to fill a gap (REST may still lag): whole minutes, all 60 seconds
 * marked counted, but never over a stored row that already holds more volume (live seconds a
 * lagging REST minute does not have yet). The final re-check replaces them unconditionally.
 */
export const REST_PROMPT_SQL = `
INSERT INTO ohlcv_1min AS b (${COLUMNS})
SELECT * FROM ${UNNEST}
ON CONFLICT (symbol, "timestamp") DO UPDATE SET ${OVERWRITE}
WHERE EXCLUDED.volume >= b.volume
${RETURNING}`;

/** REST minutes after their correction window closed (final): overwrite, all 60 seconds counted. */
export const REST_FINAL_SQL = `
INSERT INTO ohlcv_1min AS b (${COLUMNS})
SELECT * FROM ${UNNEST}
ON CONFLICT (symbol, "timestamp") DO UPDATE SET ${OVERWRITE}
${RETURNING}`;

/**
 * Of the given refused writes, those that held seconds the stored row does not have (a merge)
 * or whose row counts seconds the write lacks (a rewrite): their data is not in the row.
 */
export const REFUSED_KEYS_SQL = `
SELECT u.symbol, (extract(epoch FROM u.ts) * 1000)::float8 AS minute_ms
FROM unnest($1::varchar[], $2::timestamptz[], $3::bigint[], $4::boolean[]) AS u(symbol, ts, mask, rewrite)
JOIN ohlcv_1min o ON o.symbol = u.symbol AND o."timestamp" = u.ts
WHERE CASE WHEN u.rewrite THEN (o.seconds_mask & ~u.mask) <> 0
           ELSE (o.seconds_mask & u.mask) <> u.mask END`;

/** Stored minutes of one symbol in [from, to], for comparing with REST (reconciliation). */
export const READ_RANGE_SQL = `
SELECT symbol, "timestamp", open::text AS open, high::text AS high, low::text AS low,
       close::text AS close, volume::text AS volume, vwap::text AS vwap
FROM ohlcv_1min WHERE symbol = $1 AND "timestamp" BETWEEN $2 AND $3 ORDER BY "timestamp"`;

/** Stored rows of the given keys, for seeding bars an earlier lifetime began. */
export const READ_STATES_SQL = `
SELECT o.symbol, o."timestamp", o.open::text AS open, o.high::text AS high, o.low::text AS low,
       o.close::text AS close, o.volume::text AS volume, o.vwap::text AS vwap,
       o.open_second, o.close_second, o.seconds_mask::text AS mask
FROM unnest($1::varchar[], $2::timestamptz[]) AS k(symbol, ts)
JOIN ohlcv_1min o ON o.symbol = k.symbol AND o."timestamp" = k.ts`;

/**
 * Newest stored minute per symbol: one backward probe of the primary key per symbol (a loose
 * index scan), instead of a GROUP BY over the whole table.
 */
export const LATEST_ALL_SQL = `
SELECT s.symbol, (SELECT o."timestamp" FROM ohlcv_1min o WHERE o.symbol = s.symbol
                  ORDER BY o."timestamp" DESC LIMIT 1) AS latest
FROM symbols s`;
export const LATEST_SOME_SQL = `
SELECT s.symbol, (SELECT o."timestamp" FROM ohlcv_1min o WHERE o.symbol = s.symbol
                  ORDER BY o."timestamp" DESC LIMIT 1) AS latest
FROM unnest($1::varchar[]) AS s(symbol)`;

/**
 * Legacy rows not on a minute boundary (the old writer keyed rows by a second's window end),
 * grouped by symbol and the minute they belong to, after the keyset ($1 symbol, $2 minute;
 * null = from the start), at most $3 minutes. Timestamps as Unix ms text.
 */
export const OFF_MINUTE_PAGE_SQL = `
SELECT symbol, (extract(epoch FROM date_trunc('minute', "timestamp")) * 1000)::bigint::text AS minute,
       string_agg((extract(epoch FROM "timestamp") * 1000)::bigint::text, ',' ORDER BY "timestamp") AS rows
FROM ohlcv_1min
WHERE date_trunc('minute', "timestamp") <> "timestamp"
  AND ($1::varchar IS NULL OR (symbol, date_trunc('minute', "timestamp")) > ($1::varchar, $2::timestamptz))
GROUP BY symbol, date_trunc('minute', "timestamp")
ORDER BY symbol, date_trunc('minute', "timestamp")
LIMIT $3`;

/** Totals of the off-minute rows: rows, (symbol, minute) pairs, symbols. */
export const OFF_MINUTE_TOTALS_SQL = `
SELECT count(*)::text AS rows, count(DISTINCT (symbol, date_trunc('minute', "timestamp")))::text AS minutes,
       count(DISTINCT symbol)::text AS symbols
FROM ohlcv_1min WHERE date_trunc('minute', "timestamp") <> "timestamp"`;

/** Deletes the rows of symbol $1 at exactly the timestamps $2 (off-minute legacy rows only). */
export const DELETE_OFF_MINUTE_ROWS_SQL = `
DELETE FROM ohlcv_1min
WHERE symbol = $1 AND "timestamp" = ANY($2::timestamptz[])
  AND date_trunc('minute', "timestamp") <> "timestamp"`;

/** Of $1, the symbols with any stored minute in [$2, $3) (one index probe each). */
export const SYMBOLS_WITH_MINUTES_SQL = `SELECT s.symbol FROM unnest($1::varchar[]) AS s(symbol)
WHERE EXISTS (SELECT 1 FROM ohlcv_1min o WHERE o.symbol = s.symbol
  AND o."timestamp" >= $2::timestamptz AND o."timestamp" < $3::timestamptz)`;
