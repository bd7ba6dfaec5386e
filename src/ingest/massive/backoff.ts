/**
 * Capped exponential backoff with full jitter ("Exponential Backoff And Jitter", AWS
 * architecture blog): spreading retries uniformly over [floor, cap] keeps a fleet of clients
 * that lost the server at the same moment from reconnecting in lockstep.
 */
export interface BackoffPolicy {
  /** Smallest delay, also the base of the exponent. */
  minMs: number;
  /** Upper bound of the exponential envelope. */
  maxMs: number;
  /** Growth per attempt (2 = doubling). */
  factor: number;
}

/**
 * Delay before retry number `attempt` (0-based): uniform in [minMs, min(maxMs, minMs·factor^attempt)].
 * `random` must return [0, 1); injectable so tests are deterministic.
 */
export function backoffDelay(
  policy: BackoffPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const envelope = Math.min(
    policy.maxMs,
    policy.minMs * Math.pow(policy.factor, Math.max(0, attempt)),
  );
  const upper = Math.max(policy.minMs, envelope);
  return Math.round(policy.minMs + random() * (upper - policy.minMs));
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
