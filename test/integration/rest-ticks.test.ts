import {
  barSeries,
  countRows,
  insertBars,
  randomSymbol,
  type BarSeed,
} from '../helpers/api-factories';
import { useTestApi } from '../helpers/api-server';
import { testDatabaseKinds } from '../helpers/test-databases';

/** The legacy answer computed from the seeds alone: newest first, Unix seconds, numbers. */
function expectedTicks(seeds: BarSeed[], symbol: string, sinceMs: number | null, limit: number) {
  return seeds
    .filter(
      (bar) => bar.symbol === symbol && (sinceMs === null || bar.timestamp.getTime() >= sinceMs),
    )
    .sort((a, b) => b.timestamp.getTime() - a.timestamp.getTime())
    .slice(0, limit)
    .map((bar) => ({
      symbol: bar.symbol,
      timestamp: bar.timestamp.getTime() / 1000,
      open: Number(bar.open),
      high: Number(bar.high),
      low: Number(bar.low),
      close: Number(bar.close),
      volume: bar.volume,
    }));
}

describe.each(testDatabaseKinds())('REST /api/ticks/recent (%s)', (kind) => {
  const symbol = randomSymbol('R');
  const seeds = [
    ...barSeries(symbol, 120, { seed: 3 }),
    ...barSeries(randomSymbol('S'), 20, { seed: 4 }),
  ];
  const newest = seeds[119].timestamp;

  const get = async (query: string) => {
    const response = await fetch(`${api.url}/api/ticks/recent?${query}`);
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      body: await response.json(),
    };
  };

  const { db, api } = useTestApi(kind, {
    seed: ({ dataSource }) => insertBars(dataSource, seeds),
  });

  it('answers the legacy contract: shape, newest first, Unix seconds, default limit 100', async () => {
    const { status, type, body } = await get(`symbol=${symbol}`);
    expect(status).toBe(200);
    expect(type).toMatch(/application\/json/);
    expect(Object.keys(body)).toEqual(['symbol', 'count', 'ticks']);
    expect(body.symbol).toBe(symbol);
    expect(body.count).toBe(100);
    expect(body.ticks).toEqual(expectedTicks(seeds, symbol, null, 100));
    for (const tick of body.ticks) {
      expect(Object.keys(tick)).toEqual([
        'symbol',
        'timestamp',
        'open',
        'high',
        'low',
        'close',
        'volume',
      ]);
      expect(Number.isInteger(tick.timestamp)).toBe(true);
    }
    expect(body.ticks[0].timestamp).toBe(newest.getTime() / 1000); // the in-progress minute
  });

  it('accepts since as Unix seconds and as ISO-8601 (with offset, Z, or an unencoded +)', async () => {
    // Relative to the seeded newest minute, not the clock: the wall-clock minute may roll over mid-test.
    const since = new Date(newest.getTime() - 15 * 60_000);
    const expected = expectedTicks(seeds, symbol, since.getTime(), 1000);
    expect(expected).toHaveLength(16);
    const unix = await get(`symbol=${symbol}&since=${since.getTime() / 1000}&limit=1000`);
    expect(unix.body).toEqual({ symbol, count: 16, ticks: expected });
    const iso = await get(
      `symbol=${symbol}&since=${encodeURIComponent(since.toISOString())}&limit=1000`,
    );
    expect(iso.body.ticks).toEqual(expected);
    // +02:00 written by hand in a URL arrives as " 02:00"; still the same instant.
    const local = new Date(since.getTime() + 2 * 3_600_000).toISOString().slice(0, 19);
    const offset = await get(`symbol=${symbol}&since=${local}+02:00&limit=1000`);
    expect(offset.body.ticks).toEqual(expected);
  });

  it('limit keeps the newest bars; lower-case symbols are normalised', async () => {
    const { body } = await get(`symbol=${symbol.toLowerCase()}&limit=5`);
    expect(body).toEqual({ symbol, count: 5, ticks: expectedTicks(seeds, symbol, null, 5) });
  });

  it('unknown symbol → 200 with count 0', async () => {
    const { status, body } = await get('symbol=ZZZZ');
    expect(status).toBe(200);
    expect(body).toEqual({ symbol: 'ZZZZ', count: 0, ticks: [] });
  });

  it.each([
    ['missing symbol', '', /symbol is required/],
    ['empty symbol', 'symbol=', /symbol is required/],
    ['invalid symbol', 'symbol=AA%24PL', /not a valid ticker/],
    ['symbol given twice', 'symbol=AAPL&symbol=MSFT', /symbol must be given once/],
    [
      'unparseable since',
      'symbol=AAPL&since=yesterday',
      /since .* neither Unix seconds nor an ISO-8601/,
    ],
    ['impossible date', 'symbol=AAPL&since=2025-02-30', /since .* neither/],
    [
      'future since (seconds)',
      `symbol=AAPL&since=${Math.floor(Date.now() / 1000) + 86_400}`,
      /since .* is in the future/,
    ],
    ['future since (ISO)', 'symbol=AAPL&since=2999-01-01T00:00:00Z', /since .* is in the future/],
    ['limit 0', 'symbol=AAPL&limit=0', /limit must be an integer between 1 and 1000/],
    ['limit 1001', 'symbol=AAPL&limit=1001', /limit must be an integer between 1 and 1000/],
    ['negative limit', 'symbol=AAPL&limit=-5', /limit must be an integer/],
    ['fractional limit', 'symbol=AAPL&limit=2.5', /limit must be an integer/],
    ['non-numeric limit', 'symbol=AAPL&limit=ten', /limit must be an integer/],
  ])('400 for %s', async (_name, query, message) => {
    const { status, body } = await get(query);
    expect(status).toBe(400);
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error).toMatch(message);
  });

  it('SQL-injection-looking input is rejected or harmless, and changes nothing', async () => {
    const before = {
      bars: await countRows(db.dataSource, 'ohlcv_1min'),
      symbols: await countRows(db.dataSource, 'symbols'),
    };
    const attacks = [
      `symbol=${encodeURIComponent("AAPL'; DROP TABLE ohlcv_1min; --")}`,
      `symbol=${encodeURIComponent("' OR '1'='1")}`,
      `symbol=${symbol}&since=${encodeURIComponent('0; DELETE FROM symbols')}`,
      `symbol=${symbol}&limit=${encodeURIComponent('1; DROP TABLE symbols')}`,
      `symbol=${encodeURIComponent('A--')}`,
    ];
    for (const attack of attacks) {
      const { status, body } = await get(attack);
      expect([200, 400]).toContain(status);
      if (status === 200) expect(body.count).toBe(0);
    }
    expect({
      bars: await countRows(db.dataSource, 'ohlcv_1min'),
      symbols: await countRows(db.dataSource, 'symbols'),
    }).toEqual(before);
  });

  it('server faults → 500 {"error":"internal error"}, no stack or SQL', async () => {
    await db.dataSource.query('ALTER TABLE ohlcv_1min RENAME TO ohlcv_1min_hidden');
    try {
      const response = await fetch(`${api.url}/api/ticks/recent?symbol=${symbol}`);
      expect(response.status).toBe(500);
      expect(await response.text()).toBe('{"error":"internal error"}');
    } finally {
      await db.dataSource.query('ALTER TABLE ohlcv_1min_hidden RENAME TO ohlcv_1min');
    }
  });

  it('GET /api/stats is the ingest status snapshot; unknown /api paths are JSON 404s', async () => {
    const stats = await fetch(`${api.url}/api/stats`);
    expect(stats.status).toBe(200);
    expect(await stats.json()).toEqual(api.state.status);
    const missing = await fetch(`${api.url}/api/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'no such endpoint: GET /api/nope' });
  });
});
