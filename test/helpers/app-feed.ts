import { MINUTE_MS, minuteStart } from '../../src/domain/minute-bar';
import type { SimAggregate } from '../../src/ingest/simulator/generator';
import {
  IDEAL_FEED,
  MassiveSimulator,
  type SimulatorOptions,
} from '../../src/ingest/simulator/massive-simulator';
import { BarOracle, fromSimAggregate, type OracleBar } from '../../testkit/bar-oracle';
import { waitFor } from '../../testkit/wait';

/** The key every app-level test gives the app and the external simulator. */
export const FEED_API_KEY = 'app-test-key';

/**
 * What an external simulator generated and what it wrote to each client socket, so a test can
 * derive, independently of the app, which bars must be stored.
 */
/** One frame the simulator wrote to a client socket. */
export interface SentFrame {
  clientId: number;
  events: readonly SimAggregate[];
}

export class FeedRecorder {
  readonly generated: SimAggregate[] = [];
  /** Every frame written to a socket, in order. */
  readonly sent: SentFrame[] = [];

  readonly hooks: Pick<SimulatorOptions, 'onEventsGenerated' | 'onEventsSent'> = {
    onEventsGenerated: (events) => {
      for (const event of events) this.generated.push(event);
    },
    onEventsSent: (clientId, events) => {
      this.sent.push({ clientId, events });
    },
  };

  sentCount(clientId?: number): number {
    let total = 0;
    for (const frame of this.sent)
      if (clientId === undefined || frame.clientId === clientId) total += frame.events.length;
    return total;
  }

  /** Client ids that received data, in the order they first did. */
  clientIds(): number[] {
    return [...new Set(this.sent.map((frame) => frame.clientId))];
  }

  /**
   * Minutes (per symbol) that a socket change left incomplete and that the app must backfill:
   * when a symbol moves from one client socket to the next, every minute from the one of the
   * last window sent on the old socket (it may be partial) through the one of the first frame on
   * the new socket. This mirrors the Massive client's gap rule from the outside: the old
   * session's newest window start, the new session's first frame.
   */
  gapMinutes(sent: readonly SentFrame[] = this.sent): Map<string, Set<number>> {
    const lastStart = new Map<number, number>();
    const firstFrameStart = new Map<number, number>();
    const clientsOf = new Map<string, number[]>();
    for (const { clientId, events } of sent) {
      let frameMin = Infinity;
      for (const event of events) {
        frameMin = Math.min(frameMin, event.s);
        lastStart.set(clientId, Math.max(lastStart.get(clientId) ?? -Infinity, event.s));
        const clients = clientsOf.get(event.sym) ?? [];
        if (clients[clients.length - 1] !== clientId) clients.push(clientId);
        clientsOf.set(event.sym, clients);
      }
      if (!firstFrameStart.has(clientId) && events.length > 0)
        firstFrameStart.set(clientId, frameMin);
    }
    const gaps = new Map<string, Set<number>>();
    for (const [symbol, clients] of clientsOf) {
      const minutes = new Set<number>();
      for (let i = 1; i < clients.length; i++) {
        const from = minuteStart(lastStart.get(clients[i - 1])!);
        const to = minuteStart(firstFrameStart.get(clients[i])!);
        for (let m = from; m <= to; m += MINUTE_MS) minutes.add(m);
      }
      if (minutes.size > 0) gaps.set(symbol, minutes);
    }
    return gaps;
  }

  /**
   * The truth of the real feed: every minute rolled up from the latest broadcast version of each
   * second (first versions and corrections), whatever the app was sent. `keep` selects minutes.
   */
  truthBars(keep: (minuteStartMs: number) => boolean): Map<string, OracleBar> {
    const truth = new BarOracle();
    for (const event of this.generated)
      if (keep(minuteStart(event.s))) truth.add(fromSimAggregate(event));
    return truth.bars();
  }

  /** Number of (symbol, minute) pairs in gapMinutes(). */
  gapMinuteCount(): number {
    let total = 0;
    for (const minutes of this.gapMinutes().values()) total += minutes.size;
    return total;
  }

