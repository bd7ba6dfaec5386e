import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { StoredBar } from '../../src/domain/stored-bar';
import { waitFor } from '../../testkit/wait';
import { barSeries, insertBars } from '../helpers/api-factories';
import { gql, useTestApi } from '../helpers/api-server';
import { testDatabaseKinds } from '../helpers/test-databases';

const RECENT = `query Recent($symbol: String!, $limit: Int) {
  recentTicks(symbol: $symbol, limit: $limit) { symbol close }
}`;
const PATTERNS = `query P($symbol: String) { patterns(symbol: $symbol) { symbol } }`;
const BAR_UPDATED = `subscription Bars($symbols: [String!]) { barUpdated(symbols: $symbols) { symbol close } }`;
const PATTERN_DETECTED = `subscription P($symbols: [String!]) { patternDetected(symbols: $symbols) { symbol } }`;

/**
 * Tickers are case-sensitive (`BCPC` is one company, `BCpC` a preferred share of another) and
 * served exactly as stored; a lookup matches exactly, else falls back to a unique
 * case-insensitive match, and an ambiguous one is refused naming the candidates.
 */
describe.each(testDatabaseKinds())('tickers in the API (%s)', (kind) => {
  const seeds = [
    ...barSeries('AAPL', 5, { seed: 1, basePrice: 228 }),
    ...barSeries('BCPC', 5, { seed: 2, basePrice: 150 }),
    ...barSeries('BCpC', 5, { seed: 3, basePrice: 24 }),
    ...barSeries('ABRpD', 5, { seed: 4, basePrice: 19 }),
  ];
  const closesOf = (symbol: string) =>
    seeds
      .filter((bar) => bar.symbol === symbol)
      .map((bar) => Number(bar.close))
      .reverse();

  const { api } = useTestApi(kind, { seed: ({ dataSource }) => insertBars(dataSource, seeds) });

  const rest = async (symbol: string) => {
    const response = await fetch(
      `${api.url}/api/ticks/recent?symbol=${encodeURIComponent(symbol)}`,
    );
    return {
      status: response.status,
      body: (await response.json()) as {
        symbol?: string;
        error?: string;
        ticks?: { symbol: string; close: number }[];
      },
    };
  };

  it.each([
    ['ABRpD', 'ABRpD'],
    ['BCpC', 'BCpC'],
    ['BCPC', 'BCPC'],
    ['AAPL', 'AAPL'],
    ['aapl', 'AAPL'], // legacy clients send lower case
    ['abrpd', 'ABRpD'],
    ['ABRPD', 'ABRpD'],
  ])('REST symbol=%s serves %s exactly as stored', async (asked, stored) => {
    const { status, body } = await rest(asked);
    expect(status).toBe(200);
    expect(body.symbol).toBe(stored);
    expect(body.ticks!.map((tick) => tick.symbol)).toEqual(Array(5).fill(stored));
    expect(body.ticks!.map((tick) => tick.close)).toEqual(closesOf(stored));
  });

  it('REST: an ambiguous ticker is a 400 naming the candidates; an unknown one is empty', async () => {
    for (const asked of ['bcpc', 'Bcpc', 'BCPc']) {
      const { status, body } = await rest(asked);
      expect(status).toBe(400);
      expect(body.error).toBe(
        `symbol ${JSON.stringify(asked)} is ambiguous: it matches BCPC, BCpC (tickers are case-sensitive); ask for one of them exactly`,
      );
    }
    expect(await rest('nosuch')).toEqual({
      status: 200,
      body: { symbol: 'nosuch', count: 0, ticks: [] },
    });
  });

  it.each([
    ['ABRpD', 'ABRpD'],
    ['abrpd', 'ABRpD'],
    ['aapl', 'AAPL'],
    ['BCpC', 'BCpC'],
    ['BCPC', 'BCPC'],
  ])('GraphQL recentTicks(symbol: %s) serves %s', async (asked, stored) => {
    const { body } = await gql(api.url, RECENT, { symbol: asked, limit: 10 });
    expect(body.errors).toBeUndefined();
    expect(body.data!.recentTicks).toEqual(
      closesOf(stored)
        .reverse()
        .map((close) => ({ symbol: stored, close })),
    );
  });

  it('GraphQL: an ambiguous ticker is BAD_USER_INPUT with the candidates, in queries of bars and patterns', async () => {
    const bars = await gql(api.url, RECENT, { symbol: 'bcpc' });
    expect(bars.body.data).toBeNull();
    expect(bars.body.errors).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('"bcpc" is ambiguous: it matches BCPC, BCpC'),
        extensions: { code: 'BAD_USER_INPUT', field: 'symbol', candidates: ['BCPC', 'BCpC'] },
      }),
    ]);
    const patterns = await gql(api.url, PATTERNS, { symbol: 'bcpc' });
    expect(patterns.body.errors?.[0].extensions).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'symbol',
      candidates: ['BCPC', 'BCpC'],
    });
    const fine = await gql(api.url, PATTERNS, { symbol: 'abrpd' });
    expect(fine.body).toEqual({ data: { patterns: [] } });
  });

  describe('subscriptions', () => {
    const clients: Client[] = [];
    afterAll(async () => {
      for (const client of clients) await client.dispose();
    });

    function subscribe(variables: Record<string, unknown>, query = BAR_UPDATED) {
      const client = createClient({
        url: `${api.url.replace('http', 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
      });
      clients.push(client);
      const received = { data: [] as { symbol: string }[], errors: [] as unknown[], done: false };
      client.subscribe(
        { query, variables },
        {
          next: (value) => {
            if (value.errors) received.errors.push(...value.errors);
            if (value.data)
              received.data.push((value.data as { barUpdated: StoredBar }).barUpdated);
          },
          error: (error) => received.errors.push(error),
          complete: () => (received.done = true),
        },
      );
      return received;
    }

    const bar = (symbol: string, close: string): StoredBar => ({
      symbol,
      timestamp: new Date(Date.UTC(2025, 0, 2, 15, 0)),
      open: close,
      high: close,
      low: close,
      close,
      volume: 1,
      vwap: null,
    });

    it('barUpdated filters resolve like queries: exact, unique case-insensitive, later tickers, ambiguity refused', async () => {
      const everything = subscribe({});
      const exact = subscribe({ symbols: ['BCpC'] });
      const folded = subscribe({ symbols: ['abrpd', 'aapl'] });
      const later = subscribe({ symbols: ['zzpq', 'NEWpA'] }); // not stored yet
      const ambiguous = subscribe({ symbols: ['AAPL', 'bcpc'] });

      await waitFor(
        () => ambiguous.errors.length > 0 || ambiguous.done,
        'the ambiguous subscription to be refused',
      );
      expect(ambiguous.errors).toEqual([
        expect.objectContaining({
          message: expect.stringContaining('symbols "bcpc" is ambiguous: it matches BCPC, BCpC'),
          extensions: expect.objectContaining({
            code: 'BAD_USER_INPUT',
            candidates: ['BCPC', 'BCpC'],
          }),
        }),
      ]);

      await waitFor(async () => {
        api.events.publish('barsUpdated', [bar('WARMUP', '1')]);
        return everything.data.length > 0;
      }, 'subscriptions to become active');
      api.events.publish('barsUpdated', [
        bar('BCPC', '150'),
        bar('BCpC', '24'),
        bar('ABRpD', '19'),
        bar('ABRPD', '99'), // not a stored ticker: `abrpd` means ABRpD, nothing else
        bar('AAPL', '228'),
        bar('ZZPQ', '5'),
        bar('NEWpA', '7'),
        bar('NEWPA', '8'),
      ]);
      await waitFor(
        () => everything.data.filter((b) => b.symbol !== 'WARMUP').length === 8,
        'every bar to reach the catch-all subscriber',
      );
      await waitFor(() => later.data.length >= 2, 'the later tickers');
      expect(exact.data).toEqual([{ symbol: 'BCpC', close: 24 }]);
      expect(folded.data).toEqual([
        { symbol: 'ABRpD', close: 19 },
        { symbol: 'AAPL', close: 228 },
      ]);
      expect(later.data).toEqual([
        { symbol: 'ZZPQ', close: 5 },
        { symbol: 'NEWpA', close: 7 },
      ]);
    });

    it('patternDetected refuses an ambiguous ticker the same way', async () => {
      const ambiguous = subscribe({ symbols: ['bcpc'] }, PATTERN_DETECTED);
      await waitFor(() => ambiguous.errors.length > 0 || ambiguous.done, 'an answer');
      expect(ambiguous.errors).toEqual([
        expect.objectContaining({
          extensions: expect.objectContaining({
            code: 'BAD_USER_INPUT',
            candidates: ['BCPC', 'BCpC'],
          }),
        }),
      ]);
    });
  });
});
