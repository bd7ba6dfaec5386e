import type { IndexShape, TableShape } from '../../domain/table-shape';
import type { Logger } from '../../logger';
import { SchemaRepository, type SqlRunner } from '../../repositories/schema.repository';
import type { SchemaPlan } from './adoption-plan';

/**
 * Indexes of ohlcv_1min that repeat the primary key's key columns (symbol, timestamp) in any
 * direction, with or without INCLUDE: the old schema's idx_1min_symbol_ts and idx_1min_covering.
 * Every TickStock bar read is answered by the primary key (a backward scan is as good as a DESC
 * index), so they only cost writes and space.
 */
export function redundantBarIndexes(shape: TableShape): IndexShape[] {
  const primary = shape.indexes.find((ix) => ix.primary);
  if (primary === undefined) return [];
  const key = primary.keyColumns.join(',');
  return shape.indexes.filter(
    (ix) => !ix.primary && !ix.partial && !ix.expressions && ix.keyColumns.join(',') === key,
  );
}

export interface LegacyReport {
  /** Rows of ohlcv_1min not on a minute boundary (0 without a scan when the check is valid). */
  offMinuteRows: number;
  redundantIndexes: { name: string; bytes: number; definition: string }[];
}

/** The start-up facts about an adopted database an operator should act on. */
export async function readLegacyReport(runner: SqlRunner): Promise<LegacyReport> {
  const catalog = new SchemaRepository(runner);
  const shape = await catalog.tableShape('ohlcv_1min');
  const check = shape.constraints.find((c) => c.name === 'ohlcv_1min_minute_start');
  const offMinuteRows = check?.validated === true ? 0 : await catalog.countOffMinuteRows();
  return {
    offMinuteRows,
    redundantIndexes: redundantBarIndexes(shape).map((ix) => ({
      name: ix.name,
      bytes: ix.bytes,
      definition: ix.definition,
    })),
  };
}

/** One line for the adoption plan, one for off-minute rows, one for redundant indexes. */
export function logSchemaPlan(logger: Logger, plan: SchemaPlan): void {
  const adopted = plan.tables.filter((t) => t.action !== 'create');
  if (adopted.length === 0) return;
  logger.info(
    {
      adopted: adopted.map((t) => ({
        table: t.table,
        addedColumns: t.addedColumns,
        constraintsToValidate: t.toValidate,
        foreignColumns: t.foreignColumns.length,
        notes: t.notes,
      })),
      created: plan.tables.filter((t) => t.action === 'create').map((t) => t.table),
    },
    'adopting the existing schema in place',
  );
}

export function logLegacyReport(logger: Logger, report: LegacyReport): void {
  if (report.offMinuteRows > 0) {
    logger.warn(
      { offMinuteRows: report.offMinuteRows },
      `ohlcv_1min holds ${report.offMinuteRows} legacy rows not on a minute boundary; ` +
        '`npm run db:repair -- --apply` replaces them with minute bars from REST',
    );
  }
  if (report.redundantIndexes.length > 0) {
    logger.info(
      {
        redundantIndexes: report.redundantIndexes.map((ix) => ix.name),
        megabytes: Math.round(report.redundantIndexes.reduce((s, ix) => s + ix.bytes, 0) / 2 ** 20),
      },
      'ohlcv_1min has indexes that repeat its primary key and slow every bar write; ' +
        '`npm run db:indexes -- --drop` drops them',
    );
  }
}
