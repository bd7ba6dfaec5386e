/** When repeated evictions mean "another client is using this key" (see EvictionGuard). */
export interface EvictionPolicy {
  /**
   * Evictions (`max_connections`) within `evictionWindowMs` after which the socket stops for
   * good instead of reconnecting; 0 = never stop (keep backing off long).
   */
  evictionLimit: number;
  evictionWindowMs: number;
}

/**
 * Counts the evictions of one socket in a sliding window. Massive evicts the OLDEST socket on
 * a key when a newer one authenticates, so two processes on one key evict each other in turn
 * forever, each leaving gaps; the one that sees `evictionLimit` evictions within the window
 * stops, and the other keeps the feed. Pure: time is passed in.
 */
export class EvictionGuard {
  private readonly times: number[] = [];

  constructor(private readonly policy: EvictionPolicy) {}

  /** Evictions within the window ending at the last one recorded. */
  get recent(): number {
    return this.times.length;
  }

  /** Records an eviction at `nowMs`; true when it reaches the limit within the window (stop). */
  evicted(nowMs: number): boolean {
    this.times.push(nowMs);
    while (this.times.length > 0 && nowMs - this.times[0] >= this.policy.evictionWindowMs)
      this.times.shift();
    return this.policy.evictionLimit > 0 && this.times.length >= this.policy.evictionLimit;
  }
}
