/**
 * Liveness of one socket session: WebSocket pings that must be answered, plus an optional
 * no-data timeout. A half-open TCP connection or a server that stalls keeps the socket "open"
 * forever; only these checks notice it.
 */
export interface HeartbeatOptions {
  /** Interval between pings; 0 disables pings. */
  pingIntervalMs: number;
  /** Pings that may go unanswered before the session is declared dead. */
  maxMissedPongs: number;
  /** Longest silence (no message at all) tolerated; 0 disables it. */
  noDataTimeoutMs: number;
}

export type HeartbeatFailure = { kind: 'missed_pongs' | 'no_data'; detail: string };

export class Heartbeat {
  private pingTimer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private missedPongs = 0;
  private lastMessageAtMs = 0;
  private idleArmed = false;

  constructor(
    private readonly options: HeartbeatOptions,
    private readonly sendPing: () => void,
    private readonly onFailure: (failure: HeartbeatFailure) => void,
  ) {}

  /** Starts pinging (the socket is open). The no-data check waits for `armIdleCheck()`. */
  start(nowMs: number): void {
    this.stop();
    this.lastMessageAtMs = nowMs;
    this.missedPongs = 0;
    const { pingIntervalMs, maxMissedPongs, noDataTimeoutMs } = this.options;
    if (pingIntervalMs > 0) {
      this.pingTimer = setInterval(() => {
        if (this.missedPongs >= maxMissedPongs) {
          this.fail({ kind: 'missed_pongs', detail: `${this.missedPongs} pings unanswered` });
          return;
        }
        this.missedPongs++;
        this.sendPing();
      }, pingIntervalMs);
    }
    if (noDataTimeoutMs > 0) {
      // Checking at a quarter of the timeout bounds detection at 1.25× the timeout.
      this.idleTimer = setInterval(
        () => {
          if (!this.idleArmed) return;
          const silentMs = Date.now() - this.lastMessageAtMs;
          if (silentMs > noDataTimeoutMs)
            this.fail({ kind: 'no_data', detail: `no message for ${silentMs} ms` });
        },
        Math.max(10, Math.floor(noDataTimeoutMs / 4)),
      );
    }
  }

  /** The no-data timeout only applies once the session is live (before, the connect timeout does). */
  armIdleCheck(nowMs: number): void {
    this.idleArmed = true;
    this.lastMessageAtMs = nowMs;
  }

  onPong(): void {
    this.missedPongs = 0;
  }

  onMessage(nowMs: number): void {
    this.lastMessageAtMs = nowMs;
  }

  stop(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    if (this.idleTimer) clearInterval(this.idleTimer);
    this.pingTimer = null;
    this.idleTimer = null;
    this.idleArmed = false;
  }

  private fail(failure: HeartbeatFailure): void {
    this.stop();
    this.onFailure(failure);
  }
}
