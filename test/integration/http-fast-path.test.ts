import { request as httpRequest } from 'node:http';
import { createIngest, type Ingest } from '../../src/ingest/create-ingest';
import { createQuietLogger } from '../../src/logger';
import { createOhlcvRepository } from '../../src/repositories/ohlcv.repository';
import { CommitGenerations } from '../../src/services/cache/commit-generations';
import { barSeries, insertBars, randomSymbol } from '../helpers/api-factories';
import { useTestApi, type TestApi } from '../helpers/api-server';
import { pastMinute } from '../helpers/feed-fixtures';
import { testDatabaseKinds } from '../helpers/test-databases';

const QUERY = `query Fast($s: String!) { recentTicks(symbol: $s, limit: 10) { timestamp close } }`;
const TOKEN = 'fast-path-token';

/** Answers the fast path wrote (its own counter on /metrics): all, or only remade ones. */
async function fastAnswers(api: TestApi, which: 'answers' | 'remade' = 'answers'): Promise<number> {
  const text = await (await fetch(`${api.url}/metrics`)).text();
  return Number(new RegExp(`^tickstock_http_fast_${which}_total (\\d+)`, 'm').exec(text)?.[1]);
}

type Send = (extra?: Record<string, string>) => Promise<Response>;

/** The three cached kinds of request for `symbol`. */
function requests(api: TestApi, symbol: string, auth: Record<string, string> = {}) {
  const variables = JSON.stringify({ s: symbol });
  const get = `${api.url}/graphql?${new URLSearchParams({ query: QUERY, variables }).toString()}`;
  return {
    rest: ((extra = {}) =>
      fetch(`${api.url}/api/ticks/recent?symbol=${symbol}&limit=10`, {
        headers: { ...auth, ...extra },
      })) as Send,
    graphqlGet: ((extra = { 'apollo-require-preflight': 'true' }) =>
      fetch(get, { headers: { ...auth, ...extra } })) as Send,
    graphqlPost: ((extra = {}) =>
      fetch(`${api.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth, ...extra },
        body: JSON.stringify({ query: QUERY, variables: { s: symbol } }),
      })) as Send,
  };
}

/** Sends until one answer came from the fast path (GraphQL needs the ticker known first). */
async function untilFast(api: TestApi, send: () => Promise<Response>) {
  let slow: { status: number; text: string; headers: Headers } | null = null;
  for (let attempt = 0; attempt < 4; attempt++) {
    const before = await fastAnswers(api);
    const response = await send();
    const answer = {
      status: response.status,
      text: await response.text(),
      headers: response.headers,
    };
    if ((await fastAnswers(api)) === before + 1) return { slow: slow!, fast: answer };
    slow = answer;
  }
  throw new Error('never answered by the fast path');
}

const headersOf = (headers: Headers) =>
  Object.fromEntries([...headers].filter(([name]) => name !== 'date'));

function newMinute(ingest: Ingest, symbol: string, minute: number, close: number) {
  ingest.pipeline.handleTicks([
    {
      symbol,
      eventType: 'A',
      startMs: minute,
      endMs: minute + 1000,
      open: close,
      high: close,
      low: close,
      close,
      volume: 10,
      vwap: close,
      accumulatedVolume: null,
      dayOpen: null,
      dayVwap: null,
      averageTradeSize: null,
      source: 'simulator',
      receivedAtMs: Date.now(),
    },
  ]);
}

describe.each(testDatabaseKinds())('HTTP fast path for cached answers (%s)', (kind) => {
  const commits = new CommitGenerations();
  const symbol = randomSymbol('F');
  const { db, api } = useTestApi(kind, {
    seed: ({ dataSource }) => insertBars(dataSource, barSeries(symbol, 3, { endMinutesAgo: 5 })),
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

  it('answers a repeated request with the very bytes and headers the slow path sent', async () => {
    const send = requests(api, symbol);
    for (const kind of ['rest', 'graphqlGet', 'graphqlPost'] as const) {
      const { slow, fast } = await untilFast(api, () => send[kind]());
      expect(slow.status).toBe(200);
      expect(fast.status).toBe(200);
      expect(fast.text).toBe(slow.text);
      expect(headersOf(fast.headers)).toEqual(headersOf(slow.headers));
    }
    // A conditional GraphQL GET is Express's to answer (it has no ETag to compare).
    const fastBefore = await fastAnswers(api);
    await send.graphqlGet({ 'apollo-require-preflight': 't', 'if-none-match': '*' });
    expect(await fastAnswers(api)).toBe(fastBefore);
    const accept = { accept: 'application/graphql-response+json' };
    const { fast } = await untilFast(api, () => send.graphqlPost(accept));
    expect(fast.headers.get('content-type')).toBe(
      'application/graphql-response+json; charset=utf-8',
    );
  });

  it('REST: a matching If-None-Match on a fast answer is a 304 without a body', async () => {
    const { fast } = await untilFast(api, () => requests(api, symbol).rest());
    const etag = fast.headers.get('etag')!;
    const before = await fastAnswers(api);
    const unchanged = await requests(api, symbol).rest({ 'if-none-match': etag });
    expect(unchanged.status).toBe(304);
    expect(unchanged.headers.get('etag')).toBe(etag);
    expect(await unchanged.text()).toBe('');
    expect(await fastAnswers(api)).toBe(before + 1);
  });

  it('a request right after a flush commits gets the new bar, on every kind of request', async () => {
    const send = requests(api, symbol);
    for (const kind of ['rest', 'graphqlGet', 'graphqlPost'] as const)
      await untilFast(api, () => send[kind]());
    const minute = pastMinute(-1);
    newMinute(ingest, symbol, minute, 42.5);
    expect(await ingest.writer.flushNow()).toBe('flushed');
    // Each answer below is remade by the fast path (no Express/Apollo), at the new commit.
    const remadeBefore = await fastAnswers(api, 'remade');
    const rest = (await (await send.rest()).json()) as {
      ticks: { timestamp: number; close: number }[];
    };
    expect(rest.ticks[0]).toMatchObject({ timestamp: minute / 1000, close: 42.5 });
    for (const kind of ['graphqlGet', 'graphqlPost'] as const) {
      const body = (await (await send[kind]()).json()) as {
        data: { recentTicks: { timestamp: string; close: number }[] };
      };
      // GraphQL lists oldest first.
      expect(body.data.recentTicks.at(-1)).toEqual({
        timestamp: new Date(minute).toISOString(),
        close: 42.5,
      });
    }
    expect(await fastAnswers(api, 'remade')).toBe(remadeBefore + 3);
  });

  it('a request during a write of its symbol is answered without the write, the next one with it', async () => {
    const send = requests(api, symbol);
    await untilFast(api, () => send.rest());
    type Ticks = { ticks: { timestamp: number }[] };
    const before = (await (await send.rest()).json()) as Ticks;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const [bar] = barSeries(symbol, 1, { endMinutesAgo: -2 });
    const writing = commits.around([symbol], async () => {
      await gate;
      await insertBars(db.dataSource, [bar]);
    });
    // Waits (boundedly) for the write, then reads around it: nothing is committed yet.
    expect((await (await send.rest()).json()) as Ticks).toEqual(before);
    release();
    await writing;
    const after = (await (await send.rest()).json()) as Ticks;
    expect(after.ticks[0].timestamp).toBe(bar.timestamp.getTime() / 1000);
  });

  it('Massive aggregates: same answer but a fresh request_id each time, 304 by ETag, new bar after a flush', async () => {
    const to = pastMinute(-10);
    const url = `${api.url}/v2/aggs/ticker/${symbol}/range/1/minute/${to - 3_600_000}/${to}`;
    const { slow, fast } = await untilFast(api, () => fetch(url));
    type Aggs = { request_id: string; resultsCount: number; results: { t: number }[] };
    const [slowBody, fastBody] = [slow, fast].map((a) => JSON.parse(a.text) as Aggs);
    expect(fastBody.request_id).toMatch(/^[0-9a-f]{32}$/);
    expect(fastBody.request_id).not.toBe(slowBody.request_id);
    expect({ ...fastBody, request_id: '' }).toEqual({ ...slowBody, request_id: '' });
    expect(headersOf(fast.headers)).toEqual(headersOf(slow.headers));
    const etag = fast.headers.get('etag')!;
    expect(etag).toMatch(/^W\//);
    const unchanged = await fetch(url, { headers: { 'if-none-match': etag } });
    expect([unchanged.status, unchanged.headers.get('etag')]).toEqual([304, etag]);
    const minute = pastMinute(-3);
    newMinute(ingest, symbol, minute, 17.25);
    expect(await ingest.writer.flushNow()).toBe('flushed');
    const changed = await fetch(url, { headers: { 'if-none-match': etag } });
    expect(changed.status).toBe(200);
    const body = (await changed.json()) as Aggs;
    expect(body.resultsCount).toBe(slowBody.resultsCount + 1);
    expect(body.results.at(-1)).toMatchObject({ t: minute, c: 17.25 });
  });

  it('a GraphQL GET the fast path knows is still refused without a preflight header (CSRF)', async () => {
    const send = requests(api, symbol);
    await untilFast(api, () => send.graphqlGet());
    const before = await fastAnswers(api);
    const simple = await send.graphqlGet({});
    expect(simple.status).toBe(400);
    expect(await simple.text()).toMatch(/CSRF/);
    const textPlain = await send.graphqlGet({
      'apollo-require-preflight': 't',
      'content-type': 'text/plain',
    });
    expect(textPlain.status).toBe(415);
    expect(await fastAnswers(api)).toBe(before);
  });

  it('bad input keeps its 400 and its body, whether the fast path read the body or body-parser did', async () => {
    const post = (body: string, chunked: boolean) =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        const url = new URL(`${api.url}/graphql`);
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (chunked) headers['transfer-encoding'] = 'chunked';
        else headers['content-length'] = String(Buffer.byteLength(body));
        const req = httpRequest({
          host: url.hostname,
          port: url.port,
          path: '/graphql',
          method: 'POST',
          headers,
        });
        req.on('response', (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        });
        req.on('error', reject);
        req.end(body);
      });
    for (const body of ['{"query": ', '"just a string"', '{}', '{"query":"{ nope }"}']) {
      const preRead = await post(body, false);
      const parsedByBodyParser = await post(body, true);
      expect(preRead.status).toBeGreaterThanOrEqual(400);
      expect(preRead).toEqual(parsedByBodyParser);
    }
    expect((await post('{"query": ', false)).text).toBe(
      '{"errors":[{"message":"request body is not valid JSON"}]}',
    );
    await untilFast(api, () => requests(api, symbol).rest());
    const bad = await fetch(`${api.url}/api/ticks/recent?symbol=${symbol}&limit=0`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: expect.stringMatching(/limit/) });
  });
});

describe('HTTP fast path with API_TOKEN', () => {
  const commits = new CommitGenerations();
  const symbol = randomSymbol('A');
  const { api } = useTestApi('pglite', {
    seed: ({ dataSource }) => insertBars(dataSource, barSeries(symbol, 2)),
    api: { commits, config: { production: false, apiToken: TOKEN, pollMs: 2000 } },
  });

  it('never answers a request without the right bearer token, however well it knows it', async () => {
    const good = requests(api, symbol, { authorization: `Bearer ${TOKEN}` });
    for (const kind of ['rest', 'graphqlGet', 'graphqlPost'] as const) {
      await untilFast(api, () => good[kind]());
      const before = await fastAnswers(api);
      for (const auth of [{}, { authorization: 'Bearer wrong' }] as Record<string, string>[]) {
        const refused = await requests(api, symbol, auth)[kind]();
        expect(refused.status).toBe(401);
        const body = (await refused.json()) as { error?: string; errors?: { message: string }[] };
        const message = body.error ?? body.errors?.[0].message;
        expect(message).toBe(
          'authorization' in auth
            ? 'invalid bearer token'
            : 'missing bearer token (Authorization: Bearer <API_TOKEN>)',
        );
        expect(JSON.stringify(body)).not.toContain('recentTicks');
      }
      expect(await fastAnswers(api)).toBe(before);
    }
    const to = pastMinute(-10);
    const aggs = `${api.url}/v2/aggs/ticker/${symbol}/range/1/minute/${to - 3_600_000}/${to}`;
    await untilFast(api, () => fetch(aggs, { headers: { authorization: `Bearer ${TOKEN}` } }));
    const before = await fastAnswers(api);
    const refused = await fetch(aggs, { headers: { authorization: 'Bearer wrong' } });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: string }).error).toBe('Unknown API Key');
    expect((await fetch(`${aggs}?apiKey=${TOKEN}`)).status).toBe(200); // the key check runs in Express
    expect(await fastAnswers(api)).toBe(before);
  });
});
