/**
 * The one retry-delay rule of the service: a capped exponential envelope with jitter below it
 * ("Exponential Backoff And Jitter", AWS architecture blog). Spreading retries over a band keeps
 * clients that lost the same server at the same moment from coming back in lockstep.
 */
export interface BackoffPolicy {
  /** Smallest delay, also the base of the exponent (the envelope of attempt 0). */
  minMs: number;
  /** Upper bound of the exponential envelope. */
  maxMs: number;
  /** Growth per attempt (2 = doubling). */
  factor: number;
  /**
   * How much of the envelope is random: 1 (the default, "full jitter") spreads over
   * [minMs, envelope]; 0.5 over [envelope/2, envelope]; 0 is exactly the envelope. The band
   * never reaches below minMs.
   */
  jitter?: number;
}

/**
 * Delay before retry number `attempt` (0-based): uniform in
 * [max(minMs, envelope·(1 − jitter)), envelope], envelope = min(maxMs, minMs·factor^attempt).
 * `random` must return [0, 1); injectable so tests are deterministic.
 */
export function backoffDelay(
  policy: BackoffPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const growth = Math.pow(policy.factor, Math.max(0, attempt));
  const envelope = Number.isFinite(growth) ? policy.minMs * growth : Infinity;
  const upper = Math.max(policy.minMs, Math.min(policy.maxMs, envelope));
  const lower = Math.max(policy.minMs, upper * (1 - (policy.jitter ?? 1)));
  return Math.round(lower + random() * (upper - lower));
}

/**
 * Parses an HTTP `Retry-After` header (delta seconds or an HTTP date) into milliseconds from
 * `nowMs`; null when absent or unparseable.
 */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (trimmed === '') return null;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - nowMs);
}
