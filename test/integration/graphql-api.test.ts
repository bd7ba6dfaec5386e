import {
  barSeries,
  insertBars,
  insertSymbols,
  makeStatusSnapshot,
  minuteAgo,
  randomSymbol,
  type BarSeed,
} from '../helpers/api-factories';
import { gql, startTestApi, useTestApi } from '../helpers/api-server';
import { testDatabaseKinds } from '../helpers/test-databases';

const BAR_FIELDS = 'symbol timestamp open high low close volume vwap';
const RECENT = `query Recent($symbol: String!, $since: DateTime, $limit: Int) {
  recentTicks(symbol: $symbol, since: $since, limit: $limit) { ${BAR_FIELDS} }
}`;

/** What the API must answer, computed from the seeds alone (not from the database). */
function expectedRecent(seeds: BarSeed[], symbol: string, since: Date | null, limit: number) {
  return seeds
    .filter((bar) => bar.symbol === symbol && (since === null || bar.timestamp >= since))
    .sort((a, b) => b.timestamp.getTime() - a.timestamp.getTime())
    .slice(0, limit)
    .reverse()
    .map((bar) => ({
      symbol: bar.symbol,
      timestamp: bar.timestamp.toISOString(),
      open: Number(bar.open),
      high: Number(bar.high),
      low: Number(bar.low),
      close: Number(bar.close),
      volume: bar.volume,
      vwap: bar.vwap === null ? null : Number(bar.vwap),
    }));
}

