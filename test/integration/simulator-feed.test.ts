import WebSocket from 'ws';
import { minuteStart } from '../../src/domain/minute-bar';
import { tradeCount, type SimAggregate } from '../../src/ingest/simulator/generator';
import {
  MassiveSimulator,
  type SimulatorOptions,
} from '../../src/ingest/simulator/massive-simulator';
import { barKey, fromSimAggregate, rollUp } from '../../testkit/bar-oracle';
import { waitFor } from '../../testkit/wait';

/**
 * The simulator as a Massive peer over real sockets on port 0: REST that lags and changes until
 * the correction window closes, eviction of the oldest socket on a key, auth_timeout, the
 * server-initiated statuses, OTC tickers — what the real feed does and the app must meet.
 */

const T0 = Date.UTC(2025, 0, 2, 14, 30);
const MINUTE = 60_000;
const WINDOW = 15 * MINUTE;
const KEY = 'sim-test-key';

interface Broadcast {
  event: SimAggregate;
  broadcastMs: number;
}

/** The official client's GetStocksAggregates200Response / …ResultsInner fields, nothing else. */
const RESPONSE_FIELDS = [
  'ticker',
  'adjusted',
  'queryCount',
  'request_id',
  'resultsCount',
  'status',
  'results',
  'next_url',
];
const RESULT_FIELDS = ['c', 'h', 'l', 'n', 'o', 'otc', 't', 'v', 'vw'];

interface RestBar {
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  vw: number;
  n: number;
  otc?: boolean;
}

