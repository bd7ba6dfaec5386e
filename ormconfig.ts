import 'reflect-metadata';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { PGliteDriver } from 'typeorm-pglite';
import type { DatabaseConfig } from './src/config';
import { OhlcvMinuteEntity } from './src/entities/ohlcv-minute.entity';
import { PatternEntity } from './src/entities/pattern.entity';
import { SymbolEntity } from './src/entities/symbol.entity';
import { InitialSchema1764000000000 } from './src/migrations/1764000000000-InitialSchema';

export const entities = [SymbolEntity, OhlcvMinuteEntity, PatternEntity];
export const migrations = [InitialSchema1764000000000];

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

/** Opens the database and brings its schema up to date. */
export async function openDatabase(
  database: DatabaseConfig,
  poolSize?: number,
): Promise<DataSource> {
  if (database.kind === 'pglite' && database.dataDir !== null) {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(database.dataDir, { recursive: true });
  }
  const dataSource = createDataSource(database, poolSize);
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  return dataSource;
}
