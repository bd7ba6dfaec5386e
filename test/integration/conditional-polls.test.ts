import { createHash } from 'node:crypto';
import { createIngest, type Ingest } from '../../src/ingest/create-ingest';
import { createQuietLogger } from '../../src/logger';
import { createOhlcvRepository } from '../../src/repositories/ohlcv.repository';
import { CommitGenerations } from '../../src/services/cache/commit-generations';
import { barSeries, insertBars, randomSymbol } from '../helpers/api-factories';
import { useTestApi } from '../helpers/api-server';
import { pastMinute } from '../helpers/feed-fixtures';
import { testDatabaseKinds } from '../helpers/test-databases';

const QUERY = `query Recent($s: String!) { recentTicks(symbol: $s, limit: 5) { timestamp close } }`;

describe.each(testDatabaseKinds())('conditional polls and GraphQL over GET (%s)', (kind) => {
  const commits = new CommitGenerations();
  const symbol = randomSymbol('E');
  const { db, api } = useTestApi(kind, {
    seed: ({ dataSource }) => insertBars(dataSource, barSeries(symbol, 3)),
    api: { commits },
  });
  let ingest: Ingest;
  beforeAll(async () => {
    ingest = await createIngest({
      store: createOhlcvRepository(db.dataSource),
      logger: createQuietLogger(),
      tuning: { flushIntervalMs: 3_600_000, flushBatchSize: 5000 },
      seedFromStore: false,
      commits,
    });
  });
  afterAll(() => ingest.stop());

  const poll = (headers: Record<string, string> = {}) =>
    fetch(`${api.url}/api/ticks/recent?symbol=${symbol}&limit=10`, { headers });

  it('REST: ETag, then 304 without a body while nothing was written, 200 with the new bar after a flush', async () => {
    const first = await poll();
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[\w-]+\.\d+"$/);
    const firstBody = (await first.json()) as { count: number };
    expect(firstBody.count).toBe(3);

    const unchanged = await poll({ 'if-none-match': etag! });
    expect(unchanged.status).toBe(304);
    expect(unchanged.headers.get('etag')).toBe(etag);
    expect(await unchanged.text()).toBe('');
    expect((await poll({ 'if-none-match': `"other", W/${etag!}` })).status).toBe(304);

    // A new minute is flushed: the very next conditional poll gets it.
    const minute = pastMinute(-1);
    ingest.pipeline.handleTicks([
      {
        symbol,
        eventType: 'A',
        startMs: minute,
        endMs: minute + 1000,
        open: 7,
        high: 8,
        low: 6,
        close: 7.5,
        volume: 10,
        vwap: 7,
        accumulatedVolume: null,
        dayOpen: null,
        dayVwap: null,
        averageTradeSize: null,
        source: 'simulator',
        receivedAtMs: Date.now(),
      },
    ]);
    expect(await ingest.writer.flushNow()).toBe('flushed');
    const changed = await poll({ 'if-none-match': etag! });
    expect(changed.status).toBe(200);
    const newTag = changed.headers.get('etag');
    expect(newTag).not.toBe(etag);
    const body = (await changed.json()) as { count: number; ticks: { timestamp: number }[] };
    expect(body.count).toBe(4);
    expect(body.ticks[0].timestamp).toBe(minute / 1000);
    expect((await poll({ 'if-none-match': newTag! })).status).toBe(304);
  });

  it("Massive-compatible aggregates: weak ETag by the symbol's last commit, 304 until a flush", async () => {
    const to = pastMinute(0) + 60_000;
    const url = `${api.url}/v2/aggs/ticker/${symbol}/range/1/minute/${to - 86_400_000}/${to}`;
    const first = await fetch(url);
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^W\/"[\w-]+\.\d+"$/);
    const counted = ((await first.json()) as { resultsCount: number }).resultsCount;
    expect((await fetch(url, { headers: { 'if-none-match': etag! } })).status).toBe(304);
    const minute = pastMinute(30);
    ingest.pipeline.handleTicks([
      {
        symbol,
        eventType: 'A',
        startMs: minute,
        endMs: minute + 1000,
        open: 9,
        high: 9,
        low: 9,
        close: 9,
        volume: 1,
        vwap: 9,
        accumulatedVolume: null,
        dayOpen: null,
        dayVwap: null,
        averageTradeSize: null,
        source: 'simulator',
        receivedAtMs: Date.now(),
      },
    ]);
    expect(await ingest.writer.flushNow()).toBe('flushed');
    const changed = await fetch(url, { headers: { 'if-none-match': etag! } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(((await changed.json()) as { resultsCount: number }).resultsCount).toBe(counted + 1);
  });

  it('REST: bad input is a 400 even with a matching ETag', async () => {
    const etag = (await poll()).headers.get('etag')!;
    const bad = await fetch(`${api.url}/api/ticks/recent?symbol=${symbol}&limit=0`, {
      headers: { 'if-none-match': etag },
    });
    expect(bad.status).toBe(400);
  });

  const getUrl = (params: Record<string, unknown>) =>
    `${api.url}/graphql?${new URLSearchParams(
      Object.entries(params).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
    ).toString()}`;

  it('GraphQL GET answers queries with a preflight header or a JSON content type', async () => {
    const url = getUrl({ query: QUERY, variables: { s: symbol } });
    const variants: Record<string, string>[] = [
      { 'apollo-require-preflight': 'true' },
      { 'content-type': 'application/json' },
    ];
    for (const headers of variants) {
      const response = await fetch(url, { headers });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { data: { recentTicks: unknown[] } };
      expect(body.data.recentTicks.length).toBeGreaterThanOrEqual(3);
    }
  });

  it('GraphQL GET without a preflight header (a simple cross-site request) is refused: CSRF prevention', async () => {
    const response = await fetch(getUrl({ query: QUERY, variables: { s: symbol } }));
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/CSRF/i);
    const textPlain = await fetch(getUrl({ query: QUERY, variables: { s: symbol } }), {
      headers: { 'content-type': 'text/plain' },
    });
    expect(textPlain.status).toBe(400);
  });

  it('GraphQL GET by automatic persisted query hash, after the query was registered', async () => {
    const sha256Hash = createHash('sha256').update(QUERY).digest('hex');
    const extensions = { persistedQuery: { version: 1, sha256Hash } };
    const headers = { 'apollo-require-preflight': 'true' };
    const unknown = await fetch(getUrl({ extensions, variables: { s: symbol } }), { headers });
    expect(((await unknown.json()) as { errors: { message: string }[] }).errors[0].message).toBe(
      'PersistedQueryNotFound',
    );
    const register = await fetch(getUrl({ query: QUERY, extensions, variables: { s: symbol } }), {
      headers,
    });
    expect(register.status).toBe(200);
    const byHash = await fetch(getUrl({ extensions, variables: { s: symbol } }), { headers });
    expect(byHash.status).toBe(200);
    expect(
      ((await byHash.json()) as { data: { recentTicks: unknown[] } }).data.recentTicks.length,
    ).toBeGreaterThan(0);
  });

  it('GraphQL GET cannot run a mutation or a subscription', async () => {
    const response = await fetch(getUrl({ query: 'subscription { barUpdated { symbol } }' }), {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
  });
});

describe('without commit events nothing is cached and no ETag is promised', () => {
  const symbol = randomSymbol('N');
  const { db, api } = useTestApi('pglite', {
    seed: ({ dataSource }) => insertBars(dataSource, barSeries(symbol, 2)),
  });

  it('answers carry no ETag and a direct insert is seen at once', async () => {
    const first = await fetch(`${api.url}/api/ticks/recent?symbol=${symbol}`);
    expect(first.headers.get('etag')).toBeNull();
    await insertBars(db.dataSource, barSeries(symbol, 1, { endMinutesAgo: -1 }));
    const second = (await (await fetch(`${api.url}/api/ticks/recent?symbol=${symbol}`)).json()) as {
      count: number;
    };
    expect(second.count).toBe(3);
  });
});
