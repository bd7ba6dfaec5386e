import type { Logger } from '../../logger';
import type { SimAggregate } from './generator';

export interface SimulatorOptions {
  /** Explicit symbols; default: `symbolCount` symbols of the default universe (then SYM0001…). */
  symbols?: readonly string[];
  symbolCount: number;
  /** Events per feed second across all symbols (at most one per symbol per second). */
  eventsPerSecond: number;
  /** Feed seconds per wall second (realtime clock). */
  acceleration: number;
  seed: number;
  /** Feed time of the first generated second; default: now, floored to the second. */
  startMs?: number;
  /**
   * A past stretch of feed time, [fromMs, toMs) with toMs ≤ startMs, generated before the live
   * feed into REST only (never broadcast), so a fresh database can load it as history. The walk
   * continues from it into the live feed; REST keeps it besides `retainMinutes`.
   */
  history?: { fromMs: number; toMs: number };
  /** `realtime`: feed time follows the wall clock × acceleration; `manual`: only `advance()` moves it. */
  clock: 'realtime' | 'manual';
  /** How often the realtime clock generates the seconds that elapsed. */
  tickIntervalMs: number;
  maxEventsPerFrame: number;
  /** The only key accepted; null accepts any non-empty key. */
  apiKey: string | null;
  /**
   * Authenticated sockets per key. Like Massive, a newer socket that authenticates beyond the
   * limit EVICTS the oldest (`max_connections`, then close); the newcomer is served.
   */
  maxConnections: number;
  /** Wall ms a socket may stay unauthenticated before `auth_timeout` and close (0 = never). */
  authTimeoutMs: number;
  /**
   * Fraction of seconds re-broadcast later with changed values (late trades), like Massive's
   * corrections; 0 = never.
   */
  correctionRate: number;
  /**
   * A correction of second `s` goes out between `e + correctionMinDelayMs` and
   * `s + correctionMaxDelayMs` of feed time (skewed towards the early end). Massive holds a
   * second for 15 minutes; a larger maximum models trades later than that.
   */
  correctionMinDelayMs: number;
  correctionMaxDelayMs: number;
  /** Chance that a corrected second is corrected once more (while its delay window lasts). */
  correctionRepeatRate: number;
  /**
   * REST publishes a minute `lag` ms of feed time after it ends, `lag` deterministic per
   * (symbol, minute) in [restLagMinMs, restLagMaxMs]. It then serves the minute with every
   * correction broadcast so far, so it is final once the correction window has passed.
   */
  restLagMinMs: number;
  restLagMaxMs: number;
  /** REST page size cap (below the request's `limit`), to exercise `next_url`. */
  restPageSize: number;
  /**
   * Minutes of bars the REST endpoint keeps (~80 bytes per symbol-minute that traded: 10,000
   * busy symbols × 120 min ≈ 100 MB). Bounds how long a gap the simulator can backfill.
   */
  retainMinutes: number;
  /**
   * Every event broadcast in one feed second, first versions and corrections alike, with the
   * feed time it went out at (the end of that second). A correction is an event whose `e` is
   * before `broadcastMs`; the latest broadcast version of a (sym, s) is its truth. Called
   * whether or not anyone is subscribed.
   */
  onEventsGenerated?: (events: readonly SimAggregate[], broadcastMs: number) => void;
  /** Every frame of events actually written to a socket. */
  onEventsSent?: (clientId: number, events: SimAggregate[]) => void;
  logger?: Logger;
}

/** Defaults close to the real feed (one socket per key, 2 % corrections, REST lagging ≤ 2 min). */
export const DEFAULT_SIMULATOR_OPTIONS: Readonly<SimulatorOptions> = Object.freeze({
  symbolCount: 50,
  eventsPerSecond: 50,
  acceleration: 1,
  seed: 42,
  clock: 'realtime',
  tickIntervalMs: 50,
  maxEventsPerFrame: 5_000,
  apiKey: null,
  maxConnections: 1,
  authTimeoutMs: 10_000,
  correctionRate: 0.02,
  correctionMinDelayMs: 2_000,
  correctionMaxDelayMs: 15 * 60_000,
  correctionRepeatRate: 0.25,
  restLagMinMs: 2_000,
  restLagMaxMs: 120_000,
  restPageSize: 50_000,
  retainMinutes: 120,
});

/**
 * The idealised feed older tests were written against: every second broadcast once, REST
 * complete the moment a minute ends. Spread it into a test's options when the test is about
 * something else (sockets, pooling, paging) and must not meet corrections or REST lag.
 */
export const IDEAL_FEED: Readonly<
  Pick<SimulatorOptions, 'correctionRate' | 'restLagMinMs' | 'restLagMaxMs'>
> = Object.freeze({ correctionRate: 0, restLagMinMs: 0, restLagMaxMs: 0 });

/** Throws a RangeError naming the first option that cannot work. */
export function validateSimulatorOptions(options: SimulatorOptions): void {
  const fail = (message: string): never => {
    throw new RangeError(`simulator: ${message}`);
  };
  if (!(options.correctionRate >= 0 && options.correctionRate <= 0.5))
    fail(`correctionRate must be in 0..0.5 (got ${options.correctionRate})`);
  if (!(options.correctionRepeatRate >= 0 && options.correctionRepeatRate < 1))
    fail(`correctionRepeatRate must be in [0, 1) (got ${options.correctionRepeatRate})`);
  // A correction goes out in a later feed second than its first version, and within its window.
  if (!Number.isInteger(options.correctionMinDelayMs) || options.correctionMinDelayMs < 1_000)
    fail(`correctionMinDelayMs must be an integer >= 1000 (got ${options.correctionMinDelayMs})`);
  if (
    !Number.isInteger(options.correctionMaxDelayMs) ||
    options.correctionMaxDelayMs < options.correctionMinDelayMs + 1_000 ||
    options.correctionMaxDelayMs > 24 * 3_600_000
  )
    fail(
      `correctionMaxDelayMs must be an integer in correctionMinDelayMs + 1000 .. 1 day (got ${options.correctionMaxDelayMs})`,
    );
  if (!(options.restLagMinMs >= 0 && options.restLagMaxMs >= options.restLagMinMs))
    fail(
      `need 0 <= restLagMinMs <= restLagMaxMs (got ${options.restLagMinMs}, ${options.restLagMaxMs})`,
    );
  if (!(options.maxConnections >= 1))
    fail(`maxConnections must be >= 1 (got ${options.maxConnections})`);
  if (!(options.authTimeoutMs >= 0))
    fail(`authTimeoutMs must be >= 0 (got ${options.authTimeoutMs})`);
  const history = options.history;
  if (
    history !== undefined &&
    !(
      Number.isInteger(history.fromMs) &&
      Number.isInteger(history.toMs) &&
      history.fromMs < history.toMs &&
      (options.startMs === undefined || history.toMs <= options.startMs)
    )
  )
    fail(
      `history must be integer ms with fromMs < toMs <= startMs (got ${JSON.stringify(history)})`,
    );
}
