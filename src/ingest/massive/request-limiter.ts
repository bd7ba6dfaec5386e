import { BackfillClosedError } from './errors';

export interface RequestLimiterOptions {
  /** Requests in flight at once. */
  maxConcurrent: number;
  /** Request starts per second; 0 = unlimited. Starts are spaced evenly (no bursts). */
  requestsPerSecond: number;
}

/**
 * A FIFO gate for outgoing requests: at most `maxConcurrent` in flight, starts spaced at
 * 1/requestsPerSecond. Simple on purpose: backfill is a trickle next to the live feed.
 */
export class RequestLimiter {
  private readonly intervalMs: number;
  private readonly queue: { resolve: () => void; reject: (error: Error) => void }[] = [];
  private active = 0;
  private nextStartAtMs = 0;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly options: RequestLimiterOptions) {
    if (!(options.maxConcurrent >= 1)) throw new RangeError('maxConcurrent must be >= 1');
    this.intervalMs = options.requestsPerSecond > 0 ? 1000 / options.requestsPerSecond : 0;
  }

  /** Waits for a slot; every acquire must be paired with one release. */
  acquire(): Promise<void> {
    if (this.closed) return Promise.reject(new BackfillClosedError());
    return new Promise((resolve, reject) => {
      this.queue.push({ resolve, reject });
      this.pump();
    });
  }

  release(): void {
    this.active = Math.max(0, this.active - 1);
    this.pump();
  }

  /** Rejects every waiter; later acquires fail at once. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const waiter of this.queue.splice(0)) waiter.reject(new BackfillClosedError());
  }

  get inFlight(): number {
    return this.active;
  }

  private pump(): void {
    if (this.timer || this.closed) return;
    while (this.queue.length > 0 && this.active < this.options.maxConcurrent) {
      const now = Date.now();
      if (now < this.nextStartAtMs) {
        this.timer = setTimeout(() => {
          this.timer = null;
          this.pump();
        }, this.nextStartAtMs - now);
        return;
      }
      this.active++;
      this.nextStartAtMs = now + this.intervalMs;
      this.queue.shift()!.resolve();
    }
  }
}
