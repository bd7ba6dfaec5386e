import {
  COUNT_OFF_MINUTE_SQL,
  IS_HYPERTABLE_SQL,
  MIGRATION_RECORDED_SQL,
  MIGRATIONS_TABLE_EXISTS_SQL,
  TABLE_COLUMNS_SQL,
  TABLE_CONSTRAINTS_SQL,
  TABLE_INDEXES_SQL,
  TIMESCALE_AVAILABLE_SQL,
  TIMESCALE_INSTALLED_SQL,
  dropIndexSql,
  validateConstraintSql,
} from './schema.sql';
import { sqlStateOf } from './ohlcv.repository';
import type { ColumnShape, ConstraintShape, IndexShape, TableShape } from '../domain/table-shape';

/** What runs statements: a DataSource or a migration's QueryRunner (both have this). */
export interface SqlRunner {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

interface ColumnRow {
  name: string;
  base_type: string;
  type: string;
  not_null: boolean;
  has_default: boolean;
}
interface IndexRow {
  name: string;
  is_primary: boolean;
  is_unique: boolean;
  is_valid: boolean;
  is_partial: boolean;
  has_expressions: boolean;
  definition: string;
  key_columns: string | null;
  include_columns: string | null;
  bytes: string;
}
interface ConstraintRow {
  name: string;
  kind: string;
  validated: boolean;
  definition: string;
  references: string | null;
  columns: string | null;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
const CHECK_VIOLATION = '23514';
const FOREIGN_KEY_VIOLATION = '23503';

const list = (text: string | null): string[] =>
  text === null || text === '' ? [] : text.split(',');

/**
 * Read-only catalog access for schema adoption (the migrations' preflight) and the start-up
 * reports, plus the one separate-transaction step: validating constraints added NOT VALID.
 */
export class SchemaRepository {
  constructor(private readonly runner: SqlRunner) {}

  /** The table's columns, indexes and constraints; `exists: false` when there is no such table. */
  async tableShape(table: string): Promise<TableShape> {
    const columns = (await this.rows<ColumnRow>(TABLE_COLUMNS_SQL, [table])).map(
      (row): ColumnShape => ({
        name: row.name,
        baseType: row.base_type,
        type: row.type,
        notNull: row.not_null,
        hasDefault: row.has_default,
      }),
    );
    if (columns.length === 0) {
      return {
        name: table,
        exists: false,
        columns: [],
        indexes: [],
        constraints: [],
        hypertable: false,
      };
    }
    const indexes = (await this.rows<IndexRow>(TABLE_INDEXES_SQL, [table])).map(
      (row): IndexShape => ({
        name: row.name,
        primary: row.is_primary,
        unique: row.is_unique,
        valid: row.is_valid,
        partial: row.is_partial,
        expressions: row.has_expressions,
        definition: row.definition,
        keyColumns: list(row.key_columns),
        includeColumns: list(row.include_columns),
        bytes: Number(row.bytes),
      }),
    );
    const constraints = (await this.rows<ConstraintRow>(TABLE_CONSTRAINTS_SQL, [table])).map(
      (row): ConstraintShape => ({
        name: row.name,
        kind: row.kind,
        validated: row.validated,
        definition: row.definition,
        references: row.references,
        columns: list(row.columns),
      }),
    );
    return {
      name: table,
      exists: true,
      columns,
      indexes,
      constraints,
      hypertable: await this.isHypertable(table),
    };
  }

  /** TimescaleDB's version when the extension is installed in this database, else null. */
  async timescaleVersion(): Promise<string | null> {
    const rows = await this.rows<{ version: string }>(TIMESCALE_INSTALLED_SQL);
    return rows[0]?.version ?? null;
  }

  async timescaleAvailable(): Promise<boolean> {
    return (await this.rows(TIMESCALE_AVAILABLE_SQL)).length > 0;
  }

  /** Whether migration `name` is recorded as run (false when TypeORM's table does not exist yet). */
  async migrationRecorded(name: string): Promise<boolean> {
    const table = await this.rows<{ present: boolean }>(MIGRATIONS_TABLE_EXISTS_SQL);
    if (table[0]?.present !== true) return false;
    const rows = await this.rows<{ recorded: boolean }>(MIGRATION_RECORDED_SQL, [name]);
    return rows[0]?.recorded === true;
  }

  /** Rows of ohlcv_1min not on a minute boundary (a full scan; skip it when the check is valid). */
  async countOffMinuteRows(): Promise<number> {
    const rows = await this.rows<{ n: string }>(COUNT_OFF_MINUTE_SQL);
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * VALIDATE CONSTRAINT under a savepoint (its own transaction when the caller is in none): it
   * scans under SHARE UPDATE EXCLUSIVE, so reads and writes go on. Rows that violate it leave it
   * NOT VALID (still enforced on new rows) and return false; other errors are thrown.
   */
  async validateConstraint(table: string, name: string, inTransaction: boolean): Promise<boolean> {
    if (!IDENTIFIER.test(table) || !IDENTIFIER.test(name)) {
      throw new RangeError(`not a plain identifier: ${table}.${name}`);
    }
    if (inTransaction) await this.runner.query('SAVEPOINT tickstock_validate');
    try {
      await this.runner.query(validateConstraintSql(table, name));
      if (inTransaction) await this.runner.query('RELEASE SAVEPOINT tickstock_validate');
      return true;
    } catch (error) {
      const code = sqlStateOf(error);
      if (code !== CHECK_VIOLATION && code !== FOREIGN_KEY_VIOLATION) throw error;
      if (inTransaction) await this.runner.query('ROLLBACK TO SAVEPOINT tickstock_validate');
      return false;
    }
  }

  /**
   * DROP INDEX CONCURRENTLY: writes go on while it waits for running transactions (PGlite
   * accepts it too). Must not run inside a transaction.
   */
  async dropIndex(name: string): Promise<void> {
    if (!IDENTIFIER.test(name)) throw new RangeError(`not a plain identifier: ${name}`);
    await this.runner.query(dropIndexSql(name));
  }

  private async isHypertable(table: string): Promise<boolean> {
    if ((await this.timescaleVersion()) === null) return false;
    return (await this.rows(IS_HYPERTABLE_SQL, [table])).length > 0;
  }

  private async rows<T>(sql: string, parameters?: unknown[]): Promise<T[]> {
    return (await this.runner.query(sql, parameters)) as T[];
  }
}