describe.each(testDatabaseKinds())('GraphQL over HTTP (%s)', (kind) => {
  const symbol = randomSymbol('G');
  const other = randomSymbol('H');
  const seeds = [
    ...barSeries(symbol, 150, { seed: 1 }),
    ...barSeries(other, 30, { seed: 2, basePrice: 50 }),
  ];

  const { db, api } = useTestApi(kind, {
    seed: ({ dataSource }) => insertBars(dataSource, seeds),
  });

  it('recentTicks: newest `limit` bars, oldest first, equal to the seeds value by value', async () => {
    const { status, body } = await gql(api.url, RECENT, { symbol, limit: 60 });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data!.recentTicks).toEqual(expectedRecent(seeds, symbol, null, 60));
    const stamps = body.data!.recentTicks.map((bar: { timestamp: string }) =>
      Date.parse(bar.timestamp),
    );
    expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
    expect(stamps.at(-1)).toBe(seeds[149].timestamp.getTime()); // the in-progress minute is included
  });

  it('recentTicks: default limit 100, since filters, lower-case symbol accepted', async () => {
    const all = await gql(api.url, RECENT, { symbol });
    expect(all.body.data!.recentTicks).toEqual(expectedRecent(seeds, symbol, null, 100));
    const since = new Date(seeds[149].timestamp.getTime() - 10 * 60_000);
    const recent = await gql(api.url, RECENT, {
      symbol: symbol.toLowerCase(),
      since: since.toISOString(),
      limit: 1000,
    });
    expect(recent.body.data!.recentTicks).toEqual(expectedRecent(seeds, symbol, since, 1000));
    expect(recent.body.data!.recentTicks).toHaveLength(11);
  });

  it('recentTicks: unknown symbol is an empty list', async () => {
    const { body } = await gql(api.url, RECENT, { symbol: 'NOSUCH' });
    expect(body).toEqual({ data: { recentTicks: [] } });
  });

  it('prices round-trip the stored NUMERIC exactly and volume exceeds 32 bits', async () => {
    const exact = randomSymbol('X');
    await insertBars(db.dataSource, [
      {
        symbol: exact,
        timestamp: minuteAgo(1),
        open: '101.23',
        high: '123456.789',
        low: '0.0001',
        close: '99.99',
        volume: 5_000_000_000,
        vwap: null,
      },
    ]);
    const response = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: RECENT, variables: { symbol: exact } }),
    });
    const text = await response.text();
    // Checked on the wire text: a float artefact like 101.22999999 would show here.
    expect(text).toContain('"open":101.23,');
    expect(text).toContain('"high":123456.789,');
    expect(text).toContain('"low":0.0001,');
    expect(text).toContain('"close":99.99,');
    expect(text).toContain('"volume":5000000000,');
    expect(text).toContain('"vwap":null');
  });

  it.each([
    [
      'a bad symbol',
      { symbol: "AAPL'; DROP TABLE ohlcv_1min; --" },
      /symbol .* is not a valid ticker/,
    ],
    ['an empty symbol', { symbol: '' }, /symbol is required/],
    [
      'a future since',
      { symbol: 'AAPL', since: new Date(Date.now() + 86_400_000).toISOString() },
      /since .* is in the future/,
    ],
    ['limit 0', { symbol: 'AAPL', limit: 0 }, /limit must be an integer between 1 and 1000/],
    ['limit 1001', { symbol: 'AAPL', limit: 1001 }, /limit must be an integer between 1 and 1000/],
  ])('rejects %s with BAD_USER_INPUT and a clear message', async (_name, variables, message) => {
    const { status, body } = await gql(api.url, RECENT, variables);
    expect(status).toBe(200);
    expect(body.data).toBeNull();
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    expect(body.errors![0].message).toMatch(message);
    expect(body.errors![0].path).toEqual(['recentTicks']);
  });

  it.each([
    ['an unparseable since', { symbol: 'AAPL', since: 'yesterday' }],
    ['a fractional limit', { symbol: 'AAPL', limit: 1.5 }],
    ['a missing symbol', {}],
  ])('rejects %s (variable coercion) with BAD_USER_INPUT', async (_name, variables) => {
    const { status, body } = await gql(api.url, RECENT, variables);
    expect(status).toBe(400);
    expect(body.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
  });

  it('symbols: search, limit, and latestBar batched into one bar query for N symbols', async () => {
    // The digit keeps the other tests' random tickers (letters only after the prefix) out of the search.
    const family = Array.from({ length: 5 }, (_, i) => `Q9${i}${randomSymbol('').slice(0, 4)}`);
    const withBars = family.slice(0, 4);
    const familySeeds = withBars.flatMap((s, i) => barSeries(s, 3, { seed: 10 + i }));
    await insertBars(db.dataSource, familySeeds);
    await insertSymbols(db.dataSource, [{ symbol: family[4], name: 'No Bars Inc' }]);

    const queries: string[] = [];
    const logger = db.dataSource.logger;
    const original = logger.logQuery.bind(logger);
    logger.logQuery = (query, parameters, runner) => {
      queries.push(query);
      original(query, parameters, runner);
    };
    let body;
    try {
      ({ body } = await gql(
        api.url,
        `{ symbols(search: "q9", limit: 10) { symbol name firstSeen latestBar { ${BAR_FIELDS} } } }`,
      ));
    } finally {
      logger.logQuery = original;
    }
    expect(body.errors).toBeUndefined();
    const symbols = body.data!.symbols as {
      symbol: string;
      name: string | null;
      latestBar: unknown;
    }[];
    expect(symbols.map((s) => s.symbol)).toEqual([...family].sort());
    for (const entry of symbols) {
      const newest = expectedRecent(familySeeds, entry.symbol, null, 1)[0] ?? null;
      expect(entry.latestBar).toEqual(newest);
    }
    expect(symbols.find((s) => s.symbol === family[4])!.name).toBe('No Bars Inc');
    expect(queries.filter((q) => q.includes('ohlcv_1min'))).toHaveLength(1);
    expect(queries.filter((q) => q.includes('FROM symbols'))).toHaveLength(1);

    const limited = await gql(api.url, '{ symbols(search: "Q9", limit: 2) { symbol } }');
    expect(limited.body.data!.symbols).toHaveLength(2);
    // LIKE wildcards are literal: '%' matches no ticker.
    const wildcard = await gql(api.url, '{ symbols(search: "%") { symbol } }');
    expect(wildcard.body.data!.symbols).toEqual([]);
  });

  it('ingestStatus mirrors the status snapshot (maps as lists, SafeInt counters)', async () => {
    api.state.status = makeStatusSnapshot({ database: kind });
    const { body } = await gql(
      api.url,
      `{ ingestStatus { startedAt feed database
         ingest { ticksReceived ticksRejected rejectedByReason { reason count } lastTickAt lagMs }
         connections { id state symbolCount connectedSince reconnects lastError }
         writer { barsWritten backlog flushLatencyMs { p50 p99 } lastFlushAt }
         backfill { minutesFilled lastRunAt }
         patterns { detectedByPattern { pattern count } queueDepth } } }`,
    );
    expect(body.errors).toBeUndefined();
    const status = body.data!.ingestStatus;
    expect(status.startedAt).toBe('2025-01-02T14:30:00.000Z');
    expect(status.database).toBe(kind);
    expect(status.ingest.ticksReceived).toBe(3_000_000_000);
    expect(status.ingest.rejectedByReason).toEqual([
      { reason: 'malformed_json', count: 4 },
      { reason: 'bad_symbol', count: 6 },
    ]);
    expect(status.connections.map((c: { state: string }) => c.state)).toEqual(['live', 'backoff']);
    expect(status.connections[1].connectedSince).toBeNull();
    expect(status.writer).toEqual({
      barsWritten: 500,
      backlog: 7,
      flushLatencyMs: { p50: 3.5, p99: 12.25 },
      lastFlushAt: '2025-01-02T14:32:00.250Z',
    });
    expect(status.patterns.detectedByPattern).toEqual([
      { pattern: 'Doji', count: 3 },
      { pattern: 'Hammer', count: 1 },
    ]);
  });

  it('rejects an over-budget operation before running it (complexity)', async () => {
    const four = `query Big($limit: Int) { ${['a', 'b', 'c', 'd']
      .map((alias) => `${alias}: recentTicks(symbol: "${symbol}", limit: $limit) { ${BAR_FIELDS} }`)
      .join(' ')} }`;
    const tooBig = await gql(api.url, four, { limit: 1000 });
    expect(tooBig.status).toBe(400);
    expect(tooBig.body.errors![0].extensions!.code).toBe('QUERY_TOO_COMPLEX');
    expect(tooBig.body.errors![0].message).toMatch(
      /estimated cost \d+ exceeds the maximum of 25000/,
    );
    const fine = await gql(api.url, four, { limit: 10 });
    expect(fine.status).toBe(200);
    expect(fine.body.data!.a).toHaveLength(10);
  });

  it('rejects an operation nested deeper than the depth limit', async () => {
    let selection = 'x';
    for (let i = 0; i < 10; i++) selection = `f${i} { ${selection} }`;
    const { status, body } = await gql(api.url, `{ symbols { latestBar { ${selection} } } }`);
    expect(status).toBe(400);
    expect(body.errors!.map((e) => e.message)).toContain(
      'Operation is nested deeper than the maximum of 8 levels.',
    );
  });

  it('masks server faults: "internal error", no SQL or stack', async () => {
    await db.dataSource.query('ALTER TABLE ohlcv_1min RENAME TO ohlcv_1min_hidden');
    try {
      const { body } = await gql(api.url, RECENT, { symbol });
      expect(body.errors).toEqual([
        {
          message: 'internal error',
          locations: expect.any(Array),
          path: ['recentTicks'],
          extensions: { code: 'INTERNAL_SERVER_ERROR' },
        },
      ]);
      expect(JSON.stringify(body)).not.toMatch(/ohlcv|SELECT|relation|stack/i);
    } finally {
      await db.dataSource.query('ALTER TABLE ohlcv_1min_hidden RENAME TO ohlcv_1min');
    }
  });

  it('bounds the request body size (413) and keeps CSRF prevention on', async () => {
    const huge = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ __typename }`, variables: { pad: 'x'.repeat(200 * 1024) } }),
    });
    expect(huge.status).toBe(413);
    expect(await huge.json()).toEqual({ errors: [{ message: 'request body is too large' }] });

    // A "simple" GET (no JSON content type, no preflight header) could come from any web page.
    const simpleGet = await fetch(
      `${api.url}/graphql?query=${encodeURIComponent('{ __typename }')}`,
    );
    expect(simpleGet.status).toBe(400);
    expect(await simpleGet.text()).toMatch(/CSRF/);
    const preflighted = await fetch(
      `${api.url}/graphql?query=${encodeURIComponent('{ __typename }')}`,
      {
        headers: { 'apollo-require-preflight': 'true' },
      },
    );
    expect(await preflighted.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('development: Sandbox landing page on GET text/html, introspection on', async () => {
    const page = await fetch(`${api.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toMatch(/sandbox/i);
    const { body } = await gql(api.url, '{ __schema { queryType { name } } }');
    expect(body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });

  it('production: no landing page, no introspection, no field suggestions', async () => {
    const prod = await startTestApi(db, {
      config: { production: true, apiToken: null, pollMs: 2000 },
    });
    try {
      const page = await fetch(`${prod.url}/graphql`, { headers: { accept: 'text/html' } });
      expect(page.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
      expect(await page.text()).not.toMatch(/sandbox/i);
      const introspection = await gql(prod.url, '{ __schema { queryType { name } } }');
      expect(introspection.body.errors![0].message).toMatch(/introspection/i);
      const typo = await gql(prod.url, '{ recentTick(symbol: "A") { open } }');
      expect(typo.body.errors![0].message).not.toMatch(/Did you mean/);
      const works = await gql(prod.url, RECENT, { symbol, limit: 2 });
      expect(works.body.data!.recentTicks).toEqual(expectedRecent(seeds, symbol, null, 2));
    } finally {
      await prod.close();
    }
  });

  it('API_TOKEN: GraphQL and REST need the bearer token; health stays open', async () => {
    const secured = await startTestApi(db, {
      config: { production: false, apiToken: 's3cret-token', pollMs: 2000 },
    });
    try {
      const missing = await gql(secured.url, '{ __typename }');
      expect(missing.status).toBe(401);
      expect(missing.body.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
      const wrong = await gql(secured.url, '{ __typename }', undefined, {
        authorization: 'Bearer nope',
      });
      expect(wrong.status).toBe(401);
      const right = await gql(secured.url, '{ __typename }', undefined, {
        authorization: 'Bearer s3cret-token',
      });
      expect(right).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });

      const rest = await fetch(`${secured.url}/api/ticks/recent?symbol=${symbol}`);
      expect(rest.status).toBe(401);
      expect(await rest.json()).toEqual({ error: expect.stringMatching(/bearer token/) });
      const restOk = await fetch(`${secured.url}/api/ticks/recent?symbol=${symbol}&limit=1`, {
        headers: { authorization: 'Bearer s3cret-token' },
      });
      expect(restOk.status).toBe(200);
      expect((await fetch(`${secured.url}/api/stats`)).status).toBe(401);

      for (const open of ['/healthz', '/readyz', '/metrics', '/api/config']) {
        expect((await fetch(`${secured.url}${open}`)).status).toBe(200);
      }
    } finally {
      await secured.close();
    }
  });
});
