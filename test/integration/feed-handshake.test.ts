import {
  MassiveConnection,
  type MassiveConnectionOptions,
} from '../../src/ingest/massive/connection';
import { MassiveAuthError, type MassiveError } from '../../src/ingest/massive/errors';
import type { SimAggregate } from '../../src/ingest/simulator/generator';
import { MassiveSimulator } from '../../src/ingest/simulator/massive-simulator';
import type { RejectReason, TickData } from '../../src/domain/tick';
import { sleep, waitFor } from '../../testkit/wait';
import { captureLogger, pastMinute } from '../helpers/feed-fixtures';

const KEY = 'test-key-7f3a';
const FAST = {
  backoff: { minMs: 10, maxMs: 100, factor: 2 },
  connectTimeoutMs: 5_000,
  closeGraceMs: 200,
};

describe('Massive connection ↔ simulator handshake (real sockets)', () => {
  let sim: MassiveSimulator;
  let conn: MassiveConnection | null = null;
  const T0 = pastMinute(30);

  afterEach(async () => {
    await conn?.close();
    conn = null;
    await sim.close();
  });

  async function connect(
    overrides: Partial<MassiveConnectionOptions>,
    simOptions: ConstructorParameters<typeof MassiveSimulator>[0] = {},
  ) {
    const sent: SimAggregate[][] = [];
    sim = new MassiveSimulator({
      clock: 'manual',
      startMs: T0,
      symbolCount: 12,
      eventsPerSecond: 12,
      apiKey: KEY,
      onEventsSent: (_id, events) => sent.push(events),
      ...simOptions,
    });
    const { wsUrl } = await sim.start();
    const frames: (readonly TickData[])[] = [];
    const rejects: RejectReason[] = [];
    const fatal: MassiveError[] = [];
    conn = new MassiveConnection({
      id: 1,
      url: wsUrl,
      apiKey: KEY,
      symbols: sim.symbols,
      source: 'simulator',
      listener: {
        frame: (frame) => {
          if (frame.events.length > 0) frames.push(frame.events);
          for (const reject of frame.rejects) rejects.push(reject.reason);
        },
        fatal: (error) => fatal.push(error),
      },
      ...FAST,
      ...overrides,
    });
    conn.start();
    return { frames, rejects, fatal, sent, conn };
  }

  it('connects, authenticates, subscribes in chunks and delivers frames of several events', async () => {
    const { frames, sent, conn } = await connect({ subscribeChunkSize: 5 });
    await waitFor(() => conn.status().state === 'live', 'live');
    await waitFor(
      () => sim.clients()[0]?.subscriptions.length === 12,
      'all subscriptions at the server',
    );
    expect(sim.clients()[0].subscriptions).toEqual([...sim.symbols].sort());
    const counters = sim.status();
    expect(counters.authAttempts).toBe(1);
    expect(counters.subscribeMessages).toBe(3); // 12 symbols in chunks of 5

    sim.advance(T0 + 5_000);
    await waitFor(
      () => frames.flat().length === 60,
      () => `60 ticks, got ${frames.flat().length}`,
    );
    expect(frames).toHaveLength(1); // 5 seconds × 12 symbols in one frame
    const received = frames.flat();
    const expected = sent.flat();
    expect(
      received.map((t) => [
        t.symbol,
        t.startMs,
        t.endMs,
        t.open,
        t.high,
        t.low,
        t.close,
        t.volume,
        t.vwap,
        t.accumulatedVolume,
      ]),
    ).toEqual(expected.map((e) => [e.sym, e.s, e.e, e.o, e.h, e.l, e.c, e.v, e.vw, e.av]));
    expect(received.every((t) => t.source === 'simulator' && t.eventType === 'A')).toBe(true);

    const status = conn.status();
    expect(status).toMatchObject({
      id: 1,
      state: 'live',
      symbolCount: 12,
      reconnects: 0,
      lastError: null,
    });
    expect(status.connectedSince).not.toBeNull();
    expect(status.messagesReceived).toBeGreaterThanOrEqual(4);
  });

  it('subscribes to A.* for a wildcard and counts the symbols it sees', async () => {
    const { frames, conn } = await connect({ symbols: ['*'] });
    await waitFor(() => conn.status().state === 'live', 'live');
    expect(sim.clients()[0].subscriptions).toEqual(['*']);
    sim.advance(T0 + 2_000);
    await waitFor(() => frames.flat().length === 24, '24 ticks');
    expect(conn.status().symbolCount).toBe(12);
  });

  it('treats auth_failed as fatal: clear error, no retries, key never shown', async () => {
    const wrongKey = 'wrong-key-91b2';
    const logs: string[] = [];
    const { fatal, conn } = await connect({ apiKey: wrongKey, logger: captureLogger(logs) });
    await waitFor(() => conn.status().state === 'failed', 'failed');
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toBeInstanceOf(MassiveAuthError);
    expect(fatal[0].message).toContain('auth_failed');
    expect(fatal[0].message).not.toContain(wrongKey);
    expect(conn.status().lastError).toContain('MASSIVE_API_KEY');
    expect(JSON.stringify(conn.status())).not.toContain(wrongKey);
    // With a 10 ms backoff a retry loop would have reconnected dozens of times in this window.
    await sleep(500);
    expect(sim.status().connectionsAccepted).toBe(1);
    expect(sim.status().authFailures).toBe(1);
    expect(conn.status().connectAttempts).toBe(1);
    expect(conn.status().state).toBe('failed');
    expect(logs.join('\n')).toContain('auth_failed');
    expect(logs.join('\n')).not.toContain(wrongKey);
  });

  it('counts malformed frames by reason and keeps the socket alive', async () => {
    const { frames, rejects, conn } = await connect({});
    await waitFor(() => conn.status().state === 'live', 'live');
    sim.sendRaw('{not json');
    sim.sendRaw('{"ev":"A"}');
    sim.sendRaw(
      '[1, {"ev":"XQ"}, {"ev":"A","sym":"AAPL"}, {"ev":"A","sym":"bad!","o":1,"h":1,"l":1,"c":1,"v":1,"s":1,"e":1}]',
    );
    sim.sendRaw(
      JSON.stringify([
        { ev: 'A', sym: 'AAPL', o: 5, h: 4, l: 3, c: 4, v: 10, s: T0, e: T0 + 1000 },
      ]),
    );
    await waitFor(
      () => rejects.length === 7,
      () => `7 rejects, got ${rejects.join(',')}`,
    );
    expect([...rejects].sort()).toEqual(
      [
        'malformed_json',
        'not_an_array',
        'not_an_object',
        'unknown_event',
        'missing_field',
        'bad_symbol',
        'inconsistent_prices',
      ].sort(),
    );
    sim.advance(T0 + 3_000);
    await waitFor(() => frames.flat().length === 36, '36 ticks after the bad frames');
    expect(conn.status().state).toBe('live');
    expect(conn.status().connectAttempts).toBe(1);
  });

  it('close() stops everything: no reconnect after a drop, state closed', async () => {
    const { conn } = await connect({});
    await waitFor(() => conn.status().state === 'live', 'live');
    sim.dropConnections();
    await waitFor(() => conn.status().state !== 'live', 'drop noticed');
    await conn.close();
    expect(conn.status().state).toBe('closed');
    const accepted = sim.status().connectionsAccepted;
    await sleep(300); // 30× the minimum backoff: a live reconnect timer would have fired
    expect(sim.status().connectionsAccepted).toBe(accepted);
    expect(sim.clients()).toEqual([]);
  });
});
