/**
 * The API process of the API bench: serves the API over a given PostgreSQL database on a free
 * port, as an operator runs it (NODE_ENV=production: graphql-js skips its dev checks), in its
 * own process so the load generator does not share the server's event loop.
 */
import 'reflect-metadata';
import { fork, type ChildProcess } from 'node:child_process';
import { openDatabase } from '../ormconfig';
import { idleIngestStatus, type IngestStatusSnapshot } from '../src/domain/status';
import { createAppEvents } from '../src/events/app-events';
import { createServer } from '../src/http/server';
import { createReadRepositories } from '../src/repositories/read-repositories';
import { createApiServices } from '../src/services/api-services';
import { createLogger } from '../src/logger';

/** Starts this file as a child serving `databaseUrl`; resolves with the API's base URL. */
export async function startApiProcess(
  databaseUrl: string,
): Promise<{ child: ChildProcess; apiUrl: string }> {
  const child = fork(__filename, [databaseUrl], {
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  const apiUrl = await new Promise<string>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { url: string }).url));
    child.once('exit', (code) => reject(new Error(`API process exited early (${code})`)));
  });
  return { child, apiUrl };
}

/** Disconnects the API process and waits until it has exited. */
export async function stopApiProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.disconnect();
  await exited;
}

/** A status with nothing ingested: the bench API serves stored bars only. */
function idleStatus(): IngestStatusSnapshot {
  return {
    startedAt: new Date().toISOString(),
    uptimeSeconds: 0,
    feed: 'simulator',
    database: 'postgres',
    ...idleIngestStatus(),
  };
}

/** The child: serves the API on a free port, reports its URL, exits when the parent lets go. */
async function serve(databaseUrl: string): Promise<void> {
  const dataSource = await openDatabase({ kind: 'postgres', url: databaseUrl });
  const repositories = createReadRepositories(dataSource);
  const server = await createServer({
    port: 0,
    host: '127.0.0.1',
    config: { production: true, apiToken: null, pollMs: 2000 },
    services: createApiServices({ repositories, events: createAppEvents(), status: idleStatus }),
    database: repositories.health,
    feedConnected: () => true,
    logger: createLogger('warn'),
  });
  process.send?.({ url: server.url });
  process.once('disconnect', () => {
    void server
      .close()
      .then(() => dataSource.destroy())
      .then(() => process.exit(0));
  });
}

if (require.main === module) {
  serve(process.argv[2]).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
