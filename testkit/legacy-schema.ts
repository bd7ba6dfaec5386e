import type { DataSource } from 'typeorm';
import { createDataSource } from '../ormconfig';
import type { DatabaseConfig } from '../src/config';

/**
 * The old Python system's database, as ../shared/reference/sprint54-prp.txt documents it:
 * a rich `symbols` table (the Massive/Polygon reference fields) and `ohlcv_1min` with its seven
 * NOT NULL columns, primary key, foreign key to symbols and three more indexes. Shared by the
 * adoption tests and `npm run bench:adopt`.
 */
export const LEGACY_SCHEMA_SQL: readonly string[] = [
  `CREATE TABLE symbols (
     symbol VARCHAR(20) PRIMARY KEY,
     name VARCHAR(255),
     exchange VARCHAR(50),
     market VARCHAR(20),
     locale VARCHAR(10),
     currency_name VARCHAR(10),
     type VARCHAR(20),
     active BOOLEAN DEFAULT true,
     cik VARCHAR(20),
     composite_figi VARCHAR(20),
     share_class_figi VARCHAR(20),
     market_cap NUMERIC,
     sector VARCHAR(100),
     industry VARCHAR(100),
     list_date DATE,
     last_updated_utc TIMESTAMPTZ,
     created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
   )`,
  `CREATE TABLE ohlcv_1min (
     symbol VARCHAR(20) NOT NULL,
     timestamp TIMESTAMPTZ NOT NULL,
     open NUMERIC NOT NULL,
     high NUMERIC NOT NULL,
     low NUMERIC NOT NULL,
     close NUMERIC NOT NULL,
     volume BIGINT NOT NULL,
     PRIMARY KEY (symbol, timestamp),
     FOREIGN KEY (symbol) REFERENCES symbols(symbol)
   )`,
  // ohlcv_1min_pkey is the primary key's own index (the document lists it with the other three).
  `CREATE INDEX ohlcv_1min_timestamp_idx ON ohlcv_1min (timestamp DESC)`,
  `CREATE INDEX idx_1min_symbol_ts ON ohlcv_1min (symbol, timestamp DESC)`,
  `CREATE INDEX idx_1min_covering ON ohlcv_1min (symbol, timestamp DESC)
     INCLUDE (open, high, low, close, volume)`,
];

/** The old schema's four indexes on ohlcv_1min. */
export const LEGACY_OHLCV_INDEXES = [
  'idx_1min_covering',
  'idx_1min_symbol_ts',
  'ohlcv_1min_pkey',
  'ohlcv_1min_timestamp_idx',
];

/** Symbols rows with every reference column filled ($1 tickers). */
export const INSERT_LEGACY_SYMBOLS_SQL = `
INSERT INTO symbols (symbol, name, exchange, market, locale, currency_name, type, active, cik,
                     composite_figi, share_class_figi, market_cap, sector, industry, list_date,
                     last_updated_utc)
SELECT s, s || ' Inc.', 'XNAS', 'stocks', 'us', 'usd', 'CS', true, lpad(i::text, 10, '0'),
       'BBG' || lpad(i::text, 9, '0'), 'BBG' || lpad((i + 500)::text, 9, '0'),
       (1000000000 + i * 12345.67)::numeric, 'Technology', 'Software', DATE '1990-01-01' + i::int,
       TIMESTAMPTZ '2025-11-24 21:00:00+00'
FROM unnest($1::varchar[]) WITH ORDINALITY AS u(s, i)`;

/**
 * Minute rows for every symbol of $1, $3 consecutive minutes from $2 (a minute start), with
 * prices derived from the row's position (exact decimals, low ≤ open/close ≤ high).
 */
export const INSERT_LEGACY_MINUTES_SQL = `
INSERT INTO ohlcv_1min (symbol, timestamp, open, high, low, close, volume)
SELECT s, $2::timestamptz + make_interval(mins => m),
       100 + (i % 50) + (m % 97) / 100.0, 101 + (i % 50) + (m % 97) / 100.0,
       99 + (i % 50) + (m % 97) / 100.0, 100.5 + (i % 50) + (m % 89) / 100.0,
       1000 + (m * 7 + i * 13) % 5000
FROM unnest($1::varchar[]) WITH ORDINALITY AS u(s, i), generate_series(0, $3::int - 1) AS m`;

/**
 * Rows the old writer left: keyed by a per-second window's end, not a minute start ($1 symbol,
 * $2 timestamps). Values are those of a complete bar, so only the key is wrong.
 */
export const INSERT_OFF_MINUTE_SQL = `
INSERT INTO ohlcv_1min (symbol, timestamp, open, high, low, close, volume)
SELECT $1, t, 50.25, 50.75, 50.00, 50.5, 777 FROM unnest($2::timestamptz[]) AS t`;

/** Runs `work` on a plain connection: no TickStock migration runs, unlike openDatabase. */
export async function withRawDatabase<T>(
  config: DatabaseConfig,
  work: (dataSource: DataSource) => Promise<T>,
): Promise<T> {
  const dataSource = createDataSource(config, 2);
  await dataSource.initialize();
  try {
    return await work(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

/** Creates the old schema on an empty database. */
export async function createLegacySchema(dataSource: DataSource): Promise<void> {
  for (const statement of LEGACY_SCHEMA_SQL) await dataSource.query(statement);
}
