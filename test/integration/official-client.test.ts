import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { MINUTE_MS } from '../../src/domain/minute-bar';
import type { SimAggregate } from '../../src/ingest/simulator/generator';
import { IDEAL_FEED, MassiveSimulator } from '../../src/ingest/simulator/massive-simulator';
import { waitFor } from '../../testkit/wait';
import { pastMinute } from '../helpers/feed-fixtures';

const PROBE = path.join(__dirname, '..', 'helpers', 'official-client-probe.mjs');
const KEY = 'official-client-key-5e2a';

type ProbeLine = { stage: string } & Record<string, unknown>;

/** Runs the official client in its own Node process; its stdout lines as they arrive. */
function runProbe(args: Record<string, unknown>) {
  const lines: ProbeLine[] = [];
  let stderr = '';
  const child = spawn(process.execPath, [PROBE, JSON.stringify(args)], {
    cwd: path.join(__dirname, '..', '..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  createInterface({ input: child.stdout }).on('line', (line) =>
    lines.push(JSON.parse(line) as ProbeLine),
  );
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return {
    lines,
    exited,
    stage: (name: string) => lines.find((line) => line.stage === name),
    describe: () => `${JSON.stringify(lines).slice(0, 2000)} stderr: ${stderr.slice(-2000)}`,
    kill: () => child.kill('SIGKILL'),
  };
}

/**
 * The official `@massive.com/client-js` (10.8.0), unmodified, against the simulator: it must
 * handshake with the simulator's WebSocket (auth on open), subscribe, receive `A` events with
 * Massive's fields (case-sensitive tickers included), and read the REST aggregates with
 * pagination, following `next_url`. If the simulator drifted from the real protocol, this is
 * where a real client would notice.
 */
describe('the official Massive JS client against the simulator', () => {
  let sim: MassiveSimulator;
  let probe: ReturnType<typeof runProbe> | null = null;
  const T0 = pastMinute(30);

  afterEach(async () => {
    probe?.kill();
    probe = null;
    await sim?.close();
  });

  it('handshakes, subscribes A.*, parses A events, and pages through REST aggregates', async () => {
    const sent: SimAggregate[] = [];
    sim = new MassiveSimulator({
      clock: 'manual',
      startMs: T0,
      symbols: ['AAPL', 'BCPC', 'BCpC', 'ABRpD', 'NSRGY'],
      eventsPerSecond: 5,
      apiKey: KEY,
      ...IDEAL_FEED,
      onEventsSent: (_id, events) => sent.push(...events),
    });
    const { port } = await sim.start();
    // Five minutes on the books before the client connects (REST has them; nobody was sent them).
    sim.advance(T0 + 5 * MINUTE_MS);
    const rest = {
      stocksTicker: 'BCpC',
      multiplier: 1,
      timespan: 'minute',
      from: String(T0),
      to: String(T0 + 5 * MINUTE_MS - 1),
      adjusted: false,
      sort: 'asc',
      limit: 2, // 5 minutes in pages of 2: two next_url hops
    };
    probe = runProbe({
      key: KEY,
      wsBase: `ws://127.0.0.1:${port}`,
      restBase: `http://127.0.0.1:${port}`,
      subscribe: 'A.*',
      events: 15,
      rest,
    });
    const running = probe;
    await waitFor(() => running.stage('subscribed'), running.describe, 30_000);
    expect(sim.clients()).toEqual([
      expect.objectContaining({ authenticated: true, subscriptions: ['*'] }),
    ]);
    expect(sim.status().authAttempts).toBe(1);

    sim.advance(T0 + 5 * MINUTE_MS + 3_000); // three seconds of five symbols, live
    await waitFor(() => running.stage('rest'), running.describe, 30_000);
    expect(await running.exited).toBe(0);

    const stream = running.stage('stream') as {
      statuses: string[];
      events: SimAggregate[];
    } & ProbeLine;
    expect(stream.statuses).toEqual(['connected', 'auth_success', 'success']);
    expect(stream.events).toEqual(JSON.parse(JSON.stringify(sent)));
    expect(new Set(stream.events.map((event) => event.sym))).toEqual(
      new Set(['AAPL', 'BCPC', 'BCpC', 'ABRpD', 'NSRGY']),
    );
    for (const event of stream.events) {
      expect(Object.keys(event).sort()).toEqual(
        [
          'a',
          'av',
          'c',
          'e',
          'ev',
          'h',
          'l',
          'o',
          'op',
          's',
          'sym',
          'v',
          'vw',
          'z',
          ...(event.sym === 'NSRGY' ? ['otc'] : []),
        ].sort(),
      );
    }

    // The truth: the simulator's own REST answer in one page.
    const truth = (await (
      await fetch(
        `http://127.0.0.1:${port}/v2/aggs/ticker/BCpC/range/1/minute/${rest.from}/${rest.to}?adjusted=false&sort=asc&limit=50000&apiKey=${KEY}`,
      )
    ).json()) as { results: { t: number }[] };
    expect(truth.results).toHaveLength(5);

    const { paged, single } = running.stage('rest') as {
      paged: { ticker: string; results: { t: number }[]; next_url?: string };
      single: { results: { t: number }[]; next_url?: string; status: string; adjusted: boolean };
    } & ProbeLine;
    // Without pagination: the first page and a next_url that carries a cursor but not the key.
    expect(single.status).toBe('OK');
    expect(single.adjusted).toBe(false);
    expect(single.results).toEqual(truth.results.slice(0, 2));
    expect(single.next_url).toMatch(
      /\/v2\/aggs\/ticker\/BCpC\/range\/1\/minute\/\d+\/\d+\?cursor=/,
    );
    expect(single.next_url).not.toContain(KEY);
    // With pagination the client followed next_url twice (appending the key itself) and merged
    // every page; it concatenates later pages first, so compare in time order.
    expect(paged.ticker).toBe('BCpC');
    expect([...paged.results].sort((a, b) => a.t - b.t)).toEqual(truth.results);
    expect(sim.status().restRequests).toBe(3 + 1 + 1);
  });
});
