import {
  authMessage,
  parseChannels,
  parseClientAction,
  parseFrame,
  statusFrame,
  subscribeMessages,
  unsubscribeMessage,
} from '../../src/ingest/massive/protocol';
import { REJECT_REASONS, type RejectReason } from '../../src/domain/tick';

const S = 1_700_000_000_000;
const OPTIONS = { source: 'massive' as const, receivedAtMs: S + 2_000, maxFutureMs: 60_000 };
const VALID = {
  ev: 'A',
  sym: 'AAPL',
  v: 100,
  av: 1_000,
  op: 227.5,
  vw: 228.0512,
  o: 228.01,
  c: 228.1,
  h: 228.2,
  l: 227.9,
  a: 227.8,
  z: 10,
  s: S,
  e: S + 1_000,
};
const event = (patch: Record<string, unknown>) => JSON.stringify([{ ...VALID, ...patch }]);
const without = (field: string) => {
  const copy: Record<string, unknown> = { ...VALID };
  delete copy[field];
  return JSON.stringify([copy]);
};

describe('parseFrame rejects', () => {
  const cases: [string, string, RejectReason][] = [
    ['truncated JSON', '[{"ev":"A","sym":"AAPL"', 'malformed_json'],
    ['not JSON at all', 'hello', 'malformed_json'],
    ['an object frame', JSON.stringify(VALID), 'not_an_array'],
    ['a number frame', '42', 'not_an_array'],
    ['a number element', '[1]', 'not_an_object'],
    ['a null element', '[null]', 'not_an_object'],
    ['an array element', '[[1,2]]', 'not_an_object'],
    ['a trade event', event({ ev: 'T' }), 'unknown_event'],
    ['an object as ev', event({ ev: { x: 1 } }), 'unknown_event'],
    ['no ev', without('ev'), 'missing_field'],
    ['no sym', without('sym'), 'missing_field'],
    ['no close', without('c'), 'missing_field'],
    ['null volume', event({ v: null }), 'missing_field'],
    ['price as string', event({ o: '228.01' }), 'invalid_number'],
    [
      'infinite high',
      '[{"ev":"A","sym":"AAPL","v":1,"o":1,"c":1,"h":1e999,"l":1,"s":1700000000000,"e":1700000001000}]',
      'invalid_number',
    ],
    ['fractional volume', event({ v: 1.5 }), 'invalid_number'],
    ['negative optional vwap', event({ vw: -1 }), 'invalid_number'],
    ['fractional window start', event({ s: S + 0.5 }), 'invalid_number'],
    ['zero price', event({ o: 0 }), 'negative_value'],
    ['negative low', event({ l: -1 }), 'negative_value'],
    ['negative volume', event({ v: -5 }), 'negative_value'],
    ['high below low', event({ h: 227.8 }), 'inconsistent_prices'],
    ['open above high', event({ o: 228.3 }), 'inconsistent_prices'],
    ['close below low', event({ c: 227.0 }), 'inconsistent_prices'],
    ['lower-case symbol', event({ sym: 'aapl' }), 'bad_symbol'],
    ['symbol with $', event({ sym: '$$$' }), 'bad_symbol'],
    ['epoch zero', event({ s: 0, e: 1_000 }), 'absurd_timestamp'],
    ['far future', event({ s: S + 3_600_000, e: S + 3_601_000 }), 'absurd_timestamp'],
    ['end before start', event({ e: S - 1 }), 'absurd_timestamp'],
  ];

  it.each(cases)('%s → %s', (_name, text, reason) => {
    const frame = parseFrame(text, OPTIONS);
    expect(frame.events).toEqual([]);
    expect(frame.rejects).toHaveLength(1);
    expect(frame.rejects[0].reason).toBe(reason);
  });

  it('covers every reject reason', () => {
    expect(new Set(cases.map(([, , reason]) => reason))).toEqual(new Set(REJECT_REASONS));
  });
});

