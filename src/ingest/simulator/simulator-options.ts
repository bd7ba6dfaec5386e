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
  /** `realtime`: feed time follows the wall clock × acceleration; `manual`: only `advance()` moves it. */
  clock: 'realtime' | 'manual';
  /** How often the realtime clock generates the seconds that elapsed. */
  tickIntervalMs: number;
  maxEventsPerFrame: number;
  /** The only key accepted; null accepts any non-empty key. */
  apiKey: string | null;
  /** Authenticated sockets allowed per key; more get `max_connections`. */
  maxConnections: number;
  /** REST page size cap (below the request's `limit`), to exercise `next_url`. */
  restPageSize: number;
  /**
   * Minutes of bars the REST endpoint keeps (~80 bytes per symbol-minute that traded: 10,000
   * busy symbols × 120 min ≈ 100 MB). Bounds how long a gap the simulator can backfill.
   */
  retainMinutes: number;
  /** Every generated batch (whether or not anyone is subscribed). */
  onEventsGenerated?: (events: readonly SimAggregate[]) => void;
  /** Every frame of events actually written to a socket. */
  onEventsSent?: (clientId: number, events: SimAggregate[]) => void;
  logger?: Logger;
}

export const DEFAULT_SIMULATOR_OPTIONS: Readonly<SimulatorOptions> = Object.freeze({
  symbolCount: 50,
  eventsPerSecond: 50,
  acceleration: 1,
  seed: 42,
  clock: 'realtime',
  tickIntervalMs: 50,
  maxEventsPerFrame: 5_000,
  apiKey: null,
  maxConnections: Number.POSITIVE_INFINITY,
  restPageSize: 50_000,
  retainMinutes: 120,
});
