import pino from 'pino';
import { startApp, type RunningApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import type { IngestStatusSnapshot } from '../../src/domain/status';
import { diffBars, readStoredBars } from '../../testkit/stored-bars';
import { waitFor } from '../../testkit/wait';
import type { AppDatabase } from './app-database';
import type { ExternalFeed } from './app-feed';

/** One parsed pino line of a running app. */
export type LogLine = Record<string, unknown> & { msg?: string };

export interface TestApp {
  app: RunningApp;
  logs: LogLine[];
}

/**
 * startApp on port 0 through the real config parser (`loadConfig(env)`), logging into memory at
 * info level so tests can check what the app reported. FLUSH_INTERVAL_MS defaults to 50 here,
 * and SIM_HISTORY_SESSIONS to 0 (a test that counts stored bars wants only what it sent).
 */
export async function startTestApp(env: Record<string, string>): Promise<TestApp> {
  const logs: LogLine[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) },
  );
  const config = loadConfig({
    PORT: '0',
    FLUSH_INTERVAL_MS: '50',
    SIM_HISTORY_SESSIONS: '0',
    ...env,
  });
  const app = await startApp(config, { logger });
  return { app, logs };
}

/** GET `url` and parse the JSON answer, with the status code. */
export async function getJson<T = unknown>(url: string): Promise<{ status: number; body: T }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as T };
}

/** The status snapshot as /api/stats serves it over HTTP. */
export async function fetchStats(baseUrl: string): Promise<IngestStatusSnapshot> {
  const { status, body } = await getJson<IngestStatusSnapshot>(`${baseUrl}/api/stats`);
  if (status !== 200) throw new Error(`/api/stats answered ${status}`);
  return body;
}

/** Waits until the app has every socket live and the simulator has all symbols subscribed. */
export async function waitForSubscribed(
  status: () => IngestStatusSnapshot | Promise<IngestStatusSnapshot>,
  feed: ExternalFeed,
): Promise<void> {
  const wanted = [...feed.symbols].sort().join(',');
  let last: IngestStatusSnapshot | null = null;
  await waitFor(
    async () => {
      last = await status();
      const subscribed = feed.sim.clients().flatMap((client) => client.subscriptions);
      return (
        last.connections.every((c) => c.state === 'live') && subscribed.sort().join(',') === wanted
      );
    },
    () =>
      `all sockets live and subscribed: ${JSON.stringify(last?.connections)} / ${JSON.stringify(feed.sim.clients())}`,
  );
}

/**
 * Waits until the app has taken in every event the simulator wrote to its sockets;
 * `sentBefore`: events sent before this app lifetime started (to an earlier one).
 */
export async function waitForAllReceived(
  received: () => number | Promise<number>,
  feed: ExternalFeed,
  sentBefore = 0,
): Promise<void> {
  let last = -1;
  const wanted = () => feed.recorder.sentCount() - sentBefore;
  await waitFor(
    async () => (last = await received()) === wanted(),
    () => `the app to receive all ${wanted()} events sent to it (has ${last})`,
  );
}

/** Every stored bar compared with the feed's independent roll-up; [] when equal. */
export async function diffStoredBars(
  db: AppDatabase,
  feed: ExternalFeed,
): Promise<{ problems: string[]; rows: number; expected: number }> {
  const expected = feed.recorder.expectedBars();
  const stored = await db.read((dataSource) => readStoredBars(dataSource));
  return { problems: diffBars(stored, expected), rows: stored.size, expected: expected.size };
}
