/** The soak's set-up: knobs from the environment, the external simulator and the app on it. */
import path from 'node:path';
import pino from 'pino';
import { startApp, type RunningApp } from '../src/app';
import { loadConfig, type LogLevel } from '../src/config';
import { MassiveSimulator } from '../src/ingest/simulator/massive-simulator';
import { envNumber } from './lib/env';
import { SoakCoverage } from './soak-coverage';

export const ROOT = path.resolve(__dirname, '..', '..');
export const log = (line: string) =>
  console.log(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}`);

/** Heartbeat knobs for the app: a stall is noticed in ~2–4 s instead of ~30 s. */
export const PING_INTERVAL_MS = 1000;
export const RSS_SAMPLE_MS = 5000;
export const NO_DATA_TIMEOUT_MS = 3000;
export const SOAK_API_KEY = 'soak';

export interface Knobs {
  minutes: number;
  symbolCount: number;
  eventsPerSecond: number;
  acceleration: number;
  faultIntervalMs: number;
  /** Share of seconds the feed re-broadcasts with late trades (Massive's corrections). */
  correctionRate: number;
  logLevel: LogLevel;
  /** The hard stop: the fault minutes plus time to settle, stop and compare. */
  budgetMs: number;
}

export function readKnobs(): Knobs {
  const minutes = envNumber('SOAK_MINUTES', 3, 0.25, 120);
  const symbolCount = envNumber('SOAK_SYMBOLS', 200, 3, 5000);
  return {
    minutes,
    symbolCount,
    eventsPerSecond: envNumber(
      'SOAK_EVENTS_PER_SECOND',
      Math.round(symbolCount * 0.75),
      1,
      100_000,
    ),
    acceleration: envNumber('SOAK_ACCELERATION', 30, 1, 600),
    faultIntervalMs: envNumber('SOAK_FAULT_INTERVAL_S', 8, 1, 600) * 1000,
    correctionRate: envNumber('SOAK_CORRECTION_RATE', 0.02, 0, 0.5),
    logLevel: (process.env.SOAK_LOG_LEVEL ?? 'warn') as LogLevel,
    // Faults, then settling (the correction window in feed time), stop and compare.
    budgetMs: minutes * 60_000 + 300_000,
  };
}

/** The external feed, started far enough back that accelerated feed time never passes the clock. */
export async function startSimulator(knobs: Knobs) {
  const { budgetMs, acceleration } = knobs;
  const startMs =
    Math.floor((Date.now() - (budgetMs / 1000) * (acceleration - 1) * 1000) / 60_000) * 60_000 -
    60_000;
  let coverage: SoakCoverage | null = null;
  const sim = new MassiveSimulator({
    clock: 'realtime',
    acceleration,
    symbolCount: knobs.symbolCount,
    eventsPerSecond: knobs.eventsPerSecond,
    seed: 2024,
    startMs,
    apiKey: SOAK_API_KEY,
    maxConnections: 3,
    // REST must still hold a minute when its re-check comes (window + delay + budget backlog).
    retainMinutes: 240,
    // Like the real feed: corrections up to 15 min late, REST lagging up to 2 min (defaults).
    correctionRate: knobs.correctionRate,
    onEventsGenerated: (events, broadcastMs) => coverage?.onGenerated(events, broadcastMs),
    onEventsSent: (client, events) => coverage?.onSent(client, events),
  });
  coverage = new SoakCoverage(sim.symbols);
  const urls = await sim.start(0);
  return { sim, coverage, startMs, ...urls };
}

/** The real app on the simulator: 3 sockets, REST backfill, fast heartbeats. */
export function startSoakApp(
  knobs: Knobs,
  feed: { sim: MassiveSimulator; wsUrl: string; restUrl: string },
  databaseUrl: string,
  logger: pino.Logger,
): Promise<RunningApp> {
  const config = loadConfig({
    NODE_ENV: 'production',
    MASSIVE_API_KEY: SOAK_API_KEY,
    MASSIVE_WS_URL: feed.wsUrl,
    MASSIVE_REST_URL: feed.restUrl,
    DATABASE_URL: databaseUrl,
    PORT: '0',
    MAX_CONNECTIONS: '3',
    SYMBOLS: feed.sim.symbols.join(','),
    LOG_LEVEL: knobs.logLevel,
    FEED_PING_INTERVAL_MS: String(PING_INTERVAL_MS),
    FEED_NO_DATA_TIMEOUT_MS: String(NO_DATA_TIMEOUT_MS),
    // Evicted by the stranger fault: come back soon (the real default waits a minute).
    FEED_EVICTION_BACKOFF_MS: '1000',
    // The REST budget is per wall minute; feed time runs `acceleration`× faster here.
    RECONCILE_REQUESTS_PER_MINUTE: String(600 * knobs.acceleration),
  });
  return startApp(config, { logger });
}

export function appLoggerTo(file: string, level: LogLevel): pino.Logger {
  return pino(
    {
      level,
      base: { service: 'tickstock' },
      redact: { paths: ['apiKey', 'params', '*.apiKey', '*.params'], censor: '***' },
    },
    pino.destination({ dest: file, sync: false }),
  );
}
