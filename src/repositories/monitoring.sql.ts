/**
 * The old system's monitoring queries (sprint54-prp.txt, "New Monitoring Queries"), kept
 * verbatim so operators' dashboards keep working, and what `npm run validate` reads.
 */

/** "Check recent OHLCV writes". */
export const RECENT_WRITES_SQL = `SELECT COUNT(*) as recent_writes
FROM ohlcv_1min
WHERE timestamp > NOW() - INTERVAL '5 minutes'`;

/** "Check for write failures (look for gaps)": ~60 bars per symbol per hour expected. */
export const BARS_PER_SYMBOL_LAST_HOUR_SQL = `SELECT symbol,
       COUNT(*) as bar_count,
       MIN(timestamp) as oldest,
       MAX(timestamp) as newest
FROM ohlcv_1min
WHERE timestamp > NOW() - INTERVAL '1 hour'
GROUP BY symbol
ORDER BY bar_count ASC`;

/**
 * The newest bar of every symbol (one backward primary-key probe each), as a fingerprint of
 * what is being written: a changed volume or timestamp is a row written.
 */
export const NEWEST_BAR_PER_SYMBOL_SQL = `
SELECT s.symbol, (extract(epoch FROM n."timestamp") * 1000)::bigint::text AS ms, n.volume::text AS volume
FROM symbols s
CROSS JOIN LATERAL (SELECT o."timestamp", o.volume FROM ohlcv_1min o WHERE o.symbol = s.symbol
                    ORDER BY o."timestamp" DESC LIMIT 1) n`;
