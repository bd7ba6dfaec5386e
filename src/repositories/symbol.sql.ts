/** Registers unknown tickers in one statement; existing rows are left alone. */
export const REGISTER_SYMBOLS_SQL = `INSERT INTO symbols (symbol) SELECT s FROM unnest($1::varchar[]) AS u(s) ON CONFLICT (symbol) DO NOTHING`;

/**
 * Symbols whose ticker or name contains the search text (case-insensitive), tickers that start
 * with it first, then alphabetical. `$1` is LIKE-escaped by the caller (`\` escapes), or null
 * for every symbol.
 */
export const SEARCH_SYMBOLS_SQL = `SELECT symbol, name, first_seen AS "firstSeen"
FROM symbols
WHERE $1::text IS NULL OR symbol ILIKE '%' || $1 || '%' ESCAPE '\\' OR name ILIKE '%' || $1 || '%' ESCAPE '\\'
ORDER BY ($1::text IS NOT NULL AND symbol ILIKE $1 || '%' ESCAPE '\\') DESC, symbol
LIMIT $2`;

/**
 * Every ticker equal to one of `$1` ignoring case (`$1` already lower-cased by the caller), for
 * the API's "exact, else unique case-insensitive" lookup. Tickers are ASCII, so lower() is
 * locale-proof here.
 */
export const FIND_SYMBOLS_IGNORING_CASE_SQL = `SELECT symbol FROM symbols WHERE lower(symbol) = ANY($1::text[]) ORDER BY symbol`;
