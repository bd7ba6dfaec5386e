import { openDatabase } from '../../ormconfig';
import { ConfigError, loadConfig } from '../config';
import { redundantBarIndexes } from '../migrations/adoption/legacy-report';
import { SchemaRepository } from '../repositories/schema.repository';

export const DB_INDEXES_USAGE = `npm run db:indexes [-- --drop]

Lists the indexes of ohlcv_1min that repeat its primary key (symbol, timestamp) — the old
schema's idx_1min_symbol_ts and idx_1min_covering. TickStock's reads all use the primary key;
these only slow every bar write (npm run bench:adopt measures by how much). With --drop they
are dropped with DROP INDEX CONCURRENTLY (writes continue). Needs DATABASE_URL.`;

/** `db:indexes`: report, or with `--drop` drop, the redundant bar indexes. Returns the exit code. */
export async function runDbIndexes(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  out: { write(text: string): void },
): Promise<{ code: number; redundant: string[]; dropped: string[] }> {
  if (argv.some((a) => a !== '--drop')) {
    out.write(`${DB_INDEXES_USAGE}\n`);
    return { code: argv.includes('--help') ? 0 : 2, redundant: [], dropped: [] };
  }
  let config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    out.write(`${error.message}\n`);
    return { code: 2, redundant: [], dropped: [] };
  }
  const dataSource = await openDatabase(config.database, 1);
  try {
    const catalog = new SchemaRepository(dataSource);
    const redundant = redundantBarIndexes(await catalog.tableShape('ohlcv_1min'));
    if (redundant.length === 0) {
      out.write('ohlcv_1min has no index that repeats its primary key\n');
      return { code: 0, redundant: [], dropped: [] };
    }
    for (const ix of redundant) {
      out.write(
        `redundant: ${ix.name} (${(ix.bytes / 2 ** 20).toFixed(1)} MB): ${ix.definition}\n`,
      );
    }
    const dropped: string[] = [];
    if (argv.includes('--drop')) {
      for (const ix of redundant) {
        await catalog.dropIndex(ix.name);
        dropped.push(ix.name);
        out.write(`dropped ${ix.name}\n`);
      }
    } else {
      out.write('run with --drop to drop them (DROP INDEX CONCURRENTLY: writes continue)\n');
    }
    return { code: 0, redundant: redundant.map((ix) => ix.name), dropped };
  } catch (error) {
    out.write(`db:indexes failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return { code: 1, redundant: [], dropped: [] };
  } finally {
    await dataSource.destroy();
  }
}
