/**
 * The API bench's baseline: a bare `node:http` server answering the newest bars of a symbol
 * with the very SQL the API runs, through `pg.Pool(10)`, serialized with JSON.stringify — what
 * an API costs at the least. Runs in its own process (forked by the bench).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import { RECENT_BARS_SQL } from '../src/repositories/bar-read.sql';

export async function startBareServer(
  databaseUrl: string,
): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(__filename, [databaseUrl], { stdio: 'inherit' });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { url: string }).url));
    child.once('exit', (code) => reject(new Error(`bare server exited early (${code})`)));
  });
  return { child, url };
}

function serve(databaseUrl: string): void {
  const pool = new Pool({ connectionString: databaseUrl, max: 10 });
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const symbol = url.searchParams.get('symbol') ?? '';
    const limit = Number(url.searchParams.get('limit') ?? 60);
    pool.query(RECENT_BARS_SQL, [symbol, '-infinity', limit]).then(
      (result) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ symbol, count: result.rowCount, ticks: result.rows }));
      },
      (error: unknown) => {
        res.writeHead(500).end(String(error));
      },
    );
  });
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    process.send?.({ url: `http://127.0.0.1:${port}` });
  });
  process.once('disconnect', () => {
    server.close();
    void pool.end().then(() => process.exit(0));
  });
}

if (require.main === module) serve(process.argv[2]);
