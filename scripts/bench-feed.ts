/**
 * The bench's feed: a MassiveSimulator on a manual clock, advanced one feed second at a time as
 * fast as the client drains its socket (the loop waits while more than `highWaterBytes` sit in
 * the server's send buffers), with an independent roll-up of every event actually written to a
 * socket. Runs in-process or, by default, in its own process (`fork` of this file), so the
 * generator's JSON encoding does not share the ingest process's event loop — a real feed is on
 * another machine.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { IDEAL_FEED, MassiveSimulator } from '../src/ingest/simulator/massive-simulator';
import { BarOracle, fromSimAggregate, type OracleBar } from '../testkit/bar-oracle';
import { sleep, waitFor } from '../testkit/wait';

export interface BenchFeedOptions {
  symbols: number;
  /** Events per feed second (≤ symbols: each symbol at most once a second). */
  eventsPerSecond: number;
  /** Feed seconds to send. */
  seconds: number;
  /** Feed time of the first second (minute-aligned, in the past so ticks pass validation). */
  startMs: number;
  seed: number;
  /** Backpressure: wait while the server's sockets hold more than this. */
  highWaterBytes: number;
  /** Events per wall second to send at (a steady load); 0 = as fast as the client takes them. */
  paceEventsPerSec: number;
  /** Fraction of seconds re-broadcast with new values (Massive's corrections); 0 = none. */
  correctionRate: number;
}

export interface BenchFeedDone {
  eventsSent: number;
  framesSent: number;
  /** Wall time of the send loop, ms (the feed's own pace; it waits for the client). */
  sendMs: number;
  /** Waits for backpressure. */
  backpressureWaits: number;
  /** The roll-up of every event written to a socket, for the zero-loss check. */
  expected: OracleBar[];
}

/** A feed the bench controls: where to connect, when to start, and what was sent. */
export interface BenchFeed {
  wsUrl: string;
  symbols: readonly string[];
  /** Waits until every symbol is subscribed, then sends `seconds` feed seconds. */
  run(): Promise<BenchFeedDone>;
  close(): Promise<void>;
}

/** Builds the feed in this process. */
export async function startInProcessFeed(options: BenchFeedOptions): Promise<BenchFeed> {
  const rollup = new BarOracle();
  const sim = new MassiveSimulator({
    clock: 'manual',
    symbolCount: options.symbols,
    eventsPerSecond: options.eventsPerSecond,
    seed: options.seed,
    startMs: options.startMs,
    retainMinutes: 5,
    // The no-correction baseline unless a rate is given; corrections within a minute of their
    // second, so a short run sends (almost) all of them.
    ...IDEAL_FEED,
    correctionRate: options.correctionRate,
    correctionMaxDelayMs: 60_000,
    onEventsSent: (_client, events) => {
      for (const event of events) rollup.add(fromSimAggregate(event));
    },
  });
  const { wsUrl } = await sim.start(0);
  return {
    wsUrl,
    symbols: sim.symbols,
    close: () => sim.close(),
    run: async () => {
      await waitFor(
        () => subscribedCount(sim) === sim.symbols.length,
        'every symbol subscribed',
        120_000,
        10,
      );
      const started = performance.now();
      const msPerFeedSecond =
        options.paceEventsPerSec > 0
          ? (1000 * options.eventsPerSecond) / options.paceEventsPerSec
          : 0;
      let waits = 0;
      for (let i = 1; i <= options.seconds; i++) {
        const due = started + (i - 1) * msPerFeedSecond;
        while (performance.now() < due) await sleep(Math.min(5, due - performance.now()));
        // Yield to I/O every second, and keep yielding while the client is behind.
        do {
          await new Promise((resolve) => setImmediate(resolve));
          if (sim.bufferedAmount() > options.highWaterBytes) {
            waits++;
            await sleep(1);
          }
        } while (sim.bufferedAmount() > options.highWaterBytes);
        sim.advance(options.startMs + i * 1000);
      }
      const sendMs = performance.now() - started;
      const counters = sim.status();
      return {
        eventsSent: counters.eventsSent,
        framesSent: counters.framesSent,
        sendMs,
        backpressureWaits: waits,
        expected: [...rollup.bars().values()],
      };
    },
  };
}

function subscribedCount(sim: MassiveSimulator): number {
  let total = 0;
  for (const client of sim.clients())
    if (client.authenticated) total += client.subscriptions.length;
  return total;
}

type ChildMessage =
  | { type: 'listening'; wsUrl: string; symbols: string[] }
  | { type: 'done'; result: BenchFeedDone }
  | { type: 'error'; message: string };

/** The same feed in a child process (this file, forked); talks over IPC. */
export async function startChildFeed(options: BenchFeedOptions): Promise<BenchFeed> {
  const child: ChildProcess = fork(__filename, ['--child', JSON.stringify(options)], {
    stdio: 'inherit',
  });
  const next = () =>
    new Promise<ChildMessage>((resolve, reject) => {
      const onExit = (code: number | null) =>
        reject(new Error(`bench feed process exited early (${code})`));
      child.once('exit', onExit);
      child.once('message', (message) => {
        child.off('exit', onExit);
        resolve(message as ChildMessage);
      });
    });
  const first = await next();
  if (first.type !== 'listening')
    throw new Error(`bench feed failed to start: ${JSON.stringify(first)}`);
  return {
    wsUrl: first.wsUrl,
    symbols: first.symbols,
    run: async () => {
      const done = next();
      child.send({ type: 'run' });
      const message = await done;
      if (message.type !== 'done') throw new Error(`bench feed failed: ${JSON.stringify(message)}`);
      return message.result;
    },
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ type: 'close' });
      await exited;
    },
  };
}

async function childMain(options: BenchFeedOptions): Promise<void> {
  const feed = await startInProcessFeed(options);
  process.send!({
    type: 'listening',
    wsUrl: feed.wsUrl,
    symbols: [...feed.symbols],
  } satisfies ChildMessage);
  process.on('message', (message: { type: string }) => {
    if (message.type === 'run') {
      feed
        .run()
        .then((result) => process.send!({ type: 'done', result } satisfies ChildMessage))
        .catch((error: unknown) =>
          process.send!({ type: 'error', message: String(error) } satisfies ChildMessage),
        );
    } else if (message.type === 'close') {
      void feed.close().then(() => process.exit(0));
    }
  });
  // The parent died: do not linger.
  process.once('disconnect', () => void feed.close().then(() => process.exit(0)));
}

if (require.main === module && process.argv[2] === '--child') {
  childMain(JSON.parse(process.argv[3]) as BenchFeedOptions).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
