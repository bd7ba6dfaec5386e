/**
 * The daily roll-up of `ohlcv_1min` (see docs/DESIGN.md, "Daily roll-ups"): tables, and the
 * triggers that keep it exact under every writer (live flushes, corrections, REST fills and
 * re-checks, retention, db:repair, hand-written SQL).
 *
 * - `bar_rollup_coverage(symbol, through)`: every New York day of `symbol` starting before
 *   `through` is materialized in `bar_rollup_day`, one row per non-empty (day, session).
 *   `through` only moves forward, under an exclusive advisory lock (the materializer).
 * - A write of minutes older than their symbol's `through` recomputes those days in the same
 *   transaction. Writers hold the same advisory lock shared, so a day can never be materialized
 *   from a snapshot that misses a write still in flight; recomputes take a second lock
 *   exclusively, so the last recompute of a day always sees every committed write.
 * - Live flushes write minutes at or past `through` (today is never materialized): the trigger
 *   costs them one shared lock, one index probe and a scan of the changed rows.
 */

/** pg_advisory_xact_lock(classid, objid): "Tick", 12 = coverage, 13 = recompute. */
export const ROLLUP_LOCK = { classid: 0x5469636b, coverage: 12, recompute: 13 } as const;

const NY = `'America/New_York'`;

/** Minutes of the regular session: 09:30 ≤ New York time < 16:00. */
export const REGULAR_MINUTE = (column: string): string =>
  `((${column} AT TIME ZONE ${NY})::time >= TIME '09:30' AND (${column} AT TIME ZONE ${NY})::time < TIME '16:00')`;

export const DAY_ROLLUP_TABLES = [
  `CREATE TABLE bar_rollup_day (
    symbol varchar(20) NOT NULL,
    regular boolean NOT NULL,
    day_start timestamptz NOT NULL,
    open numeric NOT NULL,
    high numeric NOT NULL,
    low numeric NOT NULL,
    close numeric NOT NULL,
    volume numeric NOT NULL,
    vwap_sum numeric,
    vwap_volume numeric,
    minutes integer NOT NULL,
    PRIMARY KEY (symbol, regular, day_start)
  )`,
  `CREATE TABLE bar_rollup_coverage (
    symbol varchar(20) PRIMARY KEY,
    through timestamptz NOT NULL
  )`,
  `CREATE INDEX bar_rollup_coverage_through ON bar_rollup_coverage (through)`,
];

/**
 * The aggregate columns of one (symbol, session, day) from minutes `m`: open/close of the
 * earliest/latest minute (arrays compare element-wise), and the VWAP's exact numerator and
 * denominator so that any roll-up of days divides exactly as one over minutes would.
 */
export const DAY_AGGREGATES = `(min(ARRAY[extract(epoch FROM m."timestamp")::numeric, m.open]))[2],
    max(m.high), min(m.low),
    (max(ARRAY[extract(epoch FROM m."timestamp")::numeric, m.close]))[2],
    sum(m.volume), sum(m.vwap * m.volume), sum(m.volume) FILTER (WHERE m.vwap IS NOT NULL),
    count(*)::int`;

const COLUMNS = `symbol, regular, day_start, open, high, low, close, volume, vwap_sum, vwap_volume, minutes`;

