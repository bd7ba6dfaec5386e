import type { ColumnShape, TableShape } from '../../src/domain/table-shape';
import { planSchema } from '../../src/migrations/adoption/adoption-plan';
import { redundantBarIndexes } from '../../src/migrations/adoption/legacy-report';
import {
  OHLCV_TABLE,
  SYMBOLS_TABLE,
  TICKSTOCK_TABLES,
} from '../../src/migrations/adoption/tickstock-tables';

const col = (name: string, baseType: string, notNull = true, hasDefault = false): ColumnShape => ({
  name,
  baseType,
  type: baseType,
  notNull,
  hasDefault,
});

function legacyOhlcv(overrides: Partial<TableShape> = {}): TableShape {
  return {
    name: 'ohlcv_1min',
    exists: true,
    columns: [
      col('symbol', 'varchar'),
      col('timestamp', 'timestamptz'),
      ...['open', 'high', 'low', 'close'].map((n) => col(n, 'numeric')),
      col('volume', 'int8'),
    ],
    indexes: [
      {
        name: 'ohlcv_1min_pkey',
        primary: true,
        unique: true,
        valid: true,
        partial: false,
        expressions: false,
        definition: '',
        keyColumns: ['symbol', 'timestamp'],
        includeColumns: [],
        bytes: 0,
      },
      {
        name: 'idx_1min_covering',
        primary: false,
        unique: false,
        valid: true,
        partial: false,
        expressions: false,
        definition: '',
        keyColumns: ['symbol', 'timestamp'],
        includeColumns: ['open'],
        bytes: 0,
      },
      {
        name: 'ohlcv_1min_timestamp_idx',
        primary: false,
        unique: false,
        valid: true,
        partial: false,
        expressions: false,
        definition: '',
        keyColumns: ['timestamp'],
        includeColumns: [],
        bytes: 0,
      },
    ],
    constraints: [
      {
        name: 'ohlcv_1min_symbol_fkey',
        kind: 'f',
        validated: true,
        definition: '',
        references: 'symbols',
        columns: ['symbol'],
      },
    ],
    hypertable: false,
    ...overrides,
  };
}

describe('schema adoption plan', () => {
  it('creates every table on an empty database, in dependency order', () => {
    const plan = planSchema(TICKSTOCK_TABLES, []);
    expect(plan.conflicts).toEqual([]);
    expect(plan.tables.map((t) => [t.table, t.action])).toEqual([
      ['symbols', 'create'],
      ['ohlcv_1min', 'create'],
      ['patterns', 'create'],
    ]);
  });

  it('adopts the legacy bars table with constant-default columns and NOT VALID checks only', () => {
    const plan = planSchema([OHLCV_TABLE], [legacyOhlcv()]);
    expect(plan.conflicts).toEqual([]);
    const [table] = plan.tables;
    expect(table.action).toBe('adopt');
    expect(table.addedColumns).toEqual(['vwap', 'open_second', 'close_second', 'seconds_mask']);
    expect(table.statements).toEqual([
      'ALTER TABLE ohlcv_1min ADD COLUMN vwap numeric, ADD COLUMN open_second smallint NOT NULL DEFAULT 0, ' +
        'ADD COLUMN close_second smallint NOT NULL DEFAULT 59, ADD COLUMN seconds_mask bigint NOT NULL DEFAULT 1152921504606846975',
      'ALTER TABLE ohlcv_1min ALTER COLUMN seconds_mask SET DEFAULT 0',
      `ALTER TABLE ohlcv_1min ADD CONSTRAINT ohlcv_1min_minute_start CHECK (date_trunc('minute', "timestamp") = "timestamp") NOT VALID`,
      'ALTER TABLE ohlcv_1min ADD CONSTRAINT ohlcv_1min_range CHECK (low <= high AND volume >= 0) NOT VALID',
    ]);
    // The existing (PostgreSQL-named) foreign key is recognised; no index is added.
    expect(table.toValidate).toEqual(['ohlcv_1min_minute_start', 'ohlcv_1min_range']);
  });

  it('on a hypertable adds the columns but not the NOT VALID checks', () => {
    const [table] = planSchema([OHLCV_TABLE], [legacyOhlcv({ hypertable: true })]).tables;
    expect(table.statements).toHaveLength(2);
    expect(table.notes).toContain('TimescaleDB hypertable: kept as it is');
  });

  it('names every conflict: wrong type, unfillable foreign column, no upsert key', () => {
    const shape = legacyOhlcv();
    shape.columns[6] = col('volume', 'int4');
    shape.columns.push(col('source_id', 'int4', true, false));
    shape.indexes = shape.indexes.filter((ix) => !ix.unique);
    const { conflicts } = planSchema([OHLCV_TABLE], [shape]);
    expect(conflicts.map((c) => c.problem)).toEqual([
      'column volume is int4; TickStock needs int8',
      "column source_id is NOT NULL without a default; TickStock's inserts cannot fill it",
      "no unique index on (symbol, timestamp), which TickStock's upserts need",
    ]);
  });

  it('keeps a table that already has everything', () => {
    const shape: TableShape = {
      name: 'symbols',
      exists: true,
      columns: [
        col('symbol', 'varchar'),
        col('name', 'text', false),
        col('first_seen', 'timestamptz', true, true),
      ],
      indexes: legacyOhlcv()
        .indexes.slice(0, 1)
        .map((ix) => ({ ...ix, keyColumns: ['symbol'] })),
      constraints: [],
      hypertable: false,
    };
    expect(planSchema([SYMBOLS_TABLE], [shape]).tables[0].action).toBe('keep');
  });

  it('reports the indexes that repeat the primary key as redundant, not the timestamp one', () => {
    expect(redundantBarIndexes(legacyOhlcv()).map((ix) => ix.name)).toEqual(['idx_1min_covering']);
  });
});