describe('the simulator behaves like the real feed (real sockets)', () => {
  let sim: MassiveSimulator;
  let restUrl: string;
  let wsUrl: string;
  let broadcasts: Broadcast[];
  const clients: WebSocket[] = [];

  async function start(options: Partial<SimulatorOptions> = {}): Promise<void> {
    broadcasts = [];
    sim = new MassiveSimulator({
      clock: 'manual',
      startMs: T0,
      symbols: ['AAPL', 'MSFT', 'BCPC', 'BCpC', 'ABRpD', 'NSRGY'],
      eventsPerSecond: 6,
      seed: 3,
      apiKey: KEY,
      onEventsGenerated: (events, broadcastMs) => {
        for (const event of events) broadcasts.push({ event, broadcastMs });
      },
      ...options,
    });
    ({ restUrl, wsUrl } = await sim.start(0));
  }

  afterEach(async () => {
    for (const ws of clients.splice(0)) ws.terminate();
    await sim.close();
  });

  async function rest(
    symbol: string,
    search = '',
  ): Promise<{ status: number; body: Record<string, unknown>; bars: Map<number, RestBar> }> {
    const response = await fetch(
      `${restUrl}/v2/aggs/ticker/${encodeURIComponent(symbol)}/range/1/minute/${T0}/${T0 + 86_400_000}?apiKey=${KEY}&limit=50000${search}`,
    );
    const body = (await response.json()) as Record<string, unknown>;
    const results = (body.results ?? []) as RestBar[];
    return { status: response.status, body, bars: new Map(results.map((bar) => [bar.t, bar])) };
  }

  /** The latest broadcast version of each (sym, s) by `untilMs`, folded by the one oracle. */
  function latest(untilMs = Infinity) {
    const versions = new Map<string, SimAggregate>();
    for (const { event, broadcastMs } of broadcasts)
      if (broadcastMs <= untilMs) versions.set(`${event.sym}|${event.s}`, event);
    return {
      seconds: [...versions.values()],
      bars: rollUp([...versions.values()].map(fromSimAggregate)),
    };
  }

  it('publishes a minute only after its lag, with the corrections broadcast so far, final after the window', async () => {
    await start({ correctionRate: 0.1, restLagMinMs: 2_000, restLagMaxMs: 120_000 });
    const lags = new Set<number>();
    const problems: string[] = [];
    for (let t = T0 + MINUTE; t <= T0 + 12 * MINUTE; t += 10_000) {
      sim.advance(t);
      const { bars: expected } = latest();
      for (const symbol of ['AAPL', 'BCpC']) {
        const { bars } = await rest(symbol);
        for (let m = T0; m + MINUTE <= sim.now(); m += MINUTE) {
          const lag = sim.restLagMs(symbol, m);
          lags.add(lag);
          if (lag < 2_000 || lag > 120_000) problems.push(`lag ${lag}`);
          const published = m + MINUTE + lag <= sim.now();
          if (bars.has(m) !== published)
            problems.push(`${symbol} ${m} at ${sim.now()}: served ${bars.has(m)}, lag ${lag}`);
          const bar = bars.get(m);
          const want = expected.get(barKey(symbol, m))!;
          if (bar && (bar.v !== want.volume || bar.h !== want.high || bar.l !== want.low))
            problems.push(`${symbol} ${m}: ${JSON.stringify(bar)} vs ${JSON.stringify(want)}`);
        }
      }
    }
    expect(problems.slice(0, 5)).toEqual([]);
    expect(lags.size).toBeGreaterThan(10); // per (symbol, minute), not one constant

    // Past the window nothing changes any more, and REST is the latest version of every second.
    sim.advance(T0 + 5 * MINUTE + WINDOW);
    const before = (await rest('AAPL')).bars;
    sim.advance(sim.now() + 10 * MINUTE);
    const after = (await rest('AAPL')).bars;
    const { seconds, bars: truth } = latest();
    let correctedMinutes = 0;
    const firstOnly = rollUp(
      broadcasts.filter((b) => b.broadcastMs === b.event.e).map((b) => fromSimAggregate(b.event)),
    );
    for (let m = T0; m < T0 + 5 * MINUTE; m += MINUTE) {
      const want = truth.get(barKey('AAPL', m))!;
      expect(after.get(m)).toEqual(before.get(m));
      expect([after.get(m)!.o, after.get(m)!.h, after.get(m)!.l, after.get(m)!.c]).toEqual([
        want.open,
        want.high,
        want.low,
        want.close,
      ]);
      expect(after.get(m)!.v).toBe(want.volume);
      expect(after.get(m)!.vw).toBeCloseTo(want.vwap!, 4);
      // n is Massive's trade count (v / z of each second's latest version), not a second count.
      const mine = seconds.filter((e) => e.sym === 'AAPL' && minuteStart(e.s) === m);
      expect(after.get(m)!.n).toBe(mine.reduce((sum, e) => sum + tradeCount(e), 0));
      if (firstOnly.get(barKey('AAPL', m))!.volume !== want.volume) correctedMinutes++;
    }
    expect(correctedMinutes).toBeGreaterThan(0);
  });

  it("answers with the official client's fields only, echoes adjusted, flags OTC tickers", async () => {
    await start({ restLagMinMs: 0, restLagMaxMs: 0 });
    sim.advance(T0 + 3 * MINUTE);
    for (const adjusted of ['true', 'false']) {
      const { status, body } = await rest('NSRGY', `&adjusted=${adjusted}`);
      expect(status).toBe(200);
      expect(body.adjusted).toBe(adjusted === 'true');
      for (const field of Object.keys(body)) expect(RESPONSE_FIELDS).toContain(field);
      const results = body.results as Record<string, unknown>[];
      expect(results).toHaveLength(3);
      for (const bar of results) {
        for (const field of Object.keys(bar)) expect(RESULT_FIELDS).toContain(field);
        expect(bar.otc).toBe(true);
      }
    }
    const aapl = await rest('AAPL');
    expect(aapl.body.adjusted).toBe(true); // Massive's default
    for (const bar of aapl.bars.values()) expect('otc' in bar).toBe(false);
    expect((await rest('AAPL', '&adjusted=yes')).status).toBe(400);
    // Tickers are case-sensitive: BCpC and BCPC are two companies.
    const [preferred, common] = [(await rest('BCpC')).bars, (await rest('BCPC')).bars];
    expect(preferred.size).toBe(3);
    expect(common.size).toBe(3);
    expect(preferred.get(T0)!.c).not.toBe(common.get(T0)!.c);
  });

  /** A raw Massive client: auth on open, every frame's events kept. */
  function connect(key = KEY, auth = true) {
    const ws = new WebSocket(wsUrl);
    clients.push(ws);
    const statuses: string[] = [];
    const data: SimAggregate[] = [];
    let closed = false;
    ws.on('open', () => {
      if (auth) ws.send(JSON.stringify({ action: 'auth', params: key }));
    });
    ws.on('message', (raw: Buffer) => {
      type Wire = SimAggregate | { ev: 'status'; status: string };
      for (const event of JSON.parse(raw.toString('utf8')) as Wire[]) {
        if (event.ev === 'status') statuses.push(event.status);
        else data.push(event);
      }
    });
    ws.on('close', () => (closed = true));
    return {
      ws,
      statuses,
      data,
      get closed() {
        return closed;
      },
      subscribe: (params: string) => ws.send(JSON.stringify({ action: 'subscribe', params })),
    };
  }

  it('evicts the oldest socket on a key when a newer one authenticates', async () => {
    await start({ maxConnections: 2 });
    const first = connect();
    await waitFor(() => first.statuses.includes('auth_success'), 'first in');
    const second = connect();
    await waitFor(() => second.statuses.includes('auth_success'), 'second in');
    expect(sim.status().evictions).toBe(0);

    const third = connect();
    await waitFor(() => third.statuses.includes('auth_success'), 'third in');
    await waitFor(() => first.closed, 'the oldest is closed');
    expect(first.statuses).toEqual(['connected', 'auth_success', 'max_connections']);
    expect(second.closed).toBe(false);
    expect(sim.status().evictions).toBe(1);

    // The evicted socket gets nothing more; the newest gets its data.
    third.subscribe('A.AAPL');
    await waitFor(() => third.statuses.includes('success'), 'subscribed');
    sim.advance(T0 + 2_000);
    await waitFor(() => third.data.length === 2, 'data on the newest socket');
    expect(first.data).toHaveLength(0);
  });

  it('counts the limit per key', async () => {
    await start({ apiKey: null, maxConnections: 1 });
    const a = connect('key-a');
    const b = connect('key-b');
    await waitFor(
      () => a.statuses.includes('auth_success') && b.statuses.includes('auth_success'),
      'both in',
    );
    const a2 = connect('key-a');
    await waitFor(() => a.closed && a2.statuses.includes('auth_success'), 'key-a replaced');
    expect(b.closed).toBe(false);
    expect(sim.status().evictions).toBe(1);
  });

  it('closes a socket that does not authenticate in time with auth_timeout', async () => {
    await start({ authTimeoutMs: 300 });
    const silent = connect(KEY, false);
    const prompt = connect();
    await waitFor(() => silent.closed, 'the silent socket is closed');
    expect(silent.statuses).toEqual(['connected', 'auth_timeout']);
    expect(prompt.closed).toBe(false);
    expect(prompt.statuses).toEqual(['connected', 'auth_success']);
    expect(sim.status().authTimeouts).toBe(1);
  });

  it('sends force_disconnect and slow_consumer on demand', async () => {
    await start({ maxConnections: 3 });
    const a = connect();
    const b = connect();
    const c = connect();
    await waitFor(() => [a, b, c].every((x) => x.statuses.includes('auth_success')), 'all in');
    const ids = sim.clients().map((client) => client.id);
    expect(sim.forceDisconnect(ids[0])).toBe(1);
    await waitFor(() => a.closed, 'force_disconnect closes');
    expect(a.statuses.at(-1)).toBe('force_disconnect');
    expect(sim.slowConsumer(ids[1], false)).toBe(1);
    await waitFor(() => b.statuses.includes('slow_consumer'), 'slow_consumer warning');
    expect(b.closed).toBe(false);
    expect(sim.slowConsumer(ids[2])).toBe(1);
    await waitFor(() => c.closed, 'slow_consumer closes');
    expect(sim.status().statusesInjected).toBe(3);
  });

  it('puts OTC and lowercase-suffix tickers on the wire as they are', async () => {
    await start();
    const client = connect();
    await waitFor(() => client.statuses.includes('auth_success'), 'in');
    client.subscribe('A.*');
    await waitFor(() => client.statuses.includes('success'), 'subscribed');
    sim.advance(T0 + 3_000);
    await waitFor(() => client.data.length >= 18, 'three seconds of six symbols');
    expect(new Set(client.data.map((e) => e.sym))).toEqual(
      new Set(['AAPL', 'MSFT', 'BCPC', 'BCpC', 'ABRpD', 'NSRGY']),
    );
    for (const event of client.data)
      expect(event.otc).toBe(event.sym === 'NSRGY' ? true : undefined);
  });
});
