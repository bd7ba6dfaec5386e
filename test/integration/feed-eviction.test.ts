import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { MassiveConnection } from '../../src/ingest/massive/connection';
import { MassiveKeyInUseError, type MassiveError } from '../../src/ingest/massive/errors';
import { MassivePool } from '../../src/ingest/massive/pool';
import { statusFrame } from '../../src/ingest/massive/protocol';
import {
  MassiveSimulator,
  type SimulatorOptions,
} from '../../src/ingest/simulator/massive-simulator';
import { sleep, waitFor } from '../../testkit/wait';
import { captureLogger } from '../helpers/feed-fixtures';

const KEY = 'shared-key-4c1d';
const FAST = {
  backoff: { minMs: 10, maxMs: 100, factor: 2 },
  connectTimeoutMs: 5_000,
  closeGraceMs: 200,
  // Evictions back off 100–200 ms here instead of 30–60 s.
  maxConnectionsBackoffMs: 200,
};

/** Feed at 10× real time from an hour ago: data never stops and every tick is in the past. */
function liveSimulator(overrides: Partial<SimulatorOptions> = {}): MassiveSimulator {
  return new MassiveSimulator({
    clock: 'realtime',
    acceleration: 10,
    tickIntervalMs: 20,
    startMs: Date.now() - 3_600_000,
    symbolCount: 6,
    eventsPerSecond: 6,
    apiKey: KEY,
    ...overrides,
  });
}

const logLines = (lines: string[], text: string) => lines.filter((line) => line.includes(text));

