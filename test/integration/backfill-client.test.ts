import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  MassiveBackfillClient,
  type BackfillClientOptions,
} from '../../src/ingest/massive/backfill-client';
import { BackfillClosedError, BackfillRequestError } from '../../src/ingest/massive/errors';
import type { SimAggregate } from '../../src/ingest/simulator/generator';
import { IDEAL_FEED, MassiveSimulator } from '../../src/ingest/simulator/massive-simulator';
import { barKey, fromSimAggregate, rollUp } from '../../testkit/bar-oracle';
import { captureLogger, pastMinute } from '../helpers/feed-fixtures';

const KEY = 'rest-key-c0ffee';
const MINUTE = 60_000;
const FAST_RETRY = { retryBackoff: { minMs: 1, maxMs: 20, factor: 2 }, requestsPerSecond: 0 };

describe('MassiveBackfillClient against the simulator REST endpoint (real HTTP)', () => {
  let sim: MassiveSimulator;
  let restUrl: string;
  let generated: SimAggregate[];
  let client: MassiveBackfillClient | null = null;
  const T0 = pastMinute(120);

  beforeEach(async () => {
    generated = [];
    sim = new MassiveSimulator({
      clock: 'manual',
      startMs: T0,
      symbolCount: 6,
      eventsPerSecond: 4,
      apiKey: KEY,
      restPageSize: 7,
      ...IDEAL_FEED,
      onEventsGenerated: (events) => generated.push(...events),
    });
    ({ restUrl } = await sim.start());
    sim.advance(T0 + 30 * MINUTE + 25_000); // 30 whole minutes and part of the 31st
  });

  afterEach(async () => {
    client?.close();
    client = null;
    await sim.close();
  });

  const newClient = (options: Partial<BackfillClientOptions> = {}) =>
    (client = new MassiveBackfillClient({
      restUrl,
      apiKey: KEY,
      source: 'simulator',
      ...FAST_RETRY,
      ...options,
    }));

  it('follows next_url and returns exactly the independent roll-up of generated seconds', async () => {
    const backfill = newClient();
    const expected = rollUp(generated.map(fromSimAggregate));
    for (const symbol of ['AAPL', 'MSFT', 'GOOGL']) {
      const before = sim.status().restRequests;
      const bars = await backfill.fetchMinuteBars(symbol, T0, T0 + 40 * MINUTE);
      expect(sim.status().restRequests - before).toBe(5); // 30 bars, 7 per page
      expect(bars.map((b) => b.minuteStartMs)).toEqual(
        Array.from({ length: 30 }, (_, i) => T0 + i * MINUTE),
      );
      for (const bar of bars) {
        const want = expected.get(barKey(symbol, bar.minuteStartMs))!;
        expect(bar.symbol).toBe(symbol);
        expect([bar.open, bar.high, bar.low, bar.close, bar.volume]).toEqual([
          want.open,
          want.high,
          want.low,
          want.close,
          want.volume,
        ]);
        expect(bar.vwap).toBeCloseTo(want.vwap!, 4);
      }
    }
    expect(backfill.status()).toMatchObject({
      requests: 15,
      pages: 15,
      failures: 0,
      retries: 0,
      barsFetched: 90,
      barsRejected: 0,
    });
  });

  it('is idempotent: the same range fetched twice gives the same bars', async () => {
    const backfill = newClient();
    const first = await backfill.fetchMinuteBars('NVDA', T0 + 5 * MINUTE, T0 + 12 * MINUTE);
    const second = await backfill.fetchMinuteBars('NVDA', T0 + 5 * MINUTE, T0 + 12 * MINUTE);
    expect(first).toHaveLength(8); // inclusive bounds
    expect(second).toEqual(first);
  });

  it('retries 429 and 5xx, honouring Retry-After', async () => {
    const backfill = newClient();
    sim.injectRestFailures(2, 500);
    const bars = await backfill.fetchMinuteBars('AAPL', T0, T0 + 3 * MINUTE);
    expect(bars).toHaveLength(4);
    expect(backfill.status()).toMatchObject({ retries: 2, requests: 3, failures: 0 });

    sim.injectRestFailures(1, 429, 1);
    const started = Date.now();
    await backfill.fetchMinuteBars('AAPL', T0, T0 + 3 * MINUTE);
    // Backoff alone is ≤ 20 ms here; only honouring Retry-After: 1 explains a ≥ 1 s wait.
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(backfill.status()).toMatchObject({ retries: 3, requests: 5 });
    expect(sim.status().restFailuresServed).toBe(3);
  });

  it('gives up after maxAttempts with a clear error', async () => {
    const backfill = newClient({ maxAttempts: 3 });
    sim.injectRestFailures(10, 503);
    const error = await backfill.fetchMinuteBars('AAPL', T0, T0 + MINUTE).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackfillRequestError);
    expect((error as BackfillRequestError).status).toBe(503);
    expect((error as Error).message).toContain('gave up after 3 attempts');
    expect(backfill.status()).toMatchObject({ requests: 3, failures: 1 });
    expect(backfill.status().lastError).toContain('503');
  });

  it('does not retry a rejected key, and never puts a key in the error', async () => {
    const wrongKey = 'wrong-key-dead';
    const logs: string[] = [];
    const backfill = newClient({ apiKey: wrongKey, logger: captureLogger(logs) });
    const error = await backfill.fetchMinuteBars('AAPL', T0, T0 + MINUTE).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackfillRequestError);
    expect((error as BackfillRequestError).status).toBe(401);
    expect(
      JSON.stringify({
        message: (error as Error).message,
        url: (error as BackfillRequestError).url,
      }),
    ).not.toContain(wrongKey);
    expect(backfill.status()).toMatchObject({ requests: 1, retries: 0, failures: 1 });
    expect(backfill.status().lastError).not.toContain(wrongKey);
    expect(logs.join('\n')).toContain('401');
    expect(logs.join('\n')).not.toContain(wrongKey);
  });

  it('rejects on close while waiting to retry', async () => {
    const backfill = newClient({ retryBackoff: { minMs: 10_000, maxMs: 10_000, factor: 1 } });
    sim.injectRestFailures(1, 500);
    const pending = backfill.fetchMinuteBars('AAPL', T0, T0 + MINUTE);
    await new Promise<void>((resolve) => {
      const check = () => (backfill.status().retries === 1 ? resolve() : setTimeout(check, 5));
      check();
    });
    backfill.close();
    await expect(pending).rejects.toBeInstanceOf(BackfillClosedError);
  });
});

