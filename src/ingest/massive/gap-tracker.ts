import type { TickData } from '../../domain/tick';
import type { FeedGap } from './feed-listener';

/**
 * Which feed minutes one socket may have missed: remembers where data stopped when a session
 * ends and turns that into a FeedGap when data resumes. For a `*` subscription it also learns
 * the symbols the socket carries, since the gap must name them.
 */
export class GapTracker {
  private readonly seen = new Set<string>();
  private lastEventStartMs: number | null = null;
  private pending: { fromMs: number; reason: string } | null = null;

  constructor(
    private readonly connectionId: number,
    private readonly symbols: readonly string[],
    private readonly wildcard: boolean,
  ) {}

  /** Symbols the socket carries (for `*`: those seen so far). */
  get symbolCount(): number {
    return this.wildcard ? this.seen.size : this.symbols.length;
  }

  /** A session ended; the first drop of a run of failed sessions opens the gap. */
  onSessionEnded(reason: string, everLive: boolean): void {
    if (this.pending !== null) return;
    const fromMs = this.lastEventStartMs ?? (everLive ? Date.now() : null);
    if (fromMs !== null) this.pending = { fromMs, reason };
  }

  /**
   * The valid events of one frame (at least one); returns the gap they close, if any. Feed time
   * is the newest second seen: a re-broadcast correction carries an older second and must not
   * move it back (or end a gap before the minutes it missed).
   */
  onEvents(events: readonly TickData[]): FeedGap | null {
    let maxStart = events[0].startMs;
    for (let i = 0; i < events.length; i++) {
      const start = events[i].startMs;
      if (start > maxStart) maxStart = start;
      if (this.wildcard) this.seen.add(events[i].symbol);
    }
    if (this.lastEventStartMs === null || maxStart > this.lastEventStartMs)
      this.lastEventStartMs = maxStart;
    if (this.pending === null) return null;
    const gap: FeedGap = {
      connectionId: this.connectionId,
      symbols: this.wildcard ? [...this.seen] : [...this.symbols],
      fromMs: this.pending.fromMs,
      toMs: maxStart,
      reason: this.pending.reason,
    };
    this.pending = null;
    return gap;
  }
}
