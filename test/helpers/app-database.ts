import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { openDatabase } from '../../ormconfig';
import type { DatabaseConfig } from '../../src/config';
import { createTestDatabase, type TestDatabase, type TestDatabaseKind } from './test-databases';

/**
 * A database a whole app (or a spawned service) opens by itself through DATABASE_URL and that
 * outlives the app, so a second lifetime reopens it and the test reads it after the app stopped.
 * PostgreSQL: a fresh database from test-databases.ts. PGlite: a data directory of its own — an
 * in-memory PGlite would vanish when the app closes it, and PGlite is one instance per process,
 * so it is only ever opened while no app holds it.
 */
export interface AppDatabase {
  kind: TestDatabaseKind;
  /** DATABASE_URL for the app: postgres://… or pglite://<dir>. */
  url: string;
  config: DatabaseConfig;
  /** Runs `work` on a connection of the test's own (for PGlite: only while no app has it open). */
  read<T>(work: (dataSource: DataSource) => Promise<T>): Promise<T>;
  drop(): Promise<void>;
}

export async function createAppDatabase(kind: TestDatabaseKind): Promise<AppDatabase> {
  if (kind === 'postgres') {
    const db: TestDatabase = await createTestDatabase('postgres');
    if (db.config.kind !== 'postgres') throw new Error('expected a PostgreSQL test database');
    return {
      kind,
      url: db.config.url,
      config: db.config,
      read: (work) => work(db.dataSource),
      drop: () => db.drop(),
    };
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tickstock-app-pglite-'));
  const config: DatabaseConfig = { kind: 'pglite', dataDir };
  return {
    kind,
    url: `pglite://${dataDir}`,
    config,
    read: async (work) => {
      const dataSource = await openDatabase(config);
      try {
        return await work(dataSource);
      } finally {
        await dataSource.destroy();
      }
    },
    drop: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
}
