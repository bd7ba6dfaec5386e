import type { DataSource } from 'typeorm';
import type { IngestStatusSnapshot } from '../../src/domain/status';
import { createAppEvents, type AppEvents } from '../../src/events/app-events';
import { createServer, type RunningServer, type ServerOptions } from '../../src/http/server';
import { createQuietLogger } from '../../src/logger';
import { createReadRepositories } from '../../src/repositories/read-repositories';
import { createApiServices } from '../../src/services/api-services';
import type { CommitGenerations } from '../../src/services/cache/commit-generations';
import { makeStatusSnapshot } from './api-factories';
import { createTestDatabase, type TestDatabase, type TestDatabaseKind } from './test-databases';

export interface TestApi {
  server: RunningServer;
  url: string;
  events: AppEvents;
  /** Mutable: tests flip the feed or change the snapshot the server reports. */
  state: { feedConnected: boolean; status: IngestStatusSnapshot };
  close(): Promise<void>;
}

export interface TestApiOverrides extends Partial<Omit<ServerOptions, 'services' | 'database'>> {
  /** Serve the read side (and `/readyz`) from this DataSource instead of the test database's. */
  dataSource?: DataSource;
  /** Cache reads, invalidated by these commit events (wire the same object into the writers). */
  commits?: CommitGenerations;
}

/**
 * A real API server on port 0 over a test database, with a controllable status/feed. The read
 * side is wired as src/app.ts wires it (createReadRepositories → createApiServices).
 */
export async function startTestApi(
  db: TestDatabase,
  { dataSource = db.dataSource, commits, ...overrides }: TestApiOverrides = {},
): Promise<TestApi> {
  const events = createAppEvents();
  const state = { feedConnected: true, status: makeStatusSnapshot({ database: db.kind }) };
  const repositories = createReadRepositories(dataSource);
  const server = await createServer({
    port: 0,
    host: '127.0.0.1',
    config: { production: false, apiToken: null, pollMs: 2000 },
    services: createApiServices({ repositories, events, status: () => state.status, commits }),
    database: repositories.health,
    feedConnected: () => state.feedConnected,
    logger: createQuietLogger(),
    ...overrides,
  });
  return { server, url: server.url, events, state, close: () => server.close() };
}

export interface TestApiFixture {
  db: TestDatabase;
  api: TestApi;
}

/**
 * The usual fixture of an API suite, registered on the calling describe block: beforeAll opens
 * a fresh database of `kind`, runs `seed` on it and starts a test API over it; afterAll closes
 * the API and drops the database. The returned objects are filled in by beforeAll, so read
 * them inside tests and hooks only.
 */
export function useTestApi(
  kind: TestDatabaseKind,
  options: { seed?: (db: TestDatabase) => Promise<void>; api?: TestApiOverrides } = {},
): TestApiFixture {
  const db = {} as TestDatabase;
  const api = {} as TestApi;
  beforeAll(async () => {
    Object.assign(db, await createTestDatabase(kind));
    await options.seed?.(db);
    Object.assign(api, await startTestApi(db, options.api));
  });
  afterAll(async () => {
    if ('close' in api) await api.close();
    if ('drop' in db) await db.drop();
  });
  return { db, api };
}

export interface GraphqlResponse<T = Record<string, unknown>> {
  status: number;
  body: {
    data?: T | null;
    errors?: { message: string; extensions?: Record<string, unknown>; path?: unknown[] }[];
  };
}

/** POSTs one GraphQL operation as JSON, like any HTTP client would. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read untyped JSON
export async function gql<T = any>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GraphqlResponse<T>> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as GraphqlResponse<T>['body'] };
}
