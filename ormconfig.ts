import 'reflect-metadata';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { PGliteDriver } from 'typeorm-pglite';
import type { DatabaseConfig } from './src/config';
import { OhlcvMinuteEntity } from './src/entities/ohlcv-minute.entity';
import { PatternEntity } from './src/entities/pattern.entity';
import { SymbolEntity } from './src/entities/symbol.entity';
import { InitialSchema1764000000000 } from './src/migrations/1764000000000-InitialSchema';
import { ValidateAdoptedConstraints1764100000000 } from './src/migrations/1764100000000-ValidateAdoptedConstraints';
import { DailyRollups1764200000000 } from './src/migrations/1764200000000-DailyRollups';
import type { SchemaPlan } from './src/migrations/adoption/adoption-plan';
import { preflightBeforeMigrations } from './src/migrations/adoption/schema-preflight';

export const entities = [SymbolEntity, OhlcvMinuteEntity, PatternEntity];
export const migrations = [
  InitialSchema1764000000000,
  ValidateAdoptedConstraints1764100000000,
  DailyRollups1764200000000,
];

/**
 * The one DataSource factory for the app, the TypeORM CLI, tests and benches: a real
 * PostgreSQL when a URL is given, otherwise embedded PGlite (on a directory or in memory).
 * Schema changes only ever come from migrations (`synchronize` is off everywhere).
 */
export function createDataSource(database: DatabaseConfig, poolSize = 10): DataSource {
  const common = {
    type: 'postgres',
    entities,
    migrations,
    synchronize: false,
    migrationsRun: false,
    logging: false,
  } as const;
  const options: DataSourceOptions =
    database.kind === 'postgres'
      ? {
          ...common,
          url: database.url,
          extra: { max: poolSize, connectionTimeoutMillis: 5000, application_name: 'tickstock' },
        }
      : {
          ...common,
          driver: new PGliteDriver(database.dataDir === null ? {} : { dataDir: database.dataDir })
            .driver,
        };
  return new DataSource(options);
}

export interface OpenDatabaseOptions {
  /** Told what the schema migration is about to create or adopt (only when it has not run yet). */
  onSchemaPlan?(plan: SchemaPlan): void;
}

/**
 * Opens the database and brings its schema up to date. On a database TickStock has not migrated
 * yet (empty, or the old system's), a read-only preflight runs first: a table that cannot be
 * adopted fails here with SchemaConflictError before anything — not even TypeORM's migrations
 * table — is created.
 */
export async function openDatabase(
  database: DatabaseConfig,
  poolSize?: number,
  options: OpenDatabaseOptions = {},
): Promise<DataSource> {
  if (database.kind === 'pglite' && database.dataDir !== null) {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(database.dataDir, { recursive: true });
  }
  const dataSource = createDataSource(database, poolSize);
  await dataSource.initialize();
  try {
    const plan = await preflightBeforeMigrations(dataSource);
    if (plan !== null) options.onSchemaPlan?.(plan);
    await dataSource.runMigrations({ transaction: 'each' });
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  return dataSource;
}