  /**
   * The bars the database must hold, keyed by barKey(): a gap minute is the whole minute as
   * generated (REST backfill serves complete minutes; its VWAP has 4 decimals), every other
   * minute exactly what was written to the app's sockets. Minutes before the first or after the
   * last frame sent are not expected. `sent`: the frames the app took in (default: all sent;
   * fewer when a socket received frames its process never processed, e.g. frozen).
   */
  expectedBars(sent: readonly SentFrame[] = this.sent): Map<string, OracleBar> {
    const gaps = this.gapMinutes(sent);
    const inGap = (event: SimAggregate) => gaps.get(event.sym)?.has(minuteStart(event.s)) === true;
    const live = new BarOracle();
    for (const frame of sent)
      for (const event of frame.events) if (!inGap(event)) live.add(fromSimAggregate(event));
    const filled = new BarOracle();
    for (const event of this.generated) if (inGap(event)) filled.add(fromSimAggregate(event));
    const expected = live.bars();
    for (const [key, bar] of filled.bars())
      expected.set(key, { ...bar, vwap: bar.vwap === null ? null : round4(bar.vwap) });
    return expected;
  }
}

const round4 = (value: number) => Math.round(value * 10_000) / 10_000;

/**
 * Moves a manual-clock simulator forward `stepMs` of feed time every `intervalMs` of wall time
 * (1000/25 = 40× real time), and can stop at an exact feed time, so a test knows precisely what
 * was sent before it injects a fault. A late timer only slows the feed; nothing depends on speed.
 */
export class FeedDriver {
  private timer: NodeJS.Timeout | null = null;
  private untilMs = Infinity;

  constructor(
    private readonly sim: MassiveSimulator,
    private readonly stepMs = 1000,
    private readonly intervalMs = 25,
  ) {}

  /** Runs the feed until `untilMs` (feed time), or until pause(). */
  run(untilMs = Infinity): void {
    this.untilMs = untilMs;
    this.timer ??= setInterval(() => {
      this.sim.advance(Math.min(this.sim.now() + this.stepMs, this.untilMs));
      if (this.sim.now() >= this.untilMs) this.pause();
    }, this.intervalMs);
  }

  pause(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Runs the feed to exactly `untilMs` and pauses there. */
  async runUntil(untilMs: number, timeoutMs = 120_000): Promise<void> {
    this.run(untilMs);
    await waitFor(
      () => this.sim.now() >= untilMs,
      () => `feed time ${this.sim.now()} to reach ${untilMs}`,
      timeoutMs,
    );
  }
}

export interface ExternalFeed {
  sim: MassiveSimulator;
  recorder: FeedRecorder;
  driver: FeedDriver;
  /** Minute-aligned feed time of the first generated second. */
  startMs: number;
  wsUrl: string;
  restUrl: string;
  symbols: readonly string[];
  close(): Promise<void>;
}

/**
 * An external Massive simulator on port 0 with a manual clock driven by a FeedDriver. Feed time
 * starts `minutesAgo` minutes in the past (minute-aligned), so at 40× it stays behind the wall
 * clock for the whole test, as a real feed does. Every symbol trades every second.
 */
export async function startExternalFeed(
  options: {
    symbols?: readonly string[];
    minutesAgo?: number;
    seed?: number;
    /** Overrides of the ideal feed (e.g. corrections and REST lag like the real one). */
    real?: Partial<SimulatorOptions>;
    /** Sockets per key before the oldest is evicted (default 3; 1 = a plain Massive key). */
    maxConnections?: number;
  } = {},
): Promise<ExternalFeed> {
  const symbols = options.symbols ?? ['AAPL', 'AMZN', 'GOOGL', 'META', 'MSFT', 'NVDA'];
  const startMs = minuteStart(Date.now()) - (options.minutesAgo ?? 20) * MINUTE_MS;
  const recorder = new FeedRecorder();
  const sim = new MassiveSimulator({
    symbols,
    eventsPerSecond: symbols.length,
    seed: options.seed ?? 7,
    clock: 'manual',
    startMs,
    apiKey: FEED_API_KEY,
    // The app may run up to 3 sockets on the key; the expectations below are first-version.
    maxConnections: options.maxConnections ?? 3,
    ...IDEAL_FEED,
    ...options.real,
    ...recorder.hooks,
  });
  const { wsUrl, restUrl } = await sim.start(0);
  const driver = new FeedDriver(sim);
  return {
    sim,
    recorder,
    driver,
    startMs,
    wsUrl,
    restUrl,
    symbols,
    close: async () => {
      driver.pause();
      await sim.close();
    },
  };
}

/** The environment that points the app at an external feed (parse it with loadConfig). */
export function feedEnv(feed: ExternalFeed): Record<string, string> {
  return {
    MASSIVE_API_KEY: FEED_API_KEY,
    MASSIVE_WS_URL: feed.wsUrl,
    MASSIVE_REST_URL: feed.restUrl,
    SYMBOLS: feed.symbols.join(','),
  };
}
