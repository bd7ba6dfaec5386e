/**
 * The statements on the `patterns` table. Writes are one `unnest` statement per batch (no
 * parameter-count limit, one round trip); reads go newest first. Statement texts keep the
 * indentation they were written with, so logs and pg_stat_statements stay comparable.
 */

export const PATTERN_COLUMNS = `id, symbol, pattern, direction, confidence, price, price_change, timestamp, expires_at, indicators, source`;

/** A batch in one statement; rows whose (symbol, pattern, timestamp) exist are skipped. */
export const INSERT_PATTERNS_SQL = `INSERT INTO patterns (symbol, pattern, direction, confidence, price, price_change, timestamp, expires_at, indicators, source)
         SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::real[], $5::numeric[],
                              $6::real[], $7::timestamptz[], $8::timestamptz[], $9::jsonb[], $10::varchar[])
         ON CONFLICT (symbol, pattern, timestamp) DO NOTHING
         RETURNING id, symbol, pattern, timestamp`;

/** The newest `$2` patterns of each of the symbols `$1`: a LATERAL top-N per symbol. */
export const LATEST_PATTERNS_PER_SYMBOL_SQL = `SELECT p.* FROM unnest($1::varchar[]) AS s(symbol)
         CROSS JOIN LATERAL (
           SELECT ${PATTERN_COLUMNS} FROM patterns
           WHERE patterns.symbol = s.symbol
           ORDER BY timestamp DESC, id DESC LIMIT $2
         ) p
         ORDER BY p.symbol, p.timestamp DESC, p.id DESC`;
