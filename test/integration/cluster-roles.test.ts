import { waitFor } from '../../testkit/wait';
import { createAppDatabase, type AppDatabase } from '../helpers/app-database';
import { startExternalFeed, type ExternalFeed, feedEnv } from '../helpers/app-feed';
import { fetchStats, getJson, startTestApp, waitForSubscribed } from '../helpers/app-run';
import { pollQuery } from '../../src/web/queries';
import { TEST_ELECTION_ENV } from '../helpers/cluster-run';
import { testPostgresUrl } from '../helpers/test-databases';

/**
 * ROLE=ingest in one process on PGlite: the embedded database lives inside the process, so
 * there is nothing to elect — it is always the leader. It serves health endpoints and its
 * status only: no GraphQL, no REST data, no dashboard.
 */
describe('ROLE=ingest on PGlite', () => {
  let db: AppDatabase;
  let feed: ExternalFeed;

  beforeEach(async () => {
    db = await createAppDatabase('pglite');
    feed = await startExternalFeed({ maxConnections: 1 });
  });

  afterEach(async () => {
    await feed?.close();
    await db?.drop();
  });

  it('is always the leader, ingests, and serves health endpoints only', async () => {
    const { app } = await startTestApp({ ROLE: 'ingest', DATABASE_URL: db.url, ...feedEnv(feed) });
    try {
      await waitForSubscribed(() => fetchStats(app.url), feed);
      const stats = await fetchStats(app.url);
      expect(stats.cluster).toMatchObject({
        role: 'ingest',
        events: 'in-process',
        leadership: { state: 'leader', election: 'single-process', elections: 1, takeovers: 0 },
      });
      await waitFor(
        async () => (await fetchStats(app.url)).cluster?.leadership?.lastTakeoverMs !== null,
        'the time to live to be recorded',
      );
      const ready = await getJson<{ checks: { feed: string } }>(`${app.url}/readyz`);
      expect(ready).toEqual({
        status: 200,
        body: expect.objectContaining({ checks: { database: 'ok', feed: 'ok' } }),
      });
      expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
      expect(await (await fetch(`${app.url}/metrics`)).text()).toMatch(
        /^tickstock_ingest_leader 1$/m,
      );
      for (const path of ['/graphql', '/api/ticks/recent?symbol=AAPL', '/'])
        expect((await fetch(`${app.url}${path}`)).status).toBe(404);
    } finally {
      await app.stop();
    }
  });
});

describe('ROLE=all (the one box) and the dashboard query', () => {
  it('answers the dashboard poll, cluster fields included, with cluster null', async () => {
    const { app } = await startTestApp({ DATABASE_URL: 'memory://' });
    try {
      const response = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: pollQuery(false),
          variables: { patternsSince: null, patternLimit: 10 },
        }),
      });
      const body = (await response.json()) as {
        data?: { ingestStatus: { cluster: unknown } };
        errors?: unknown[];
      };
      expect(body.errors).toBeUndefined();
      expect(body.data?.ingestStatus.cluster).toBeNull();
      expect(app.status().cluster).toBeUndefined();
    } finally {
      await app.stop();
    }
  });
});

(testPostgresUrl() ? describe : describe.skip)('ROLE=ingest retention', () => {
  let db: AppDatabase;
  let feed: ExternalFeed;

  beforeEach(async () => {
    db = await createAppDatabase('postgres');
    feed = await startExternalFeed({ maxConnections: 1 });
  });

  afterEach(async () => {
    await feed?.close();
    await db?.drop();
  });

  it('RETENTION_DAYS runs on the ingest leader only, and moves with the leadership', async () => {
    const env = {
      ROLE: 'ingest',
      DATABASE_URL: db.url,
      RETENTION_DAYS: '30',
      ...TEST_ELECTION_ENV,
      ...feedEnv(feed),
    };
    const { app: a } = await startTestApp({ ...env, INSTANCE_ID: 'ingest-a' });
    let b: Awaited<ReturnType<typeof startTestApp>>['app'] | null = null;
    try {
      await waitFor(() => a.retention !== null, 'A to lead, running retention');
      await a.retention!.runOnce();
      expect(a.retention!.status()).toMatchObject({ days: 30, runs: 1, lastError: null });
      ({ app: b } = await startTestApp({ ...env, INSTANCE_ID: 'ingest-b' }));
      await waitFor(() => b!.status().cluster?.leadership?.state === 'standby', 'B to stand by');
      expect(b.retention).toBeNull();

      await a.stop();
      await waitFor(() => b!.status().cluster?.leadership?.state === 'leader', 'B to take over');
      // The job starts once B's ingest is built, right after the election.
      await waitFor(() => b!.retention !== null, "B's retention job");
      await b.retention!.runOnce();
      expect(b.retention!.status().runs).toBe(1);
    } finally {
      await a.stop();
      await b?.stop();
    }
  });
});
