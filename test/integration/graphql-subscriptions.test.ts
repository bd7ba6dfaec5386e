import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { StoredBar } from '../../src/domain/stored-bar';
import { waitFor } from '../../testkit/wait';
import { startTestApi, type TestApi } from '../helpers/api-server';
import { createTestDatabase, type TestDatabase } from '../helpers/test-databases';

const SUBSCRIPTION = `subscription Bars($symbols: [String!]) {
  barUpdated(symbols: $symbols) { symbol timestamp open high low close volume vwap }
}`;

function storedBar(symbol: string, minute: number, close: string): StoredBar {
  return {
    symbol,
    timestamp: new Date(Date.UTC(2025, 0, 2, 14, minute)),
    open: '101.23',
    high: '102.5',
    low: '0.0001',
    close,
    volume: 4_294_967_296,
    vwap: null,
  };
}

interface Received {
  data: unknown[];
  errors: unknown[];
  completed: boolean;
}

function subscribe(
  client: Client,
  variables: Record<string, unknown>,
): { received: Received; stop: () => void } {
  const received: Received = { data: [], errors: [], completed: false };
  const stop = client.subscribe(
    { query: SUBSCRIPTION, variables },
    {
      next: (value) => {
        if (value.errors) received.errors.push(...value.errors);
        if (value.data) received.data.push((value.data as { barUpdated: unknown }).barUpdated);
      },
      error: (error) => received.errors.push(error),
      complete: () => {
        received.completed = true;
      },
    },
  );
  return { received, stop };
}

/** Nothing in the pub/sub path touches the database; PGlite is enough for the server. */
describe('GraphQL subscriptions over graphql-ws', () => {
  let db: TestDatabase;
  let api: TestApi;
  const clients: Client[] = [];

  const connect = (connectionParams?: Record<string, unknown>) => {
    const client = createClient({
      url: `${api.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams,
      retryAttempts: 0,
      lazy: false,
    });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    db = await createTestDatabase('pglite');
    api = await startTestApi(db);
  });

  afterAll(async () => {
    for (const client of clients) await client.dispose();
    await api?.close();
    await db?.drop();
  });

  it('delivers barUpdated for subscribed symbols only, one event per bar', async () => {
    const client = connect();
    const aapl = subscribe(client, { symbols: ['AAPL', 'msft'] });
    const everything = subscribe(client, {});
    const other = subscribe(client, { symbols: ['TSLA'] });

    // Subscriptions are live once a publish reaches the catch-all subscriber.
    await waitFor(
      async () => {
        api.events.publish('barsUpdated', [storedBar('WARMUP', 0, '1')]);
        return everything.received.data.length > 0;
      },
      'subscription to become active',
      10_000,
    );

    api.events.publish('barsUpdated', [
      storedBar('AAPL', 1, '101.5'),
      storedBar('NVDA', 1, '900.1'),
      storedBar('MSFT', 1, '410.25'),
    ]);
    api.events.publish('barsUpdated', [storedBar('AAPL', 2, '101.75')]);
    await waitFor(() => aapl.received.data.length >= 3, 'AAPL/MSFT bars', 10_000);
    // The catch-all subscriber saw every bar after warm-up, so the filtered one had its chance too.
    await waitFor(
      () =>
        everything.received.data.filter((bar) => (bar as { symbol: string }).symbol !== 'WARMUP')
          .length === 4,
      'all bars',
      10_000,
    );

    expect(aapl.received.errors).toEqual([]);
    expect(aapl.received.data).toEqual([
      {
        symbol: 'AAPL',
        timestamp: '2025-01-02T14:01:00.000Z',
        open: 101.23,
        high: 102.5,
        low: 0.0001,
        close: 101.5,
        volume: 4_294_967_296,
        vwap: null,
      },
      {
        symbol: 'MSFT',
        timestamp: '2025-01-02T14:01:00.000Z',
        open: 101.23,
        high: 102.5,
        low: 0.0001,
        close: 410.25,
        volume: 4_294_967_296,
        vwap: null,
      },
      {
        symbol: 'AAPL',
        timestamp: '2025-01-02T14:02:00.000Z',
        open: 101.23,
        high: 102.5,
        low: 0.0001,
        close: 101.75,
        volume: 4_294_967_296,
        vwap: null,
      },
    ]);
    // A TSLA sentinel published after everything else: once `other` has it, it has also had
    // every earlier event it was going to get (one socket delivers in order) — and it got none.
    api.events.publish('barsUpdated', [storedBar('TSLA', 3, '250')]);
    await waitFor(() => other.received.data.length > 0, 'the TSLA sentinel', 10_000);
    expect(other.received.data).toEqual([expect.objectContaining({ symbol: 'TSLA', close: 250 })]);
    expect(other.received.errors).toEqual([]);
    aapl.stop();
    everything.stop();
    other.stop();
  });

  it('rejects a bad symbol filter with BAD_USER_INPUT', async () => {
    const client = connect();
    const bad = subscribe(client, { symbols: ['AAPL', 'not valid!'] });
    await waitFor(
      () => bad.received.errors.length > 0 || bad.received.completed,
      'an answer',
      10_000,
    );
    expect(bad.received.errors).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/symbols .* is not a valid ticker/),
        extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }),
      }),
    ]);
  });

  it('with API_TOKEN, the connection_init payload must carry the bearer token', async () => {
    const secured = await startTestApi(db, {
      config: { production: false, apiToken: 'ws-token', pollMs: 2000 },
    });
    try {
      const url = `${secured.url.replace('http', 'ws')}/graphql`;
      const closeCodes: number[] = [];
      const denied = createClient({
        url,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        lazy: false,
        onNonLazyError: () => undefined,
        on: { closed: (event) => closeCodes.push((event as { code: number }).code) },
      });
      clients.push(denied);
      await waitFor(() => closeCodes.length > 0, 'the unauthenticated socket to close', 10_000);
      expect(closeCodes[0]).toBe(4403);

      const allowed = createClient({
        url,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        connectionParams: { authorization: 'Bearer ws-token' },
      });
      clients.push(allowed);
      const sub = subscribe(allowed, { symbols: ['AAPL'] });
      await waitFor(
        async () => {
          secured.events.publish('barsUpdated', [storedBar('AAPL', 5, '100')]);
          return sub.received.data.length > 0;
        },
        'an authorised subscription event',
        10_000,
      );
      expect(sub.received.errors).toEqual([]);
      sub.stop();
      await allowed.dispose();
    } finally {
      await secured.close();
    }
  });

  it('close() ends live subscriptions and drains the server', async () => {
    const own = await startTestApi(db);
    const client = createClient({
      url: `${own.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
    });
    clients.push(client);
    const sub = subscribe(client, {});
    await waitFor(
      async () => {
        own.events.publish('barsUpdated', [storedBar('AAPL', 7, '100')]);
        return sub.received.data.length > 0;
      },
      'the subscription to be live',
      10_000,
    );
    await own.close();
    await waitFor(
      () => sub.received.completed || sub.received.errors.length > 0,
      'the subscription to end',
      10_000,
    );
    expect(own.server.httpServer.listening).toBe(false);
  });
});
