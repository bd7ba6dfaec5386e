import type { Logger } from '../../logger';
import type { RejectReason, TickSource } from '../../domain/tick';
import type { BackoffPolicy } from '../../lib/backoff';

export interface BackfillClientTuning {
  maxConcurrent: number;
  /** Request starts per second across all calls; 0 = unlimited. */
  requestsPerSecond: number;
  /** Tries per request (first try included) for 429/5xx/network errors. */
  maxAttempts: number;
  retryBackoff: BackoffPolicy;
  /** Longest Retry-After honoured; longer ones are clamped to this. */
  maxRetryAfterMs: number;
  requestTimeoutMs: number;
  /** `limit` query parameter (Massive's maximum is 50,000). */
  pageLimit: number;
  /** Guard against a `next_url` loop. */
  maxPages: number;
  /** Bars may start this far ahead of the local clock (raise it for an accelerated simulator). */
  maxFutureMs: number;
}

export const DEFAULT_BACKFILL_CLIENT_OPTIONS: Readonly<BackfillClientTuning> = Object.freeze({
  maxConcurrent: 4,
  requestsPerSecond: 10,
  maxAttempts: 6,
  retryBackoff: Object.freeze({ minMs: 500, maxMs: 30_000, factor: 2 }),
  maxRetryAfterMs: 120_000,
  requestTimeoutMs: 30_000,
  pageLimit: 50_000,
  maxPages: 1_000,
  maxFutureMs: 5 * 60_000,
});

export interface BackfillClientOptions extends Partial<BackfillClientTuning> {
  /** e.g. `https://api.massive.com` or the simulator's restUrl. */
  restUrl: string;
  apiKey: string;
  /** Recorded in validation (TickData.source). */
  source?: TickSource;
  logger?: Logger;
  random?: () => number;
}

/** The client's status(): BackfillStatus's `requests`, `failures`, `lastError`, and more detail. */
export interface BackfillClientStatus {
  requests: number;
  retries: number;
  pages: number;
  /** fetchMinuteBars calls that failed for good. */
  failures: number;
  barsFetched: number;
  barsRejected: number;
  rejectedByReason: Partial<Record<RejectReason, number>>;
  lastError: string | null;
  lastRequestAt: string | null;
}

/** The tuning fields of `options` over the defaults (undefined means "use the default"). */
export function pickBackfillTuning(options: Partial<BackfillClientTuning>): BackfillClientTuning {
  const tuning: Record<string, unknown> = { ...DEFAULT_BACKFILL_CLIENT_OPTIONS };
  for (const key of Object.keys(
    DEFAULT_BACKFILL_CLIENT_OPTIONS,
  ) as (keyof BackfillClientTuning)[]) {
    if (options[key] !== undefined) tuning[key] = options[key];
  }
  return tuning as unknown as BackfillClientTuning;
}
