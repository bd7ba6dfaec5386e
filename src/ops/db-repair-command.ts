import { openDatabase } from '../../ormconfig';
import { ConfigError, loadConfig } from '../config';
import { MassiveBackfillClient } from '../ingest/massive/backfill-client';
import { LegacyRowsRepository } from '../repositories/legacy-rows.repository';
import { SchemaRepository } from '../repositories/schema.repository';
import { repairOffMinuteRows, type RepairResult } from './legacy-repair';
import { ProgressBar, type ProgressOutput } from './progress-bar';

export const DB_REPAIR_USAGE = `npm run db:repair [-- --apply]

Replaces the old system's off-minute rows in ohlcv_1min (rows keyed by a second's end time)
with minute bars re-fetched from the Massive REST aggregates. Without --apply: a dry run that
only counts. Needs DATABASE_URL, MASSIVE_API_KEY (and MASSIVE_REST_URL for another endpoint).
Safe to interrupt and to run again.`;

/**
 * `db:repair`: the operator command over repairOffMinuteRows. Returns the exit code (0 done,
 * 1 failed, 2 bad usage or configuration); writes a summary line and a progress bar to `out`.
 */
export async function runDbRepair(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  out: ProgressOutput,
): Promise<{ code: number; result: RepairResult | null }> {
  const unknown = argv.filter((a) => a !== '--apply');
  if (argv.includes('--help') || unknown.length > 0) {
    out.write(`${DB_REPAIR_USAGE}\n`);
    return { code: argv.includes('--help') ? 0 : 2, result: null };
  }
  const apply = argv.includes('--apply');
  let config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    out.write(`${error.message}\n`);
    return { code: 2, result: null };
  }
  if (apply && config.massiveApiKey === null) {
    out.write('db:repair --apply needs MASSIVE_API_KEY (the REST aggregates are the source)\n');
    return { code: 2, result: null };
  }
  const dataSource = await openDatabase(config.database, 2);
  const client = new MassiveBackfillClient({
    restUrl: config.massiveRestUrl,
    apiKey: config.massiveApiKey ?? '',
    source: 'massive',
  });
  try {
    const rows = new LegacyRowsRepository(dataSource);
    let bar: ProgressBar | null = null;
    const result = await repairOffMinuteRows(
      {
        rows,
        fetchMinuteBars: (symbol, from, to) => client.fetchMinuteBars(symbol, from, to),
        onProgress: (p) => {
          bar ??= new ProgressBar(out, p.totalMinutes, 'minutes');
          bar.update(
            p.doneMinutes,
            `${p.rowsDeleted} rows replaced by ${p.barsWritten} bars, ${p.unresolvedMinutes} minutes without a REST bar`,
          );
        },
      },
      { apply },
    );
    (bar as ProgressBar | null)?.done();
    out.write(`${summary(result)}\n`);
    if (apply && (await rows.offMinuteTotals()).rows === 0) {
      // Nothing off-minute is left: the check adoption added NOT VALID can now hold for every row.
      const catalog = new SchemaRepository(dataSource);
      const shape = await catalog.tableShape('ohlcv_1min');
      const check = shape.constraints.find((c) => c.name === 'ohlcv_1min_minute_start');
      if (check !== undefined && !check.validated) {
        const ok = await catalog.validateConstraint('ohlcv_1min', check.name, false);
        out.write(`constraint ${check.name}: ${ok ? 'validated' : 'still NOT VALID'}\n`);
      }
    }
    return { code: 0, result };
  } catch (error) {
    out.write(`db:repair failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return { code: 1, result: null };
  } finally {
    client.close();
    await dataSource.destroy();
  }
}

function summary(r: RepairResult): string {
  if (r.totalRows === 0) return 'ohlcv_1min has no off-minute rows: nothing to repair';
  if (!r.apply) {
    return `dry run: ${r.totalRows} off-minute rows in ${r.totalMinutes} minutes of ${r.symbols} symbols would be re-fetched from REST and replaced (run with --apply)`;
  }
  return `repaired: ${r.rowsDeleted} off-minute rows replaced by ${r.barsWritten} minute bars; ${r.unresolvedMinutes} minutes had no REST bar and were left as they are`;
}
