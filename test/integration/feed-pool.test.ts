import { MassivePoolConfigError } from '../../src/ingest/massive/errors';
import { MassivePool } from '../../src/ingest/massive/pool';
import type { SimAggregate } from '../../src/ingest/simulator/generator';
import { IDEAL_FEED, MassiveSimulator } from '../../src/ingest/simulator/massive-simulator';
import type { TickData } from '../../src/domain/tick';
import { waitFor } from '../../testkit/wait';
import { pastMinute } from '../helpers/feed-fixtures';

describe('MassivePool over the simulator (real sockets)', () => {
  let sim: MassiveSimulator;
  let pool: MassivePool | null = null;
  const T0 = pastMinute(30);

  afterEach(async () => {
    await pool?.close();
    pool = null;
    await sim.close();
  });

  it('splits symbols over 3 sockets; every event arrives exactly once', async () => {
    const generated: SimAggregate[] = [];
    const sentBySocket = new Map<number, SimAggregate[]>();
    sim = new MassiveSimulator({
      clock: 'manual',
      startMs: T0,
      symbolCount: 31,
      eventsPerSecond: 25,
      maxEventsPerFrame: 9,
      maxConnections: 3,
      ...IDEAL_FEED,
      onEventsGenerated: (events) => generated.push(...events),
      onEventsSent: (id, events) =>
        sentBySocket.set(id, [...(sentBySocket.get(id) ?? []), ...events]),
    });
    const { wsUrl } = await sim.start();
    const received: TickData[] = [];
    const frameSizes: number[] = [];
    pool = new MassivePool({
      url: wsUrl,
      apiKey: 'any',
      symbols: sim.symbols,
      connections: 3,
      source: 'simulator',
      subscribeChunkSize: 4,
      listener: {
        frame: (frame) => {
          received.push(...frame.events);
          frameSizes.push(frame.dataCount);
        },
      },
    });
    pool.start();
    await waitFor(
      () => pool!.allLive(),
      () => JSON.stringify(pool!.status()),
    );
    await waitFor(
      () => sim.clients().reduce((n, c) => n + c.subscriptions.length, 0) === 31,
      'all subscriptions',
    );

    // The server saw three disjoint subscription sets covering the universe.
    const subscriptions = sim.clients().map((client) => client.subscriptions);
    expect(subscriptions).toHaveLength(3);
    expect(subscriptions.flat().sort()).toEqual([...sim.symbols].sort());
    expect(new Set(subscriptions.flat()).size).toBe(31);
    expect(
      pool
        .status()
        .map((s) => s.symbolCount)
        .sort(),
    ).toEqual([10, 10, 11]);

    sim.advance(T0 + 20_000);
    await waitFor(
      () => received.length === generated.length,
      () => `${received.length}/${generated.length} ticks`,
    );
    expect(generated).toHaveLength(20 * 25);

    const key = (symbol: string, start: number) => `${symbol}|${start}`;
    const receivedKeys = received.map((t) => key(t.symbol, t.startMs));
    expect(new Set(receivedKeys).size).toBe(received.length); // no duplicates
    expect(receivedKeys.sort()).toEqual(generated.map((e) => key(e.sym, e.s)).sort());
    // Each socket was sent only its own symbols.
    for (const [id, events] of sentBySocket) {
      const mine = new Set(sim.clients().find((c) => c.id === id)!.subscriptions);
      expect(events.every((event) => mine.has(event.sym))).toBe(true);
    }
    expect(Math.max(...frameSizes)).toBeLessThanOrEqual(9);
    expect(frameSizes.reduce((a, b) => a + b, 0)).toBe(received.length);
  });

  it('refuses * over several sockets with a clear error', () => {
    sim = new MassiveSimulator({ clock: 'manual' });
    expect(
      () =>
        new MassivePool({
          url: 'ws://127.0.0.1:1',
          apiKey: 'k',
          symbols: ['*'],
          connections: 2,
          source: 'simulator',
          listener: { frame: () => undefined },
        }),
    ).toThrow(MassivePoolConfigError);
  });
});
