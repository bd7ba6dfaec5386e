import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isReachable } from './reachability';
import { waitFor } from './wait';

export interface PrivateRedis {
  url: string;
  /** 'own': a redis-server started here (and stopped by stop()); 'external': the fallback. */
  origin: 'own' | 'external';
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(() => resolve(undefined)));
  return port;
}

/**
 * A Redis of the caller's own (redis-server on a free port, no persistence, data under a temp
 * dir), because pub/sub is server-wide: a suite or drill that listens on every channel must not
 * hear anyone else. Without the redis-server binary: `fallbackUrl` (null: none).
 */
export async function startPrivateRedis(
  fallbackUrl: string,
  options?: { port?: number },
): Promise<PrivateRedis>;
export async function startPrivateRedis(
  fallbackUrl: string | null,
  options?: { port?: number },
): Promise<PrivateRedis | null>;
/** `port`: listen there (e.g. to bring a stopped one back on the same address). */
export async function startPrivateRedis(
  fallbackUrl: string | null,
  options: { port?: number } = {},
): Promise<PrivateRedis | null> {
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    return fallbackUrl === null
      ? null
      : { url: fallbackUrl, origin: 'external', stop: () => Promise.resolve() };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'tickstock-redis-'));
  const port = options.port ?? (await freePort());
  const child: ChildProcess = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
    ],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  await waitFor(() => isReachable(url, port, 200), 'the private redis-server to listen');
  return {
    url,
    origin: 'own',
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
