import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { openDatabase } from '../../ormconfig';
import type { DatabaseConfig } from '../../src/config';

export type TestDatabaseKind = 'pglite' | 'postgres';

export interface TestDatabase {
  kind: TestDatabaseKind;
  /** Config that opens this same database again (e.g. for a second app lifetime). */
  config: DatabaseConfig;
  dataSource: DataSource;
  /** Closes the DataSource and drops the database (PostgreSQL) it created. */
  drop(): Promise<void>;
}

/** The real PostgreSQL the suites may use, decided by global-setup ('' = not reachable). */
export function testPostgresUrl(): string | null {
  return process.env.TICKSTOCK_TEST_PG_URL || null;
}

export function testRedisUrl(): string | null {
  return process.env.TICKSTOCK_TEST_REDIS_URL || null;
}

/** For `describe.each(testDatabaseKinds())`: PGlite always, PostgreSQL when reachable. */
export function testDatabaseKinds(): TestDatabaseKind[] {
  return testPostgresUrl() ? ['pglite', 'postgres'] : ['pglite'];
}

function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Creates a fresh, migrated database of its own; never touches one it did not create. */
export async function createTestDatabase(kind: TestDatabaseKind): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const config: DatabaseConfig = { kind: 'pglite', dataDir: null };
    const dataSource = await openDatabase(config);
    return {
      kind,
      config,
      dataSource,
      drop: async () => {
        if (dataSource.isInitialized) await dataSource.destroy();
      },
    };
  }
  const adminUrl = testPostgresUrl();
  if (!adminUrl) throw new Error('PostgreSQL is not reachable for tests');
  const name = `tickstock_test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const config: DatabaseConfig = { kind: 'postgres', url: databaseUrl(adminUrl, name) };
  const dataSource = await openDatabase(config);
  return {
    kind,
    config,
    dataSource,
    drop: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      const client = new Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