describe('Massive connection semantics against the simulator (real sockets)', () => {
  let sim: MassiveSimulator;
  const closers: (() => Promise<void>)[] = [];

  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
    await sim?.close();
  });

  function pool(wsUrl: string, logs: string[], fatal: MassiveError[]): MassivePool {
    const created = new MassivePool({
      url: wsUrl,
      apiKey: KEY,
      symbols: sim.symbols,
      connections: 1,
      source: 'simulator',
      listener: { frame: () => undefined, fatal: (error) => fatal.push(error) },
      logger: captureLogger(logs),
      ...FAST,
    });
    closers.push(() => created.close());
    return created;
  }

  it('two clients on one key: no flapping; the one evicted twice stops with "another client is using this key"', async () => {
    sim = liveSimulator({ maxConnections: 1 });
    const { wsUrl } = await sim.start();
    const logsA: string[] = [];
    const logsB: string[] = [];
    const fatalA: MassiveError[] = [];
    const fatalB: MassiveError[] = [];
    const a = pool(wsUrl, logsA, fatalA);
    a.start();
    await waitFor(() => a.allLive(), 'the first client live');
    const b = pool(wsUrl, logsB, fatalB);
    b.start();

    // B evicts A; A comes back and evicts B; B comes back and evicts A again: A stops.
    await waitFor(
      () => a.status()[0].state === 'failed',
      () => `A to stop: ${JSON.stringify(a.status())} / ${JSON.stringify(b.status())}`,
    );
    await waitFor(
      () => b.allLive(),
      () => `B to keep the feed: ${JSON.stringify(b.status())}`,
    );
    // 10+ eviction backoffs: a flapping pair would have evicted each other again and again.
    await sleep(2_000);
    expect(sim.status().evictions).toBe(3);
    expect(sim.status().connectionsAccepted).toBe(4);
    expect(a.connections[0].status()).toMatchObject({
      state: 'failed',
      connectAttempts: 2,
      maxConnectionsHits: 2,
      lastDisconnectReason: 'max_connections',
    });
    expect(b.connections[0].status()).toMatchObject({
      state: 'live',
      connectAttempts: 2,
      maxConnectionsHits: 1,
      fatalError: null,
    });
    expect(sim.clients()).toHaveLength(1);

    const [status] = a.status();
    expect(status.fatalError).toMatch(
      /^another client is using this key: Massive evicted this socket 2 times within 10 min/,
    );
    expect(status.lastError).toBe(status.fatalError);
    expect(fatalA).toHaveLength(1);
    expect(fatalA[0]).toBeInstanceOf(MassiveKeyInUseError);
    expect(fatalB).toEqual([]);
    // One clear error line, at error level, and the key never shown.
    const lines = logLines(logsA, 'another client is using this key');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ level: 50, connection: 1 });
    expect([...logsA, ...logsB].join('\n')).not.toContain(KEY);
  });

  it('one eviction is not fatal: a stale client that goes away leaves the socket reconnecting', async () => {
    sim = liveSimulator({ maxConnections: 1 });
    const { wsUrl } = await sim.start();
    const fatal: MassiveError[] = [];
    const a = pool(wsUrl, [], fatal);
    a.start();
    await waitFor(() => a.allLive(), 'live');
    const stale = new MassiveConnection({
      id: 9,
      url: wsUrl,
      apiKey: KEY,
      symbols: ['AAPL'],
      source: 'simulator',
      listener: { frame: () => undefined },
      ...FAST,
      maxConnectionsBackoffMs: 60_000,
    });
    closers.push(() => stale.close());
    stale.start();
    await waitFor(() => sim.status().evictions === 1, 'the first client evicted');
    await stale.close(); // the stale process goes away before A is back
    await waitFor(
      () => a.allLive(),
      () => JSON.stringify(a.status()),
    );
    expect(a.status()[0]).toMatchObject({ state: 'live', fatalError: null });
    expect(fatal).toEqual([]);
  });

  it.each([
    ['force_disconnect', (s: MassiveSimulator) => s.forceDisconnect()],
    ['slow_consumer', (s: MassiveSimulator) => s.slowConsumer()],
  ])(
    '%s: warned once (rate-limited), recorded as the last disconnect reason, then reconnected',
    async (status, inject) => {
      sim = liveSimulator();
      const { wsUrl } = await sim.start();
      const logs: string[] = [];
      const conn = pool(wsUrl, logs, []);
      conn.start();
      await waitFor(() => conn.allLive(), 'live');
      for (let round = 1; round <= 2; round++) {
        expect(inject(sim)).toBe(1);
        await waitFor(
          () => conn.status()[0].reconnects === round && conn.allLive(),
          () => JSON.stringify(conn.status()),
        );
        expect(conn.status()[0].lastDisconnectReason).toMatch(new RegExp(`^${status}: \\S`));
      }
      const warnings = logLines(logs, `Massive sent ${status}`).map(
        (line) => JSON.parse(line) as Record<string, unknown>,
      );
      expect(warnings).toHaveLength(1); // the second within 10 s is counted, not logged
      expect(warnings[0]).toMatchObject({ level: 40, status });
      expect(conn.status()[0].fatalError).toBeNull();
    },
  );

  it('auth_timeout: warned and recorded as the last disconnect reason, then reconnected', async () => {
    sim = liveSimulator({ authTimeoutMs: 100 });
    const { wsUrl } = await sim.start();
    // A hung server: the auth sent on open is lost, and no greeting comes.
    sim.stall(true);
    const logs: string[] = [];
    const conn = pool(wsUrl, logs, []);
    conn.start();
    await waitFor(() => sim.clients().length === 1, 'the socket at the server');
    sim.stall(false); // the server wakes up and times the unauthenticated socket out
    await waitFor(
      () => conn.status()[0].reconnects === 1 && conn.allLive(),
      () => JSON.stringify(conn.status()),
    );
    expect(sim.status().authTimeouts).toBe(1);
    expect(conn.status()[0].lastDisconnectReason).toBe('auth_timeout: authentication timed out');
    expect(logLines(logs, 'Massive sent auth_timeout')).toHaveLength(1);
  });

  it('sends auth as soon as the socket opens, without waiting for the greeting', async () => {
    // A server that never greets: a client waiting for `connected` would never authenticate.
    const received: string[] = [];
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    server.on('connection', (ws) => {
      ws.on('message', (data: Buffer) => {
        const message = JSON.parse(data.toString('utf8')) as { action: string; params: string };
        received.push(message.action);
        if (message.action === 'auth') ws.send(statusFrame('auth_success', 'authenticated'));
        if (message.action === 'subscribe')
          ws.send(statusFrame('success', `subscribed to: ${message.params}`));
      });
    });
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    sim = liveSimulator(); // unused, keeps afterEach uniform
    const conn = new MassiveConnection({
      id: 1,
      url: `ws://127.0.0.1:${port}/stocks`,
      apiKey: KEY,
      symbols: ['AAPL', 'BCpC'],
      source: 'simulator',
      listener: { frame: () => undefined },
      ...FAST,
    });
    closers.push(() => conn.close());
    conn.start();
    await waitFor(
      () => conn.status().state === 'live',
      () => JSON.stringify(conn.status()),
    );
    expect(received).toEqual(['auth', 'subscribe']);
  });
});
