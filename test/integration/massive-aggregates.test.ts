import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Timeframe } from '../../src/domain/timeframe';
import type { OracleBar } from '../../testkit/bar-oracle';
import { rollUpTimeframe } from '../../testkit/bar-oracle-timeframe';
import { seededRandom } from '../../testkit/random';
import { insertBars, type BarSeed } from '../helpers/api-factories';
import { useTestApi } from '../helpers/api-server';
import { testDatabaseKinds } from '../helpers/test-databases';

const run = promisify(execFile);
const CLIENT = path.join(__dirname, '../helpers/massive-rest-client.mjs');
const TOKEN = 'aggs-test-token';
const SYMBOL = 'MAGG';

/** Minute bars 04:00–20:00 New York on 2025-11-03 … 05 (EST), with gaps. */
function seeds(): BarSeed[] {
  const random = seededRandom(5);
  const bars: BarSeed[] = [];
  let price = 200;
  for (const day of ['2025-11-03', '2025-11-04', '2025-11-05']) {
    const open = Date.parse(`${day}T09:00:00Z`); // 04:00 EST
    for (let ms = open; ms < open + 16 * 3_600_000; ms += 60_000) {
      if (random() < 0.3) continue;
      const o = Math.round(price * 100) / 100;
      const c = Math.round((o + (random() - 0.5)) * 100) / 100;
      price = c;
      const h = Math.round((Math.max(o, c) + random() * 0.2) * 100) / 100;
      const l = Math.round((Math.min(o, c) - random() * 0.2) * 100) / 100;
      bars.push({
        symbol: SYMBOL,
        timestamp: new Date(ms),
        open: o.toFixed(2),
        high: h.toFixed(2),
        low: l.toFixed(2),
        close: c.toFixed(2),
        volume: 100 + Math.floor(random() * 10_000),
        vwap: ((h + l) / 2).toFixed(4),
      });
    }
  }
  return bars;
}

function asOracleMinutes(bars: BarSeed[]): OracleBar[] {
  return bars.map((bar) => ({
    symbol: bar.symbol,
    minuteStartMs: bar.timestamp.getTime(),
    open: Number(bar.open),
    high: Number(bar.high),
    low: Number(bar.low),
    close: Number(bar.close),
    volume: bar.volume,
    vwap: bar.vwap === null ? null : Number(bar.vwap),
    seconds: 1,
  }));
}

interface ClientAnswer {
  ok: boolean;
  status?: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped JSON from the child
  answer?: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body?: any;
}

async function officialClient(
  baseUrl: string,
  request: Record<string, unknown>,
  key = TOKEN,
): Promise<ClientAnswer> {
  const { stdout } = await run(process.execPath, [
    CLIENT,
    JSON.stringify({ key, baseUrl, request }),
  ]);
  return JSON.parse(stdout) as ClientAnswer;
}

