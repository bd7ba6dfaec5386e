import { FeedGenerator, tradeCount, type SimAggregate } from '../../src/ingest/simulator/generator';
import { MinuteBook } from '../../src/ingest/simulator/minute-book';
import {
  aggregatesResponse,
  parseAggregatesRequest,
  type AggregatesQuery,
} from '../../src/ingest/simulator/rest-aggregates';
import { barKey, fromSimAggregate, rollUp } from '../../testkit/bar-oracle';

const T0 = Date.UTC(2025, 0, 2, 14, 30);
const SYMBOLS = ['AAPL', 'MSFT', 'NVDA'];

function feed(seconds: number): { book: MinuteBook; events: SimAggregate[] } {
  const generator = new FeedGenerator({ seed: 11, symbols: SYMBOLS, eventsPerSecond: 2 });
  const book = new MinuteBook(24 * 60);
  const events: SimAggregate[] = [];
  for (let i = 0; i < seconds; i++) {
    const second = generator.generateSecond(T0 + i * 1000);
    book.record(second);
    events.push(...second);
  }
  return { book, events };
}

function query(pathname: string, search = ''): AggregatesQuery {
  const parsed = parseAggregatesRequest(pathname, new URLSearchParams(search));
  if ('status' in parsed) throw new Error(JSON.stringify(parsed.body));
  return parsed;
}

describe('MinuteBook', () => {
  it('holds the exact roll-up of the seconds, only for fully elapsed minutes', () => {
    const { book, events } = feed(10 * 60 + 30); // ten whole minutes and half of the eleventh
    const expected = rollUp(events.map(fromSimAggregate));
    for (const symbol of SYMBOLS) {
      const bars = book.bars(symbol, 0, Number.MAX_SAFE_INTEGER, T0 + 630_000);
      expect(bars).toHaveLength(10);
      for (const bar of bars) {
        const want = expected.get(barKey(symbol, bar.t))!;
        expect([bar.o, bar.h, bar.l, bar.c, bar.v]).toEqual([
          want.open,
          want.high,
          want.low,
          want.close,
          want.volume,
        ]);
        expect(bar.vw).toBeCloseTo(want.vwap!, 4);
        // n is Massive's trade count: the seconds' v / z summed, not the number of seconds.
        expect(bar.n).toBe(
          events
            .filter((e) => e.sym === symbol && e.s - (e.s % 60_000) === bar.t)
            .reduce((sum, e) => sum + tradeCount(e), 0),
        );
      }
    }
  });

  it('drops bars older than its retention', () => {
    const book = new MinuteBook(5);
    const generator = new FeedGenerator({ seed: 1, symbols: ['AAPL'], eventsPerSecond: 1 });
    for (let i = 0; i < 20 * 60; i++) book.record(generator.generateSecond(T0 + i * 1000));
    expect(book.oldestMinuteMs()).toBe(T0 + 14 * 60_000);
  });
});

describe('REST aggregates endpoint logic', () => {
  it('parses Unix-ms and date bounds, sort and limit, and rejects the rest', () => {
    expect(
      query(`/v2/aggs/ticker/AAPL/range/1/minute/${T0}/${T0 + 60_000}`, 'sort=desc&limit=10'),
    ).toEqual({
      symbol: 'AAPL',
      fromMs: T0,
      toMs: T0 + 60_000,
      sort: 'desc',
      limit: 10,
      adjusted: true,
    });
    const day = query('/v2/aggs/ticker/AAPL/range/1/minute/2025-01-02/2025-01-02');
    expect([day.fromMs, day.toMs]).toEqual([Date.UTC(2025, 0, 2), Date.UTC(2025, 0, 3) - 1]);
    const bad = (path: string, search = '') =>
      parseAggregatesRequest(path, new URLSearchParams(search));
    expect(bad('/v2/aggs/ticker/AAPL/range/5/minute/1/2')).toMatchObject({ status: 400 });
    expect(bad('/v2/aggs/ticker/AAPL/range/1/minute/x/2')).toMatchObject({ status: 400 });
    expect(bad('/v2/aggs/ticker/AAPL/range/1/minute/1/2', 'limit=50001')).toMatchObject({
      status: 400,
    });
    expect(bad('/v2/aggs/ticker/AAPL/range/1/minute/1/2', 'cursor=garbage')).toMatchObject({
      status: 400,
    });
    expect(bad('/v3/other')).toMatchObject({ status: 404 });
  });

  it('paginates with next_url cursors that cover every bar once, in both sort orders', () => {
    const { book } = feed(25 * 60);
    for (const sort of ['asc', 'desc']) {
      let q = query(
        `/v2/aggs/ticker/MSFT/range/1/minute/${T0}/${T0 + 3_600_000}`,
        `sort=${sort}&limit=50000`,
      );
      const seen: number[] = [];
      let pages = 0;
      for (;;) {
        const { status, body } = aggregatesResponse(book, q, {
          nowMs: T0 + 25 * 60_000,
          pageSize: 7,
          origin: 'http://sim',
          requestId: 'r',
        });
        expect(status).toBe(200);
        pages++;
        const results = (body.results as { t: number }[] | undefined) ?? [];
        expect(body.resultsCount).toBe(results.length);
        seen.push(...results.map((r) => r.t));
        if (typeof body.next_url !== 'string') break;
        expect(body.next_url).not.toContain('apiKey');
        const next = new URL(body.next_url);
        expect(next.origin).toBe('http://sim');
        q = query(next.pathname, next.search);
      }
      expect(pages).toBe(4);
      const expected = Array.from({ length: 25 }, (_, i) => T0 + i * 60_000);
      expect(seen).toEqual(sort === 'asc' ? expected : expected.reverse());
    }
  });

  it('omits results when there are none', () => {
    const { book } = feed(60);
    const { body } = aggregatesResponse(
      book,
      query(`/v2/aggs/ticker/ZZZZ/range/1/minute/${T0}/${T0 + 60_000}`),
      {
        nowMs: T0 + 60_000,
        pageSize: 100,
        origin: 'http://sim',
        requestId: 'r',
      },
    );
    expect(body).toMatchObject({ ticker: 'ZZZZ', resultsCount: 0, status: 'OK' });
    expect(body.results).toBeUndefined();
    expect(body.next_url).toBeUndefined();
  });
});
