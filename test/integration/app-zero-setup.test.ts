import type { RunningApp } from '../../src/app';
import type { LegacyTicksResponse } from '../../src/http/rest';
import { waitFor } from '../../testkit/wait';
import { getJson, startTestApp } from '../helpers/app-run';

/**
 * `npm start` with nothing configured but an in-memory database and a free port: the built-in
 * simulator feeds the real client over a real socket, bars land in the embedded database, and
 * the HTTP API serves them.
 */
describe('zero-setup start (embedded database, built-in simulator)', () => {
  let app: RunningApp | null = null;

  afterEach(async () => {
    await app?.stop();
    app = null;
  });

  it('serves /healthz and /readyz, ingests, and /api/ticks/recent returns the stored AAPL bars', async () => {
    // The defaults of every other key, as a fresh clone has them (only these two are changed).
    ({ app } = await startTestApp({
      DATABASE_URL: 'memory://',
      PORT: '0',
      FLUSH_INTERVAL_MS: '250',
    }));
    const running = app;
    expect(running.simulator).not.toBeNull();
    expect(running.simulator!.symbols).toContain('AAPL');
    expect(running.status()).toMatchObject({ feed: 'simulator', database: 'pglite' });

    expect(await getJson(`${running.url}/healthz`)).toEqual({
      status: 200,
      body: { status: 'ok' },
    });
    await waitFor(
      async () => (await getJson(`${running.url}/readyz`)).status === 200,
      'readyz 200',
    );

    let answer: LegacyTicksResponse | null = null;
    await waitFor(
      async () => {
        const { status, body } = await getJson<LegacyTicksResponse>(
          `${running.url}/api/ticks/recent?symbol=AAPL`,
        );
        answer = status === 200 ? body : null;
        return answer !== null && answer.count > 0;
      },
      () =>
        `AAPL bars over REST: ${JSON.stringify(answer)} / ${JSON.stringify(running.status().ingest)}`,
    );
    const { ticks, count, symbol } = answer!;
    expect(symbol).toBe('AAPL');
    expect(count).toBe(ticks.length);

    // What REST served is what the database holds (the writer may have updated the newest bar
    // since, so compare the rows at their REST timestamps, excluding the newest).
    const stored = await running.dataSource.query<
      { ts: string; open: string; high: string; low: string; close: string; volume: string }[]
    >(
      `SELECT extract(epoch FROM "timestamp")::bigint::text AS ts, open::text, high::text, low::text, close::text, volume::text
         FROM ohlcv_1min WHERE symbol = 'AAPL' ORDER BY "timestamp" DESC`,
    );
    expect(stored.length).toBeGreaterThanOrEqual(count);
    for (const tick of ticks) {
      expect(tick.timestamp % 60).toBe(0);
      expect(tick.low).toBeLessThanOrEqual(Math.min(tick.open, tick.close));
      expect(tick.high).toBeGreaterThanOrEqual(Math.max(tick.open, tick.close));
      expect(tick.volume).toBeGreaterThan(0);
      const row = stored.find((r) => Number(r.ts) === tick.timestamp);
      expect(row).toBeDefined();
      expect(Number(row!.open)).toBe(tick.open);
    }
    expect(ticks.map((t) => t.timestamp)).toEqual(
      [...ticks.map((t) => t.timestamp)].sort((a, b) => b - a),
    );

    const status = running.status();
    expect(status.connections[0].state).toBe('live');
    expect(status.ingest.ticksProcessed).toBeGreaterThan(0);
    expect(status.ingest.ticksRejected).toBe(0);
    expect(status.writer.barsWritten).toBeGreaterThan(0);
  }, 180_000);
});
