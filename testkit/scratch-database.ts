import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { openDatabase } from '../ormconfig';
import type { DatabaseConfig } from '../src/config';
import { DEFAULT_POSTGRES_URL } from './reachability';

/**
 * Databases of their own for tests and scripts: an empty PostgreSQL database with a random name
 * (only its own drop() ever removes it), or a fresh migrated PGlite or PostgreSQL DataSource.
 */

export type DatabaseKind = 'pglite' | 'postgres';

/** The server scripts create scratch databases on (never touching any other database there). */
export function postgresAdminUrl(): string {
  return process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? DEFAULT_POSTGRES_URL;
}

export interface ScratchDatabase {
  name: string;
  /** URL of the new database (same server and credentials as the admin URL). */
  url: string;
  /** Drops the database (forcing out any session still connected). Idempotent. */
  drop(): Promise<void>;
}

/** Creating or dropping a scratch database failed. */
export class ScratchDatabaseError extends Error {
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = 'ScratchDatabaseError';
  }
}

/** Scratch databases this process created and has not dropped yet. */
const live = new Set<ScratchDatabase>();
let signalsHooked = false;

/** Drops every scratch database this process still holds (e.g. before a forced exit). */
export async function dropScratchDatabases(): Promise<void> {
  await Promise.allSettled([...live].map((db) => db.drop()));
}

/**
 * Ctrl-C or a kill must not leave a script's scratch databases behind: on SIGINT/SIGTERM drop
 * them, then exit with the conventional 128 + signal code.
 */
function hookSignals(): void {
  if (signalsHooked) return;
  signalsHooked = true;
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => {
      console.error(`${signal}: dropping ${live.size} scratch database(s) before exiting`);
      void dropScratchDatabases().finally(() => process.exit(code));
    });
  }
}

/**
 * Creates an empty database with a random name. `dropOnSignal` (default on, for scripts) drops
 * it when the process is interrupted; the test runner has its own signal handling.
 */
export async function createScratchDatabase(
  adminUrl: string,
  prefix: string,
  options: { dropOnSignal?: boolean } = {},
): Promise<ScratchDatabase> {
  if (options.dropOnSignal ?? true) hookSignals();
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (error) {
    throw new ScratchDatabaseError(`cannot create database ${name}`, { cause: error });
  } finally {
    await admin.end().catch(() => undefined);
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  const scratch: ScratchDatabase = {
    name,
    url: url.toString(),
    drop: async () => {
      if (dropped) return;
      const client = new Client({ connectionString: adminUrl });
      try {
        await client.connect();
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        dropped = true;
        live.delete(scratch);
      } catch (error) {
        throw new ScratchDatabaseError(`cannot drop database ${name}`, { cause: error });
      } finally {
        await client.end().catch(() => undefined);
      }
    },
  };
  live.add(scratch);
  return scratch;
}

export interface FreshDatabase {
  kind: DatabaseKind;
  /** Config that opens this same database again (e.g. for a second app lifetime). */
  config: DatabaseConfig;
  /** Open, migrated. */
  dataSource: DataSource;
  /** Closes the DataSource and drops the database it created (PGlite in memory just goes). */
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database of its own: in-memory PGlite, or a scratch PostgreSQL database on
 * `postgres.adminUrl`. Never touches a database it did not create.
 */
export async function createFreshDatabase(
  kind: DatabaseKind,
  postgres: { adminUrl: string | null; prefix: string; dropOnSignal?: boolean },
): Promise<FreshDatabase> {
  let config: DatabaseConfig = { kind: 'pglite', dataDir: null };
  let scratch: ScratchDatabase | null = null;
  if (kind === 'postgres') {
    if (postgres.adminUrl === null) throw new Error('PostgreSQL is not reachable');
    scratch = await createScratchDatabase(postgres.adminUrl, postgres.prefix, postgres);
    config = { kind: 'postgres', url: scratch.url };
  }
  let dataSource: DataSource;
  try {
    dataSource = await openDatabase(config);
  } catch (error) {
    await scratch?.drop();
    throw error;
  }
  return {
    kind,
    config,
    dataSource,
    drop: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      await scratch?.drop();
    },
  };
}
