import net from 'node:net';
import { Client } from 'pg';

export const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** True when something accepts TCP connections at the URL's host:port within the timeout. */
export function isReachable(
  rawUrl: string,
  defaultPort: number,
  timeoutMs = 1000,
): Promise<boolean> {
  const url = new URL(rawUrl);
  return new Promise((resolve) => {
    const socket = net.connect({
      host: url.hostname || '127.0.0.1',
      port: Number(url.port || defaultPort),
    });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** True when PostgreSQL at the URL accepts TCP and answers a query. */
export async function isPostgresReachable(adminUrl: string, timeoutMs = 2000): Promise<boolean> {
  if (!(await isReachable(adminUrl, 5432, timeoutMs))) return false;
  const client = new Client({ connectionString: adminUrl, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    // Unreachable is the answer here, not an error: the caller decides whether it may skip.
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}
