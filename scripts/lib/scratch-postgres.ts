import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { Client } from 'pg';

/** The server the scripts may create scratch databases on (never touching any other database). */
export function postgresAdminUrl(): string {
  return (
    process.env.BENCH_DATABASE_URL ??
    process.env.TEST_DATABASE_URL ??
    'postgres://postgres@127.0.0.1:5432/postgres'
  );
}

/** True when something accepts TCP at the URL's host:port and answers a query. */
export async function isPostgresReachable(adminUrl: string, timeoutMs = 2000): Promise<boolean> {
  const url = new URL(adminUrl);
  const open = await new Promise<boolean>((resolve) => {
    const socket = net.connect({
      host: url.hostname || '127.0.0.1',
      port: Number(url.port || 5432),
    });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
  if (!open) return false;
  const client = new Client({ connectionString: adminUrl, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
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
 * Ctrl-C or a kill must not leave scratch databases behind: on SIGINT/SIGTERM drop them, then
 * exit with the conventional 128 + signal code.
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

/** Creates an empty database with a random name; only `drop()` of this object ever removes it. */
export async function createScratchDatabase(
  adminUrl: string,
  prefix: string,
): Promise<ScratchDatabase> {
  hookSignals();
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
