import type { ApiPattern } from './types';

/**
 * Candle patterns are stamped with their bar's minute start but only exist once that minute
 * closes, i.e. after stream patterns with later timestamps were already seen. Polling from
 * exactly the newest timestamp would skip them, so each poll looks back this far (feed time)
 * and duplicates are dropped here.
 */
export const PATTERN_LOOKBACK_MS = 3 * 60_000;

export function patternKey(p: Pick<ApiPattern, 'symbol' | 'pattern' | 'timestamp'>): string {
  return `${p.symbol}|${p.pattern}|${Date.parse(p.timestamp)}`;
}

/** The pattern feed: newest first, unique by (symbol, pattern, timestamp), bounded. Pure. */
export class PatternStore {
  private list: ApiPattern[] = [];
  private readonly seen = new Set<string>();
  private newestMs: number | null = null;

  constructor(private readonly maxItems = 60) {}

  get items(): readonly ApiPattern[] {
    return this.list;
  }

  /**
   * False once the API refused our `since` (it rejects future times, and an accelerated
   * simulator's feed clock runs ahead of the wall clock): then each poll reads the newest page.
   */
  useSince = true;

  /** The `since` of the next poll: the newest timestamp seen minus the look-back. */
  get since(): string | null {
    if (!this.useSince || this.newestMs === null) return null;
    return new Date(this.newestMs - PATTERN_LOOKBACK_MS).toISOString();
  }

  /** Adds what is new; returns the keys added (for a highlight). */
  merge(patterns: readonly ApiPattern[]): string[] {
    const added: string[] = [];
    for (const p of patterns) {
      const ms = Date.parse(p.timestamp);
      if (!Number.isFinite(ms)) continue;
      const key = patternKey(p);
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      this.list.push(p);
      added.push(key);
      if (this.newestMs === null || ms > this.newestMs) this.newestMs = ms;
    }
    if (added.length === 0) return added;
    this.list.sort((a, b) => Date.parse(b.timestamp) - Date.parse(a.timestamp));
    if (this.list.length > this.maxItems) {
      for (const dropped of this.list.splice(this.maxItems)) this.seen.delete(patternKey(dropped));
    }
    return added.filter((key) => this.seen.has(key));
  }
}
