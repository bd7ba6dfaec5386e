import type { Logger } from '../../logger';
import type { TickSource } from '../../domain/tick';
import type { BackoffPolicy } from '../../lib/backoff';
import type { EvictionPolicy } from './eviction-guard';
import type { FeedListener } from './feed-listener';

/** Tunables of one socket. Every field has a default in DEFAULT_CONNECTION_OPTIONS. */
export interface ConnectionTuning extends EvictionPolicy {
  /** From dialling until live (connected → auth → first subscription ack or event). */
  connectTimeoutMs: number;
  /** Symbols per subscribe message. */
  subscribeChunkSize: number;
  backoff: BackoffPolicy;
  /** A session must stay live this long before the retry counter resets. */
  stableUptimeMs: number;
  /** Base wait after `max_connections` (jittered to 50–100 % of it). */
  maxConnectionsBackoffMs: number;
  pingIntervalMs: number;
  maxMissedPongs: number;
  /** 0 = off. Off by default: the real feed is legitimately silent when markets are closed. */
  noDataTimeoutMs: number;
  /** How far ahead of the local clock a window may start (raise it for an accelerated simulator). */
  maxFutureMs: number;
  /** How long close() waits for the close handshake before terminating. */
  closeGraceMs: number;
}

export const DEFAULT_CONNECTION_OPTIONS: Readonly<ConnectionTuning> = Object.freeze({
  connectTimeoutMs: 10_000,
  subscribeChunkSize: 500,
  backoff: Object.freeze({ minMs: 500, maxMs: 30_000, factor: 2 }),
  stableUptimeMs: 30_000,
  maxConnectionsBackoffMs: 60_000,
  // Two evictions within 10 minutes: the other client is not a stale socket that went away.
  evictionLimit: 2,
  evictionWindowMs: 10 * 60_000,
  pingIntervalMs: 10_000,
  maxMissedPongs: 2,
  noDataTimeoutMs: 0,
  maxFutureMs: 5 * 60_000,
  closeGraceMs: 1_000,
});

export interface MassiveConnectionOptions extends Partial<ConnectionTuning> {
  id: number;
  url: string;
  apiKey: string;
  /** Symbols to subscribe (`['*']` for all). */
  symbols: readonly string[];
  source: TickSource;
  /** Where ticks, rejects, gaps and fatal errors go. */
  listener: FeedListener;
  logger?: Logger;
  /** [0, 1) source for jitter; injectable for tests. */
  random?: () => number;
}

/** The tuning fields of `options` over the defaults (undefined means "use the default"). */
export function pickTuning(options: Partial<ConnectionTuning>): ConnectionTuning {
  const tuning: Record<string, unknown> = { ...DEFAULT_CONNECTION_OPTIONS };
  for (const key of Object.keys(DEFAULT_CONNECTION_OPTIONS) as (keyof ConnectionTuning)[]) {
    if (options[key] !== undefined) tuning[key] = options[key];
  }
  return tuning as unknown as ConnectionTuning;
}
