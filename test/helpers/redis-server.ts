import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isReachable } from '../../testkit/reachability';
import { waitFor } from '../../testkit/wait';
import { testRedisUrl } from './test-databases';

export interface PrivateRedis {
  url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A Redis of the test's own (redis-server on a free port, data under a temp dir), because
 * pub/sub is server-wide: a suite that listens on every channel must not hear other suites.
 * Without the redis-server binary: the shared test Redis when reachable, else null.
 */
export async function startPrivateRedis(): Promise<PrivateRedis | null> {
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    const shared = testRedisUrl();
    return shared === null ? null : { url: shared, stop: async () => undefined };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'tickstock-redis-'));
  const port = await freePort();
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
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
