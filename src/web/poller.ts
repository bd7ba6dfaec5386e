/**
 * Runs an async task every `intervalMs`, measured start to start, never overlapping: a slow
 * answer delays the next poll instead of stacking requests on a busy server. Pausing stops the
 * schedule; `triggerNow` polls at once (or right after the poll in flight).
 */
export class Poller {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private inFlight = false;
  private rerun = false;
  private pausedFlag = false;
  private stopped = false;

  constructor(
    private readonly task: () => Promise<void>,
    private intervalMs: number,
    private readonly onTaskError: (error: unknown) => void,
  ) {}

  get interval(): number {
    return this.intervalMs;
  }

  get paused(): boolean {
    return this.pausedFlag;
  }

  start(): void {
    this.triggerNow();
  }

  setInterval(ms: number): void {
    this.intervalMs = ms;
    if (!this.inFlight && !this.pausedFlag) this.schedule(ms);
  }

  pause(): void {
    this.pausedFlag = true;
    this.clearTimer();
  }

  resume(): void {
    this.pausedFlag = false;
    this.triggerNow();
  }

  /** Polls now; a poll already in flight is followed immediately by another one. */
  triggerNow(): void {
    if (this.stopped) return;
    if (this.inFlight) {
      this.rerun = true;
      return;
    }
    this.clearTimer();
    void this.run();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimer();
  }

  private async run(): Promise<void> {
    this.inFlight = true;
    const startedAt = Date.now();
    try {
      await this.task();
    } catch (error) {
      this.onTaskError(error);
    } finally {
      this.inFlight = false;
    }
    if (this.stopped) return;
    if (this.rerun) {
      this.rerun = false;
      this.triggerNow();
      return;
    }
    if (!this.pausedFlag) this.schedule(Math.max(0, startedAt + this.intervalMs - Date.now()));
  }

  private schedule(delayMs: number): void {
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.run();
    }, delayMs);
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