describe('MassiveBackfillClient validation (real HTTP server with hand-written pages)', () => {
  let server: http.Server;
  let restUrl: string;
  let pages: Record<string, unknown>[];
  const seen: string[] = [];
  const T = Date.UTC(2025, 0, 2, 15, 0);

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push(req.url ?? '');
      const cursor = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('page') ?? '0');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(pages[cursor]));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    restUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('drops invalid bars by reason, keeps valid ones, and appends the key to next_url', async () => {
    const good = (t: number) => ({ t, o: 10, h: 11, l: 9, c: 10.5, v: 100, vw: 10.2, n: 3 });
    pages = [
      {
        status: 'OK',
        results: [
          good(T),
          { ...good(T + MINUTE), h: 8 },
          { ...good(T + 2 * MINUTE), t: T + 2 * MINUTE + 5 },
        ],
        next_url: `${restUrl}/v2/aggs/ticker/AAPL/range/1/minute/${T}/${T}?page=1`,
      },
      {
        status: 'DELAYED',
        results: [good(T + 3 * MINUTE), { ...good(T + 4 * MINUTE), v: -1 }, 'junk'],
      },
    ];
    const backfill = new MassiveBackfillClient({
      restUrl,
      apiKey: 'k-123',
      maxFutureMs: Number.MAX_SAFE_INTEGER,
    });
    const bars = await backfill.fetchMinuteBars('AAPL', T, T + 10 * MINUTE);
    const parsed = {
      symbol: 'AAPL',
      open: 10,
      high: 11,
      low: 9,
      close: 10.5,
      volume: 100,
      vwap: 10.2,
    };
    expect(bars).toEqual([
      { ...parsed, minuteStartMs: T },
      { ...parsed, minuteStartMs: T + 3 * MINUTE },
    ]);
    expect(backfill.status().rejectedByReason).toEqual({
      inconsistent_prices: 1,
      absurd_timestamp: 1,
      negative_value: 1,
      not_an_object: 1,
    });
    expect(seen.slice(-2).map((url) => new URL(url, restUrl).searchParams.get('apiKey'))).toEqual([
      'k-123',
      'k-123',
    ]);
    expect(seen.at(-2)).toContain('adjusted=false&sort=asc&limit=50000');
  });

  it('refuses to send the key to a next_url on another origin', async () => {
    pages = [
      {
        status: 'OK',
        results: [],
        next_url: 'http://elsewhere.example/v2/aggs/ticker/AAPL/range/1/minute/1/2?cursor=x',
      },
    ];
    const backfill = new MassiveBackfillClient({ restUrl, apiKey: 'k-123' });
    await expect(backfill.fetchMinuteBars('AAPL', T, T + MINUTE)).rejects.toThrow(/another origin/);
  });
});
