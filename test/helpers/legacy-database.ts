import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import type { DatabaseConfig } from '../../src/config';
import { withRawDatabase } from '../../testkit/legacy-schema';
import { createScratchDatabase } from '../../testkit/scratch-database';
import type { TestDatabaseKind } from './test-databases';
import { testPostgresUrl } from './test-databases';

/**
 * An EMPTY database of the test's own (no TickStock migration has run on it) that an app opens
 * through DATABASE_URL: a scratch PostgreSQL database, or a PGlite data directory. `raw` runs
 * statements on a plain connection (PGlite: only while no app has the directory open).
 */
export interface EmptyAppDatabase {
  kind: TestDatabaseKind;
  url: string;
  config: DatabaseConfig;
  raw<T>(work: (dataSource: DataSource) => Promise<T>): Promise<T>;
  drop(): Promise<void>;
}

export async function createEmptyAppDatabase(kind: TestDatabaseKind): Promise<EmptyAppDatabase> {
  if (kind === 'postgres') {
    const adminUrl = testPostgresUrl();
    if (adminUrl === null) throw new Error('PostgreSQL is not reachable');
    const scratch = await createScratchDatabase(adminUrl, 'tickstock_test', {
      dropOnSignal: false,
    });
    const config: DatabaseConfig = { kind: 'postgres', url: scratch.url };
    return {
      kind,
      url: scratch.url,
      config,
      raw: (work) => withRawDatabase(config, work),
      drop: () => scratch.drop(),
    };
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tickstock-legacy-pglite-'));
  const config: DatabaseConfig = { kind: 'pglite', dataDir };
  return {
    kind,
    url: `pglite://${dataDir}`,
    config,
    raw: (work) => withRawDatabase(config, work),
    drop: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

/** Columns, indexes and constraints of every table, and the relations: "did anything change?". */
export async function catalogSnapshot(dataSource: DataSource): Promise<string> {
  const rows = await dataSource.query<{ line: string }[]>(
    `SELECT line FROM (
       SELECT 'relation ' || c.relname || ' ' || c.relkind::text AS line FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'i', 'S', 'v')
       UNION ALL
       SELECT 'column ' || a.attrelid::regclass || '.' || a.attname || ' ' ||
              format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull || ' ' ||
              coalesce(pg_get_expr(d.adbin, d.adrelid), '')
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE n.nspname = current_schema() AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
       UNION ALL
       SELECT 'index ' || indexrelid::regclass || ' ' || pg_get_indexdef(indexrelid) FROM pg_index ix
         JOIN pg_class c ON c.oid = ix.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema()
       UNION ALL
       SELECT 'constraint ' || conrelid::regclass || '.' || conname || ' ' || pg_get_constraintdef(co.oid) ||
              ' valid=' || convalidated
         FROM pg_constraint co JOIN pg_namespace n ON n.oid = co.connamespace
        WHERE n.nspname = current_schema()
     ) x ORDER BY line`,
  );
  return rows.map((row) => row.line).join('\n');
}
