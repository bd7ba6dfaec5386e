import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { StoredBar } from '../../src/domain/stored-bar';
import { waitFor } from '../../testkit/wait';
import { insertBars, type BarSeed } from '../helpers/api-factories';
import { gql, useTestApi } from '../helpers/api-server';
import { testDatabaseKinds } from '../helpers/test-databases';

const SYMBOL = 'GTFB';
const BARS = `query Bars($symbol: String!, $timeframe: TimeframeInput, $from: DateTime, $to: DateTime,
  $session: Session, $order: BarOrder, $limit: Int, $after: String) {
  bars(symbol: $symbol, timeframe: $timeframe, from: $from, to: $to, session: $session,
       order: $order, limit: $limit, after: $after) {
    bars { symbol timestamp open high low close volume vwap }
    hasNextPage endCursor
  }
}`;

/** 2025-11-03 (EST) 09:00–11:59 New York, every minute: open = close = minute index. */
function seeds(): BarSeed[] {
  const start = Date.parse('2025-11-03T14:00:00Z');
  return Array.from({ length: 180 }, (_, i) => ({
    symbol: SYMBOL,
    timestamp: new Date(start + i * 60_000),
    open: `${100 + i}.00`,
    high: `${100 + i}.50`,
    low: `${99 + i}.50`,
    close: `${100 + i}.25`,
    volume: 10 + i,
    vwap: `${100 + i}.10`,
  }));
}

describe.each(testDatabaseKinds())('GraphQL bars (%s)', (kind) => {
  const { api } = useTestApi(kind, { seed: ({ dataSource }) => insertBars(dataSource, seeds()) });

  it('pages 15-minute bars forward and back with cursors, no gap or overlap', async () => {
    const forward: string[] = [];
    let after: string | null = null;
    do {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read untyped JSON
      const { body }: { body: any } = await gql(api.url, BARS, {
        symbol: SYMBOL,
        timeframe: { multiplier: 15, unit: 'MINUTE' },
        limit: 5,
        after,
      });
      expect(body.errors).toBeUndefined();
      forward.push(...body.data.bars.bars.map((bar: { timestamp: string }) => bar.timestamp));
      after = body.data.bars.hasNextPage ? body.data.bars.endCursor : null;
    } while (after !== null);
    expect(forward).toHaveLength(12);
    expect(forward[0]).toBe('2025-11-03T14:00:00.000Z');
    expect(new Set(forward).size).toBe(12);
    const { body } = await gql(api.url, BARS, {
      symbol: SYMBOL,
      timeframe: { multiplier: 1, unit: 'HOUR' },
      order: 'DESC',
      limit: 2,
    });
    expect(body.data.bars.bars.map((bar: { timestamp: string }) => bar.timestamp)).toEqual([
      '2025-11-03T16:00:00.000Z',
      '2025-11-03T15:00:00.000Z',
    ]);
    // 16:00Z = 11:00 EST, minutes 120..179: open of the first, close of the last, sums.
    expect(body.data.bars.bars[0]).toMatchObject({
      open: 220,
      close: 279.25,
      high: 279.5,
      low: 219.5,
      volume: (130 + 189) * 30,
    });
  });

  it('REGULAR starts at 09:30 New York; bad timeframe and over-limit are BAD_USER_INPUT', async () => {
    const { body } = await gql(api.url, BARS, {
      symbol: SYMBOL,
      timeframe: { unit: 'DAY' },
      session: 'REGULAR',
    });
    expect(body.data.bars.bars).toHaveLength(1);
    expect(body.data.bars.bars[0]).toMatchObject({ open: 130, volume: (40 + 189) * 75 });
    const bad = await gql(api.url, BARS, {
      symbol: SYMBOL,
      timeframe: { multiplier: 7, unit: 'MINUTE' },
    });
    expect(bad.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const tooMany = await gql(api.url, BARS, { symbol: SYMBOL, limit: 1001 });
    expect(tooMany.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('barUpdated with a timeframe pushes the in-progress bar of that timeframe; default stays 1 minute', async () => {
    const client = createClient({
      url: `${api.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
    });
    const fiveMinute: unknown[] = [];
    const minute: unknown[] = [];
    const stopFive = client.subscribe(
      {
        query: `subscription { barUpdated(symbols: ["${SYMBOL}"], timeframe: { multiplier: 5, unit: MINUTE }) { timestamp open close volume } }`,
      },
      {
        next: (value) => fiveMinute.push(value.data?.barUpdated ?? value.errors),
        error: () => {},
        complete: () => {},
      },
    );
    const stopMinute = client.subscribe(
      {
        query: `subscription { barUpdated(symbols: ["${SYMBOL}"]) { timestamp open close volume } }`,
      },
      {
        next: (value) => minute.push(value.data?.barUpdated ?? value.errors),
        error: () => {},
        complete: () => {},
      },
    );
    try {
      // The stored minute 11:57 EST changed; the 11:55 five-minute bar holds minutes 175..179.
      const changed: StoredBar = { ...seeds()[177] };
      await waitFor(
        () => {
          api.events.publish('barsUpdated', [changed]);
          return fiveMinute.length > 0 && minute.length > 0;
        },
        'both subscriptions to receive a bar',
        10_000,
        100,
      );
      expect(fiveMinute[0]).toEqual({
        timestamp: '2025-11-03T16:55:00.000Z',
        open: 275,
        close: 279.25,
        volume: 185 + 186 + 187 + 188 + 189,
      });
      expect(minute[0]).toEqual({
        timestamp: '2025-11-03T16:57:00.000Z',
        open: 277,
        close: 277.25,
        volume: 187,
      });
    } finally {
      // Let the roll-up reads of the last publishes finish before the database goes away.
      await new Promise((resolve) => setTimeout(resolve, 300));
      stopFive();
      stopMinute();
      await client.dispose();
    }
  });
});
