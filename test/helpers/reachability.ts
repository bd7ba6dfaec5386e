import net from 'node:net';

export const DEFAULT_TEST_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const DEFAULT_TEST_REDIS_URL = 'redis://127.0.0.1:6379';

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
