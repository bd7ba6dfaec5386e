import { existsSync } from 'node:fs';
import path from 'node:path';
import type { AppConfig } from './config';
import type { TickSource } from './domain/tick';
import type { IngestOptions } from './ingest/create-ingest';
import type { MassiveSimulator } from './ingest/simulator/massive-simulator';

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
