/**
 * Ticks per second from successive `ticksProcessed` readings, averaged over a short window so
 * one slow poll does not make the figure jump. Pure: the caller supplies the clock.
 */
export class TickRate {
  private readings: { count: number; atMs: number }[] = [];

  constructor(private readonly windowMs = 10_000) {}

  /** Records a reading and returns the rate, or null until two readings exist. */
  add(count: number, atMs: number): number | null {
    const last = this.readings[this.readings.length - 1];
    // A lower count means the service restarted: start over rather than report a negative rate.
    if (last !== undefined && (count < last.count || atMs <= last.atMs)) this.readings = [];
    this.readings.push({ count, atMs });
    while (this.readings.length > 2 && atMs - this.readings[1].atMs >= this.windowMs)
      this.readings.shift();
    return this.rate();
  }

  rate(): number | null {
    if (this.readings.length < 2) return null;
    const first = this.readings[0];
    const last = this.readings[this.readings.length - 1];
    return ((last.count - first.count) * 1000) / (last.atMs - first.atMs);
  }

  reset(): void {
    this.readings = [];
  }
}
