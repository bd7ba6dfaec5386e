import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { waitThroughErrors } from '../../testkit/wait';

export interface DrillRedis {
  url: string;
  /** 'own': a redis-server the drill started (and stops); 'external': REDIS_URL / local. */
  origin: 'own' | 'external';
  close(): Promise<void>;
}

const REDIS_SERVER = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find(existsSync);

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A Redis of the drill's own (redis-server on a free port, no persistence, under a temp dir),
 * or `fallbackUrl` when the binary is not installed.
 */
export async function startDrillRedis(fallbackUrl: string): Promise<DrillRedis> {
  if (REDIS_SERVER === undefined)
    return { url: fallbackUrl, origin: 'external', close: () => Promise.resolve() };
  const dir = mkdtempSync(path.join(tmpdir(), 'tickstock-redis-'));
  const port = await freePort();
  const child: ChildProcess = spawn(
    REDIS_SERVER,
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
  await waitThroughErrors(
    async () => {
      const probe = new Redis(url, {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        return (await probe.ping()) === 'PONG';
      } finally {
        probe.disconnect();
      }
    },
    'redis-server to answer',
    10_000,
    50,
  );
  return {
    url,
    origin: 'own',
    close: async () => {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
