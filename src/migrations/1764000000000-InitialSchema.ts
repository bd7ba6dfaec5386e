import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * symbols, ohlcv_1min and patterns. The bars table has exactly one index, its primary key
 * (symbol, timestamp): every bar query is "one symbol, a time range, newest first", which
 * that index answers by a backward range scan.
 */
export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE symbols (
        symbol varchar(20) PRIMARY KEY,
        name varchar(200),
        first_seen timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE ohlcv_1min (
        symbol varchar(20) NOT NULL REFERENCES symbols(symbol) ON DELETE CASCADE,
        timestamp timestamptz NOT NULL,
        open numeric NOT NULL,
        high numeric NOT NULL,
        low numeric NOT NULL,
        close numeric NOT NULL,
        volume bigint NOT NULL,
        vwap numeric,
        open_second smallint NOT NULL DEFAULT 0,
        close_second smallint NOT NULL DEFAULT 59,
        seconds_mask bigint NOT NULL DEFAULT 0,
        CONSTRAINT ohlcv_1min_pkey PRIMARY KEY (symbol, timestamp),
        CONSTRAINT ohlcv_1min_minute_start CHECK (date_trunc('minute', timestamp) = timestamp),
        CONSTRAINT ohlcv_1min_range CHECK (low <= high AND volume >= 0)
      )`);
    await queryRunner.query(`
      CREATE TABLE patterns (
        id bigserial PRIMARY KEY,
        symbol varchar(20) NOT NULL,
        pattern varchar(40) NOT NULL,
        direction varchar(10) NOT NULL,
        confidence real NOT NULL,
        price numeric NOT NULL,
        price_change real NOT NULL,
        timestamp timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        indicators jsonb NOT NULL,
        source varchar(20) NOT NULL DEFAULT 'tickstock',
        CONSTRAINT patterns_symbol_pattern_timestamp_key UNIQUE (symbol, pattern, timestamp)
      )`);
    await queryRunner.query(`CREATE INDEX patterns_timestamp_idx ON patterns (timestamp)`);
    await makeHypertableWhenAvailable(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE patterns`);
    await queryRunner.query(`DROP TABLE ohlcv_1min`);
    await queryRunner.query(`DROP TABLE symbols`);
  }
}

/** TimescaleDB when the server has it (a real PostgreSQL with the extension); a plain table otherwise. */
async function makeHypertableWhenAvailable(queryRunner: QueryRunner): Promise<void> {
  const available = (await queryRunner.query(
    `SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'`,
  )) as unknown[];
  if (available.length === 0) return;
  await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS timescaledb`);
  await queryRunner.query(
    `SELECT create_hypertable('ohlcv_1min', 'timestamp', chunk_time_interval => interval '1 day', migrate_data => true)`,
  );
}