describe('parseFrame', () => {
  it('turns an A event into TickData with every field', () => {
    const frame = parseFrame(JSON.stringify([VALID]), OPTIONS);
    expect(frame.rejects).toEqual([]);
    expect(frame.dataCount).toBe(1);
    expect(frame.events).toEqual([
      {
        symbol: 'AAPL',
        eventType: 'A',
        startMs: S,
        endMs: S + 1_000,
        open: 228.01,
        high: 228.2,
        low: 227.9,
        close: 228.1,
        volume: 100,
        vwap: 228.0512,
        accumulatedVolume: 1_000,
        dayOpen: 227.5,
        dayVwap: 227.8,
        averageTradeSize: 10,
        source: 'massive',
        receivedAtMs: S + 2_000,
      },
    ]);
  });

  it('accepts AM (per-minute) events', () => {
    const frame = parseFrame(event({ ev: 'AM', s: S - 60_000, e: S }), OPTIONS);
    expect(frame.events.map((tick) => tick.eventType)).toEqual(['AM']);
  });

  it('keeps the good events of a mixed frame and counts the bad ones', () => {
    const text = JSON.stringify([
      { ev: 'status', status: 'success', message: 'subscribed to: A.AAPL' },
      VALID,
      { ...VALID, sym: 'MSFT' },
      { ...VALID, h: 1 },
      7,
      { ...VALID, sym: 'NVDA', s: S + 1_000, e: S + 2_000 },
    ]);
    const frame = parseFrame(text, OPTIONS);
    expect(frame.events.map((tick) => tick.symbol)).toEqual(['AAPL', 'MSFT', 'NVDA']);
    expect(frame.rejects.map((r) => r.reason)).toEqual(['inconsistent_prices', 'not_an_object']);
    expect(frame.statuses).toEqual([{ status: 'success', message: 'subscribed to: A.AAPL' }]);
    expect(frame.dataCount).toBe(5);
  });

  it('reads status messages, including max_connections and auth_failed', () => {
    const frame = parseFrame(
      '[{"ev":"status","status":"auth_failed","message":"authentication failed"},{"ev":"status","status":"max_connections","message":"Maximum number of websocket connections exceeded."}]',
      OPTIONS,
    );
    expect(frame.statuses.map((s) => s.status)).toEqual(['auth_failed', 'max_connections']);
    expect(frame.events).toEqual([]);
    expect(frame.dataCount).toBe(0);
  });

  it('treats an empty array as an empty frame', () => {
    expect(parseFrame('[]', OPTIONS)).toEqual({
      events: [],
      statuses: [],
      rejects: [],
      dataCount: 0,
    });
  });
});

describe('message builders', () => {
  it('builds auth, subscribe and unsubscribe messages', () => {
    expect(JSON.parse(authMessage('k3y'))).toEqual({ action: 'auth', params: 'k3y' });
    expect(subscribeMessages(['*'], 500).map((m) => JSON.parse(m) as unknown)).toEqual([
      { action: 'subscribe', params: 'A.*' },
    ]);
    expect(JSON.parse(unsubscribeMessage(['AAPL', 'MSFT']))).toEqual({
      action: 'unsubscribe',
      params: 'A.AAPL,A.MSFT',
    });
  });

  it('chunks subscriptions and loses no symbol', () => {
    const symbols = Array.from({ length: 1_201 }, (_, i) => `S${i}`);
    const messages = subscribeMessages(symbols, 500).map(
      (m) => JSON.parse(m) as { params: string },
    );
    expect(messages.map((m) => m.params.split(',').length)).toEqual([500, 500, 201]);
    expect(messages.flatMap((m) => m.params.split(',')).map((c) => c.slice(2))).toEqual(symbols);
    expect(() => subscribeMessages(symbols, 0)).toThrow(RangeError);
  });

  it('parses client actions and channels for the simulator', () => {
    expect(parseClientAction('{"action":"subscribe","params":"A.AAPL, A.MSFT,AM.*"}')).toEqual({
      action: 'subscribe',
      params: 'A.AAPL, A.MSFT,AM.*',
    });
    expect(parseClientAction('{"action":"auth"}')).toBeNull();
    expect(parseClientAction('nope')).toBeNull();
    expect(parseChannels('A.AAPL, A.MSFT,AM.*,junk,.X,A.')).toEqual([
      { prefix: 'A', symbol: 'AAPL' },
      { prefix: 'A', symbol: 'MSFT' },
      { prefix: 'AM', symbol: '*' },
    ]);
    expect(JSON.parse(statusFrame('connected', 'Connected Successfully'))).toEqual([
      { ev: 'status', status: 'connected', message: 'Connected Successfully' },
    ]);
  });
});