export const DAY_ROLLUP_FUNCTIONS = [
  // Recompute the given (symbol, day) pairs from the stored minutes (a day left empty loses its rows).
  `CREATE FUNCTION bar_rollup_recompute(syms varchar[], days timestamptz[]) RETURNS void
  LANGUAGE sql VOLATILE AS $fn$
    DELETE FROM bar_rollup_day d USING unnest(syms, days) AS a(symbol, day)
    WHERE d.symbol = a.symbol AND d.day_start = a.day;
    INSERT INTO bar_rollup_day (${COLUMNS})
    SELECT a.symbol, s.regular, a.day, ${DAY_AGGREGATES}
    FROM unnest(syms, days) AS a(symbol, day)
    CROSS JOIN (VALUES (false), (true)) AS s(regular)
    JOIN ohlcv_1min m ON m.symbol = a.symbol AND m."timestamp" >= a.day
      AND m."timestamp" < ((a.day AT TIME ZONE ${NY}) + interval '1 day') AT TIME ZONE ${NY}
      AND (NOT s.regular OR ${REGULAR_MINUTE('m."timestamp"')})
    GROUP BY a.symbol, s.regular, a.day;
  $fn$`,
  `CREATE FUNCTION bar_rollup_on_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
  DECLARE
    horizon timestamptz;
    syms varchar[];
    days timestamptz[];
  BEGIN
    PERFORM pg_advisory_xact_lock_shared(${ROLLUP_LOCK.classid}, ${ROLLUP_LOCK.coverage});
    SELECT max(through) INTO horizon FROM bar_rollup_coverage;
    IF horizon IS NULL OR NOT EXISTS (SELECT 1 FROM changed_minutes WHERE "timestamp" < horizon) THEN
      RETURN NULL;
    END IF;
    SELECT array_agg(a.symbol), array_agg(a.day) INTO syms, days FROM (
      SELECT DISTINCT m.symbol, date_trunc('day', m."timestamp", ${NY}) AS day
      FROM changed_minutes m JOIN bar_rollup_coverage c ON c.symbol = m.symbol
      WHERE m."timestamp" < c.through) a;
    IF syms IS NULL THEN
      RETURN NULL;
    END IF;
    PERFORM pg_advisory_xact_lock(${ROLLUP_LOCK.classid}, ${ROLLUP_LOCK.recompute});
    PERFORM bar_rollup_recompute(syms, days);
    RETURN NULL;
  END $fn$`,
  // An UPDATE that moves a minute (symbol or timestamp in its SET list: never the upserts'):
  // the day it left is recomputed too.
  `CREATE FUNCTION bar_rollup_on_move() RETURNS trigger LANGUAGE plpgsql AS $fn$
  BEGIN
    PERFORM pg_advisory_xact_lock_shared(${ROLLUP_LOCK.classid}, ${ROLLUP_LOCK.coverage});
    IF EXISTS (SELECT 1 FROM bar_rollup_coverage c WHERE c.symbol = OLD.symbol AND OLD."timestamp" < c.through) THEN
      PERFORM pg_advisory_xact_lock(${ROLLUP_LOCK.classid}, ${ROLLUP_LOCK.recompute});
      PERFORM bar_rollup_recompute(ARRAY[OLD.symbol]::varchar[], ARRAY[date_trunc('day', OLD."timestamp", ${NY})]);
    END IF;
    RETURN NULL;
  END $fn$`,
  `CREATE FUNCTION bar_rollup_on_truncate() RETURNS trigger LANGUAGE plpgsql AS $fn$
  BEGIN
    PERFORM pg_advisory_xact_lock(${ROLLUP_LOCK.classid}, ${ROLLUP_LOCK.coverage});
    DELETE FROM bar_rollup_coverage;
    DELETE FROM bar_rollup_day;
    RETURN NULL;
  END $fn$`,
];

export const DAY_ROLLUP_TRIGGERS = [
  `CREATE TRIGGER ohlcv_1min_rollup_insert AFTER INSERT ON ohlcv_1min
    REFERENCING NEW TABLE AS changed_minutes FOR EACH STATEMENT EXECUTE FUNCTION bar_rollup_on_change()`,
  `CREATE TRIGGER ohlcv_1min_rollup_update AFTER UPDATE ON ohlcv_1min
    REFERENCING NEW TABLE AS changed_minutes FOR EACH STATEMENT EXECUTE FUNCTION bar_rollup_on_change()`,
  `CREATE TRIGGER ohlcv_1min_rollup_delete AFTER DELETE ON ohlcv_1min
    REFERENCING OLD TABLE AS changed_minutes FOR EACH STATEMENT EXECUTE FUNCTION bar_rollup_on_change()`,
  `CREATE TRIGGER ohlcv_1min_rollup_move AFTER UPDATE OF symbol, "timestamp" ON ohlcv_1min
    FOR EACH ROW EXECUTE FUNCTION bar_rollup_on_move()`,
  `CREATE TRIGGER ohlcv_1min_rollup_truncate AFTER TRUNCATE ON ohlcv_1min
    FOR EACH STATEMENT EXECUTE FUNCTION bar_rollup_on_truncate()`,
];

/** The trigger whose presence tells readers the roll-up is maintained (absent on a hypertable). */
export const ROLLUP_TRIGGER_NAME = 'ohlcv_1min_rollup_insert';

export const DROP_DAY_ROLLUP = [
  `DROP TRIGGER IF EXISTS ohlcv_1min_rollup_insert ON ohlcv_1min`,
  `DROP TRIGGER IF EXISTS ohlcv_1min_rollup_update ON ohlcv_1min`,
  `DROP TRIGGER IF EXISTS ohlcv_1min_rollup_delete ON ohlcv_1min`,
  `DROP TRIGGER IF EXISTS ohlcv_1min_rollup_move ON ohlcv_1min`,
  `DROP TRIGGER IF EXISTS ohlcv_1min_rollup_truncate ON ohlcv_1min`,
  `DROP FUNCTION IF EXISTS bar_rollup_on_change()`,
  `DROP FUNCTION IF EXISTS bar_rollup_on_move()`,
  `DROP FUNCTION IF EXISTS bar_rollup_on_truncate()`,
  `DROP FUNCTION IF EXISTS bar_rollup_recompute(varchar[], timestamptz[])`,
  `DROP TABLE IF EXISTS bar_rollup_day`,
  `DROP TABLE IF EXISTS bar_rollup_coverage`,
];
