import {
  createFreshDatabase,
  type DatabaseKind,
  type FreshDatabase,
} from '../../testkit/scratch-database';

export type TestDatabaseKind = DatabaseKind;
export type TestDatabase = FreshDatabase;

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

/** Creates a fresh, migrated database of its own; never touches one it did not create. */
export function createTestDatabase(kind: TestDatabaseKind): Promise<TestDatabase> {
  return createFreshDatabase(kind, {
    adminUrl: testPostgresUrl(),
    prefix: 'tickstock_test',
    dropOnSignal: false,
  });
}
