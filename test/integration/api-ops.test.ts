import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDataSource } from '../../ormconfig';
import { createMetrics } from '../../src/http/metrics';
import { waitFor } from '../../testkit/wait';
import { barSeries, insertBars, makeStatusSnapshot, randomSymbol } from '../helpers/api-factories';
import { gql, startTestApi, useTestApi } from '../helpers/api-server';
import { testDatabaseKinds } from '../helpers/test-databases';

/** Value of one sample line in a Prometheus text exposition, e.g. `name{a="b"} 12`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe.each(testDatabaseKinds())('health, readiness, metrics, shutdown (%s)', (kind) => {
  const metrics = createMetrics();
  const symbol = randomSymbol('M');

  const { db, api } = useTestApi(kind, {
    seed: ({ dataSource }) => insertBars(dataSource, barSeries(symbol, 5)),
    api: { metrics },
  });

  it('/healthz is 200 whatever the feed does', async () => {
    api.state.feedConnected = false;
    const response = await fetch(`${api.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
    api.state.feedConnected = true;
  });

  it('/readyz is 200 when the database answers and the feed is connected, 503 with reasons otherwise', async () => {
    const ready = await fetch(`${api.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', feed: 'ok' } });

    api.state.feedConnected = false;
    const feedDown = await fetch(`${api.url}/readyz`);
    expect(feedDown.status).toBe(503);
    expect(await feedDown.json()).toEqual({
      status: 'not ready',
      reasons: ['feed is not connected'],
      checks: { database: 'ok', feed: 'fail' },
    });
    api.state.feedConnected = true;
  });

  it('/readyz is 503 when the database is unreachable', async () => {
    // A real DataSource for a port nothing listens on (PGlite cannot have a second, separately
    // closable instance in one process, so this is the same for both kinds).
    const unreachable = createDataSource({
      kind: 'postgres',
      url: 'postgres://postgres@127.0.0.1:1/none',
    });
    await expect(unreachable.initialize()).rejects.toThrow();
    const orphan = await startTestApi(db, { dataSource: unreachable });
    try {
      const response = await fetch(`${orphan.url}/readyz`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({
        status: 'not ready',
        reasons: [expect.stringMatching(/database did not answer SELECT 1 within 2000 ms/)],
        checks: { database: 'fail', feed: 'ok' },
      });
    } finally {
      await orphan.close();
    }
  });

  it('/readyz is 503 when SELECT 1 does not answer within the timeout', async () => {
    if (kind !== 'postgres') return; // needs a pool that can be exhausted (PGlite has one connection, no pool)
    const busy = createDataSource(db.config, 1);
    await busy.initialize();
    const slow = await startTestApi(db, { dataSource: busy, readinessTimeoutMs: 200 });
    const sleeper = busy.query('SELECT pg_sleep(2)'); // holds the pool's only connection
    try {
      const response = await fetch(`${slow.url}/readyz`);
      expect(response.status).toBe(503);
      expect((await response.json()).reasons).toEqual([
        'database did not answer SELECT 1 within 200 ms',
      ]);
    } finally {
      await sleeper;
      await slow.close();
      await busy.destroy();
    }
  });

  it('/metrics exposes ingest counters, flush latency, HTTP and GraphQL durations', async () => {
    api.state.status = makeStatusSnapshot({ database: kind });
    metrics.flushLatency.observe(0.012);
    await fetch(`${api.url}/api/ticks/recent?symbol=${symbol}&limit=2`);
    await gql(
      api.url,
      `query RecentForMetrics { recentTicks(symbol: "${symbol}", limit: 2) { close } }`,
    );
    await fetch(`${api.url}/no/such/page/${Math.random()}`);

    const response = await fetch(`${api.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await response.text();
    for (const family of [
      'tickstock_ticks_received_total',
      'tickstock_ticks_rejected_total',
      'tickstock_bars_written_total',
      'tickstock_writer_backlog',
      'tickstock_feed_connections',
      'tickstock_flush_latency_seconds',
      'tickstock_http_request_duration_seconds',
      'tickstock_graphql_operation_duration_seconds',
      'tickstock_process_resident_memory_bytes',
    ]) {
      expect(text).toContain(`# TYPE ${family} `);
    }
    expect(sample(text, 'tickstock_ticks_received_total')).toBe(3_000_000_000);
    expect(sample(text, 'tickstock_ticks_rejected_total{reason="bad_symbol"}')).toBe(6);
    expect(sample(text, 'tickstock_writer_backlog')).toBe(7);
    expect(sample(text, 'tickstock_feed_connections{state="live"}')).toBe(1);
    expect(sample(text, 'tickstock_feed_connections{state="backoff"}')).toBe(1);
    expect(sample(text, 'tickstock_ingest_lag_seconds')).toBe(0.042);
    expect(sample(text, 'tickstock_flush_latency_seconds_count')).toBe(1);
    expect(
      sample(
        text,
        'tickstock_http_request_duration_seconds_count{method="GET",route="/api/ticks/recent",status="200"}',
      ),
    ).toBe(1);
    expect(
      sample(
        text,
        'tickstock_http_request_duration_seconds_count{method="GET",route="other",status="404"}',
      ),
    ).toBe(1);
    expect(
      sample(
        text,
        'tickstock_graphql_operation_duration_seconds_count{operation="RecentForMetrics",type="query",outcome="ok"}',
      ),
    ).toBe(1);

    // Counters follow the snapshot (they are not accumulated across scrapes).
    api.state.status = makeStatusSnapshot({
      ingest: { ...makeStatusSnapshot().ingest, ticksReceived: 3_000_000_500 },
    });
    const again = await (await fetch(`${api.url}/metrics`)).text();
    expect(sample(again, 'tickstock_ticks_received_total')).toBe(3_000_000_500);
  });

  it('close() closes idle keep-alive sockets and refuses new connections', async () => {
    const own = await startTestApi(db);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = (path: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(`${own.url}${path}`, { agent }, (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
    try {
      // A keep-alive socket left idle after one request.
      expect((await get('/healthz')).status).toBe(200);
      let socketClosed = false;
      const [socket] = Object.values(agent.freeSockets).flat();
      socket?.once('close', () => (socketClosed = true));
      expect(socket).toBeDefined();

      await own.close();
      await waitFor(() => socketClosed, 'the idle keep-alive socket to close', 10_000);
      expect(own.server.httpServer.listening).toBe(false);
      await expect(fetch(`${own.url}/healthz`)).rejects.toThrow();
    } finally {
      agent.destroy();
      await own.close();
    }
  });

  it('close() lets an in-flight request finish', async () => {
    if (kind !== 'postgres') return; // needs a second session holding a lock (PGlite has one session)
    const own = await startTestApi(db);
    const locker = db.dataSource.createQueryRunner();
    await locker.connect();
    await locker.startTransaction();
    await locker.query('LOCK TABLE ohlcv_1min IN ACCESS EXCLUSIVE MODE');
    let closing: Promise<void> | undefined;
    try {
      const inflight = fetch(`${own.url}/api/ticks/recent?symbol=${symbol}&limit=3`);
      await waitFor(
        async () => {
          const rows = await db.dataSource.query(
            `SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND relation = 'ohlcv_1min'::regclass`,
          );
          return rows[0].n > 0;
        },
        'the request to wait on the lock',
        10_000,
      );
      closing = own.close();
      await waitFor(() => !own.server.httpServer.listening, 'the listener to close', 10_000);
      await locker.rollbackTransaction();
      const response = await inflight;
      expect(response.status).toBe(200);
      expect((await response.json()).count).toBe(3);
      await closing;
    } finally {
      if (locker.isTransactionActive) await locker.rollbackTransaction();
      await locker.release();
      await (closing ?? own.close());
    }
  });

  it('serves the dashboard from staticDir at / and the poll interval at /api/config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tickstock-static-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>TickStock test page</title>');
    const own = await startTestApi(db, {
      staticDir: dir,
      config: { production: false, apiToken: 't', pollMs: 3000 },
    });
    try {
      const page = await fetch(`${own.url}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      expect(await page.text()).toContain('TickStock test page');
      const config = await fetch(`${own.url}/api/config`);
      expect(await config.json()).toEqual({
        pollMs: 3000,
        graphqlPath: '/graphql',
        authRequired: true,
      });
    } finally {
      await own.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
