import { backoffDelay } from '../../lib/backoff';
import type { ConnectionTuning } from './connection-options';

/**
 * When one socket dials again: capped exponential backoff with full jitter, a long jittered
 * wait after `max_connections`, and a retry counter that only a session staying live for
 * `stableUptimeMs` resets, so a flapping server keeps being backed off.
 */
export class ReconnectPolicy {
  private attempt = 0;
  private stableTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly tuning: Pick<
      ConnectionTuning,
      'backoff' | 'stableUptimeMs' | 'maxConnectionsBackoffMs'
    >,
    private readonly random: () => number,
  ) {}

  /** Failed attempts since the last stable session. */
  get attempts(): number {
    return this.attempt;
  }

  /** A session went live: arms the reset of the retry counter. */
  onLive(): void {
    this.stableTimer = setTimeout(() => {
      this.stableTimer = null;
      this.attempt = 0;
    }, this.tuning.stableUptimeMs);
  }

  /** The session ended (or the socket closes): it did not stay up long enough. */
  onSessionEnded(): void {
    if (this.stableTimer) clearTimeout(this.stableTimer);
    this.stableTimer = null;
  }

  /** The wait before the next dial; counts the attempt. */
  nextDelay(maxConnectionsRefused: boolean): number {
    const delay = maxConnectionsRefused
      ? backoffDelay(
          {
            minMs: this.tuning.maxConnectionsBackoffMs / 2,
            maxMs: this.tuning.maxConnectionsBackoffMs,
            factor: 2,
          },
          1,
          this.random,
        )
      : backoffDelay(this.tuning.backoff, this.attempt, this.random);
    this.attempt++;
    return delay;
  }
}
