import type { Logger } from '../../logger';
import type { RejectReason, TickData, TickSource } from '../../domain/tick';
import type { BackoffPolicy } from '../../lib/backoff';
import type { MassiveError } from './errors';

/** Tunables of one socket. Every field has a default in DEFAULT_CONNECTION_OPTIONS. */
export interface ConnectionTuning {
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
  pingIntervalMs: 10_000,
  maxMissedPongs: 2,
  noDataTimeoutMs: 0,
  maxFutureMs: 5 * 60_000,
  closeGraceMs: 1_000,
});

/** Minutes this socket may have missed: feed-time window starts, Unix ms. */
export interface FeedGap {
  connectionId: number;
  /** The socket's symbols (for `*`: every symbol it has seen). */
  symbols: string[];
  /** Window start of the last event before the drop (or the drop time if there was none). */
  fromMs: number;
  /** Window start of the first event after the new session went live. */
  toMs: number;
  /** Why the session that opened the gap ended. */
  reason: string;
}

export interface ConnectionCallbacks {
  /** Valid ticks of one frame, called synchronously per frame. Must not throw (it is guarded anyway). */
  onTicks(ticks: TickData[]): void;
  onReject?(reason: RejectReason, detail: string): void;
  /** Per frame with data: how many data elements it carried (valid or not), for stats. */
  onFrame?(dataCount: number): void;
  onGap?(gap: FeedGap): void;
  /** A failure that stops this socket for good (auth_failed, unusable URL). */
  onFatal?(error: MassiveError): void;
}

export interface MassiveConnectionOptions extends Partial<ConnectionTuning>, ConnectionCallbacks {
  id: number;
  url: string;
  apiKey: string;
  /** Symbols to subscribe (`['*']` for all). */
  symbols: readonly string[];
  source: TickSource;
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
