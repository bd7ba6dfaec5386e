import { FULL_MINUTE_MASK_TEXT } from '../../domain/seconds-mask';

/**
 * TickStock's three tables: how a fresh database creates them, and what an existing table must
 * have (or may be given) to be adopted. Type families are pg_type names.
 */

export const TEXT_TYPES = ['varchar', 'text', 'bpchar'];

/** A column TickStock reads or writes. */
export interface ColumnSpec {
  name: string;
  types: string[];
  /** How to add it to an existing table (null: the table must already have it). */
  add: string | null;
  notNull: boolean;
  /** TickStock never writes it (a serial id): an existing column needs a default. */
  mustHaveDefault?: boolean;
  /**
   * Run after adding it: a fresh-database default differs from the one that makes legacy rows
   * complete (seconds_mask: every legacy row counts as a whole minute; new rows start empty).
   */
  afterAdd?: string;
}

/** A constraint TickStock adds NOT VALID to an adopted table and validates in a later step. */
export interface ConstraintSpec {
  name: string;
  /** The ADD CONSTRAINT body, without NOT VALID. */
  body: string;
  /** Skipped on a TimescaleDB hypertable (not every version accepts NOT VALID there). */
  plainTableOnly: boolean;
}

export interface TableSpec {
  name: string;
  create: string[];
  columns: ColumnSpec[];
  /** Columns of the unique key the upserts name in ON CONFLICT (order irrelevant). */
  conflictKey: string[];
  constraints: ConstraintSpec[];
  /** Indexes TickStock creates on an adopted table that lacks one with these key columns. */
  indexes: { name: string; columns: string[] }[];
}

const required = (name: string, types: string[]): ColumnSpec => ({
  name,
  types,
  add: null,
  notNull: true,
});

export const SYMBOLS_TABLE: TableSpec = {
  name: 'symbols',
  create: [
    `CREATE TABLE symbols (
        symbol varchar(20) PRIMARY KEY,
        name varchar(200),
        first_seen timestamptz NOT NULL DEFAULT now()
      )`,
  ],
  columns: [
    required('symbol', TEXT_TYPES),
    { name: 'name', types: TEXT_TYPES, add: 'name varchar(200)', notNull: false },
    // now() is stable, not volatile: PostgreSQL stores it once, no rewrite.
    {
      name: 'first_seen',
      types: ['timestamptz'],
      add: 'first_seen timestamptz NOT NULL DEFAULT now()',
      notNull: true,
    },
  ],
  conflictKey: ['symbol'],
  constraints: [],
  indexes: [],
};

export const OHLCV_TABLE: TableSpec = {
  name: 'ohlcv_1min',
  create: [
    `CREATE TABLE ohlcv_1min (
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
      )`,
  ],
  columns: [
    required('symbol', TEXT_TYPES),
    required('timestamp', ['timestamptz']),
    required('open', ['numeric']),
    required('high', ['numeric']),
    required('low', ['numeric']),
    required('close', ['numeric']),
    required('volume', ['int8']),
    { name: 'vwap', types: ['numeric'], add: 'vwap numeric', notNull: false },
    // Constant defaults: PostgreSQL ≥ 11 records them in the catalog, no row is rewritten.
    // open 0 / close 59 / all 60 seconds counted = every legacy row is a complete minute, so a
    // re-delivered second is ignored and a REST backfill replaces the row instead of adding to it.
    {
      name: 'open_second',
      types: ['int2'],
      add: 'open_second smallint NOT NULL DEFAULT 0',
      notNull: true,
    },
    {
      name: 'close_second',
      types: ['int2'],
      add: 'close_second smallint NOT NULL DEFAULT 59',
      notNull: true,
    },
    {
      name: 'seconds_mask',
      types: ['int8'],
      add: `seconds_mask bigint NOT NULL DEFAULT ${FULL_MINUTE_MASK_TEXT}`,
      notNull: true,
      afterAdd: 'ALTER TABLE ohlcv_1min ALTER COLUMN seconds_mask SET DEFAULT 0',
    },
  ],
  conflictKey: ['symbol', 'timestamp'],
  constraints: [
    {
      name: 'ohlcv_1min_symbol_fkey',
      body: 'FOREIGN KEY (symbol) REFERENCES symbols(symbol)',
      plainTableOnly: false,
    },
    {
      name: 'ohlcv_1min_minute_start',
      body: `CHECK (date_trunc('minute', "timestamp") = "timestamp")`,
      plainTableOnly: true,
    },
    {
      name: 'ohlcv_1min_range',
      body: 'CHECK (low <= high AND volume >= 0)',
      plainTableOnly: true,
    },
  ],
  indexes: [],
};

export const PATTERNS_TABLE: TableSpec = {
  name: 'patterns',
  create: [
    `CREATE TABLE patterns (
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
      )`,
    `CREATE INDEX patterns_timestamp_idx ON patterns (timestamp)`,
  ],
  columns: [
    { ...required('id', ['int8', 'int4']), mustHaveDefault: true },
    required('symbol', TEXT_TYPES),
    required('pattern', TEXT_TYPES),
    required('direction', TEXT_TYPES),
    required('confidence', ['float4', 'float8']),
    required('price', ['numeric']),
    required('price_change', ['float4', 'float8']),
    required('timestamp', ['timestamptz']),
    required('expires_at', ['timestamptz']),
    required('indicators', ['jsonb']),
    required('source', TEXT_TYPES),
  ],
  conflictKey: ['symbol', 'pattern', 'timestamp'],
  constraints: [],
  indexes: [{ name: 'patterns_timestamp_idx', columns: ['timestamp'] }],
};

/** In creation order (ohlcv_1min references symbols). */
export const TICKSTOCK_TABLES: readonly TableSpec[] = [SYMBOLS_TABLE, OHLCV_TABLE, PATTERNS_TABLE];