describe.each(testDatabaseKinds())('Massive-compatible aggregates (%s)', (kind) => {
  const bars = seeds();
  const minutes = asOracleMinutes(bars);
  const { api } = useTestApi(kind, {
    seed: ({ dataSource }) => insertBars(dataSource, bars),
    api: { config: { production: false, apiToken: TOKEN, pollMs: 2000 } },
  });

  const cases: [string, number, Timeframe['unit'], number][] = [
    ['1/minute', 1, 'minute', 400],
    ['5/minute', 5, 'minute', 50],
    ['1/hour', 1, 'hour', 7],
    ['1/day', 1, 'day', 2],
  ];

  it.each(cases)(
    'the official client reads %s page by page (small limit) and gets the oracle roll-up',
    async (_label, multiplier, timespan, limit) => {
      const { ok, answer } = await officialClient(api.url, {
        stocksTicker: SYMBOL,
        multiplier,
        timespan,
        from: '2025-11-03',
        to: '2025-11-05',
        adjusted: false,
        sort: 'asc',
        limit,
      });
      expect(ok).toBe(true);
      const want = rollUpTimeframe(minutes, SYMBOL, { multiplier, unit: timespan });
      expect(want.length).toBeGreaterThan(limit); // so pages were followed
      // The client merges pages newest-page-first; order by t to compare.
      const got = [...(answer.results as { t: number }[])].sort((a, b) => a.t - b.t);
      expect(got).toHaveLength(want.length);
      got.forEach((result, i) => {
        const bar = want[i];
        expect(result).toEqual({
          t: bar.startMs,
          o: bar.open,
          h: bar.high,
          l: bar.low,
          c: bar.close,
          v: bar.volume,
          vw: expect.any(Number) as number,
        });
        expect(Math.abs((result as unknown as { vw: number }).vw - bar.vwap!)).toBeLessThan(1e-4);
      });
      expect(answer.status).toBe('OK');
      expect(answer.ticker).toBe(SYMBOL);
      expect(answer.adjusted).toBe(false);
    },
  );

  it('answers Massive shapes: one page with next_url (cursor, no key), empty without results', async () => {
    const url = `${api.url}/v2/aggs/ticker/${SYMBOL}/range/1/hour/2025-11-03/2025-11-05?limit=3&sort=desc&apiKey=${TOKEN}`;
    const response = await fetch(url);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(
      [
        'adjusted',
        'next_url',
        'queryCount',
        'request_id',
        'results',
        'resultsCount',
        'status',
        'ticker',
      ].sort(),
    );
    expect(body.resultsCount).toBe(3);
    const results = body.results as { t: number }[];
    expect(results[0].t).toBeGreaterThan(results[1].t);
    const next = new URL(body.next_url as string);
    expect(next.searchParams.get('apiKey')).toBeNull();
    expect(next.searchParams.get('cursor')).toMatch(/^[A-Za-z0-9_-]+$/);
    const second = await fetch(`${body.next_url as string}&apiKey=${TOKEN}`);
    const secondBody = (await second.json()) as { results: { t: number }[] };
    expect(secondBody.results[0].t).toBeLessThan(results[2].t);

    const empty = await fetch(
      `${api.url}/v2/aggs/ticker/NOPE/range/1/day/2025-11-03/2025-11-05?apiKey=${TOKEN}`,
    );
    const emptyBody = (await empty.json()) as Record<string, unknown>;
    expect(emptyBody).toMatchObject({
      ticker: 'NOPE',
      status: 'OK',
      resultsCount: 0,
      queryCount: 0,
    });
    expect(emptyBody.results).toBeUndefined();
    expect(emptyBody.next_url).toBeUndefined();

    const ms = await fetch(
      `${api.url}/v2/aggs/ticker/${SYMBOL}/range/1/day/${Date.parse('2025-11-04T05:00:00Z')}/${Date.parse('2025-11-04T12:00:00Z')}`,
      { headers: { authorization: `Bearer ${TOKEN}` } },
    );
    const msBody = (await ms.json()) as { results: { t: number }[] };
    expect(msBody.results.map((r) => r.t)).toEqual([Date.parse('2025-11-04T05:00:00Z')]);
  });

  it('errors as Massive shapes them: bad input 400, no or wrong key 401', async () => {
    const base = `${api.url}/v2/aggs/ticker/${SYMBOL}/range`;
    for (const bad of [
      '7/minute/2025-11-03/2025-11-04',
      '1/second/2025-11-03/2025-11-04',
      '1/day/2025-13-03/2025-11-04',
      '1/day/2025-11-05/2025-11-03',
    ]) {
      const response = await fetch(`${base}/${bad}?apiKey=${TOKEN}`);
      expect(response.status).toBe(400);
      const body = (await response.json()) as Record<string, unknown>;
      expect(body).toEqual({
        status: 'ERROR',
        request_id: expect.any(String) as string,
        error: expect.any(String) as string,
      });
    }
    const limit = await fetch(`${base}/1/day/2025-11-03/2025-11-04?limit=50001&apiKey=${TOKEN}`);
    expect(limit.status).toBe(400);
    const noKey = await fetch(`${base}/1/day/2025-11-03/2025-11-04`);
    expect(noKey.status).toBe(401);
    expect(await noKey.json()).toMatchObject({
      status: 'ERROR',
      error: 'API Key was not provided',
    });
    const wrong = await officialClient(
      api.url,
      {
        stocksTicker: SYMBOL,
        multiplier: 1,
        timespan: 'day',
        from: '2025-11-03',
        to: '2025-11-04',
      },
      'wrong',
    );
    expect(wrong).toMatchObject({
      ok: false,
      status: 401,
      body: { status: 'ERROR', error: 'Unknown API Key' },
    });
    const unknown = await fetch(`${api.url}/v2/nothing?apiKey=${TOKEN}`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ status: 'ERROR' });
  });
});
