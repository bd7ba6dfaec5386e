import { existsSync } from 'node:fs';
import path from 'node:path';
import type { AppConfig } from './config';
import type { TickSource } from './domain/tick';
import type { Ingest, IngestOptions } from './ingest/create-ingest';
import { lastSessionBefore, SessionPreload } from './ingest/history/session-preload';
import type { MassiveSimulator } from './ingest/simulator/massive-simulator';
import type { Logger } from './logger';
import type { OhlcvRepository } from './repositories/ohlcv.repository';

/**
 * What every composition (ROLE=all, ingest, api) takes from the configuration alike: the feed
 * endpoint (Massive or the built-in simulator), its ingest ports, the dashboard's files.
 */

/** How long stop() waits for the bar writer to drain. */
export const DRAIN_TIMEOUT_MS = 30_000;

export interface FeedEndpoint {
  wsUrl: string;
  restUrl: string;
  apiKey: string;
  symbols: string[];
  source: TickSource;
  /** Accelerated simulator time runs ahead of the wall clock. */
  maxFutureMs: number;
  /** The simulator never goes quiet; the real feed does when markets are closed. */
  noDataTimeoutMs: number;
}

/** The live feed and its REST backfill, as ingest ports. */
export function feedPorts(
  config: AppConfig,
  feed: FeedEndpoint,
  simulator: MassiveSimulator | null,
): Pick<IngestOptions, 'feed' | 'backfill' | 'corrections' | 'clock'> {
  return {
    corrections: {
      windowMs: config.correctionWindowMs,
      reconcileSymbols: config.reconcileSymbols,
      requestsPerMinute: config.reconcileRequestsPerMinute,
    },
    // Re-checks fall due on the feed's clock: the simulator's own (it may be accelerated);
    // for Massive, ingest's feed clock (feed time, the wall clock when quiet).
    ...(simulator ? { clock: () => simulator.now() } : {}),
    feed: {
      wsUrl: feed.wsUrl,
      apiKey: feed.apiKey,
      symbols: feed.symbols,
      connections: config.maxConnections,
      source: feed.source,
      maxFutureMs: feed.maxFutureMs,
      noDataTimeoutMs: config.feedNoDataTimeoutMs ?? feed.noDataTimeoutMs,
      pingIntervalMs: config.feedPingIntervalMs,
      evictionLimit: config.feedEvictionLimit,
      evictionWindowMs: config.feedEvictionWindowMs,
      maxConnectionsBackoffMs: config.feedEvictionBackoffMs,
    },
    backfill: {
      restUrl: feed.restUrl,
      apiKey: feed.apiKey,
      source: feed.source,
      maxFutureMs: feed.maxFutureMs,
      maxMinutes: config.backfillMaxMinutes,
    },
  };
}

/** The simulator's history option: the last whole session before now, when wanted. */
export function simulatorHistory(
  config: AppConfig,
  nowMs: number,
): { history?: { fromMs: number; toMs: number } } {
  if (config.simHistorySessions === 0) return {};
  const { fromMs, toMs } = lastSessionBefore(nowMs);
  return { history: { fromMs, toMs } };
}

/**
 * Loads the simulator's history session into the database in the background (after the
 * service is up), unless it is stored already; null when there is nothing to preload.
 */
export function startSessionPreload(
  config: AppConfig,
  simulator: MassiveSimulator | null,
  ingest: Ingest,
  ohlcv: OhlcvRepository,
  logger: Logger,
): SessionPreload | null {
  const client = ingest.backfillClient;
  if (simulator === null || client === null || config.simHistorySessions === 0) return null;
  const history = simulator.history();
  if (history === null) return null;
  const preload = new SessionPreload({
    symbols: simulator.symbols,
    session: { ...history, day: lastSessionBefore(history.toMs).day },
    pending: () => simulator.historyPending(),
    symbolsWithMinutes: (symbols, fromMs, toMs) => ohlcv.symbolsWithMinutes(symbols, fromMs, toMs),
    fetchMinuteBars: (symbol, fromMs, toMs) => client.fetchMinuteBars(symbol, fromMs, toMs),
    replaceMinuteBars: (bars) => ingest.writer.writeRestBars(bars, 'final'),
    logger: logger.child({ component: 'history' }),
  });
  void preload.start();
  return preload;
}

export function simulatorSymbols(config: AppConfig): { symbols?: string[] } {
  return config.symbols[0] === '*' ? {} : { symbols: config.symbols };
}

export async function resolveFeed(
  config: AppConfig,
  simulator: MassiveSimulator | null,
): Promise<FeedEndpoint> {
  if (simulator === null) {
    return {
      wsUrl: config.massiveWsUrl,
      restUrl: config.massiveRestUrl,
      apiKey: config.massiveApiKey ?? '',
      symbols: config.symbols,
      source: 'massive',
      maxFutureMs: 5 * 60_000,
      noDataTimeoutMs: 0,
    };
  }
  const { wsUrl, restUrl } = await simulator.start(0);
  return {
    wsUrl,
    restUrl,
    apiKey: 'simulator',
    symbols: [...simulator.symbols],
    source: 'simulator',
    // An accelerated simulator runs ahead of the wall clock; allow a day of it.
    maxFutureMs: Math.max(5 * 60_000, config.simulator.acceleration * 24 * 3_600_000),
    noDataTimeoutMs: 30_000,
  };
}

/** dist/web of this checkout, whether running from dist/ (npm start) or from sources (tests). */
export function defaultStaticDir(): string | undefined {
  for (const candidate of [
    path.resolve(__dirname, '..', 'web'),
    path.resolve(__dirname, '..', 'dist', 'web'),
  ]) {
    if (existsSync(path.join(candidate, 'index.html'))) return candidate;
  }
  return undefined;
}
