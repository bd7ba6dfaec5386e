import type { ApiBar } from './types';

/** A bar as the chart wants it: `time` in UTC seconds (lightweight-charts' UTCTimestamp). */
export interface ChartBar {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/**
 * What the chart must do after a merge: nothing; update these bars in place / append them
 * (`historical` marks an existing bar older than the newest); or redraw everything.
 */
export type MergeResult =
  | { kind: 'none' }
  | { kind: 'update'; bars: { bar: ChartBar; historical: boolean }[] }
  | { kind: 'reset'; bars: readonly ChartBar[] }
  /** The poll came back full: minutes between may be missing, so reload the window. */
  | { kind: 'gap' };

/** Converts one API bar; null when it is unusable (bad time or non-finite numbers). */
export function toChartBar(bar: ApiBar): ChartBar | null {
  const ms = Date.parse(bar.timestamp);
  const values = [bar.open, bar.high, bar.low, bar.close, bar.volume];
  if (!Number.isFinite(ms) || values.some((v) => typeof v !== 'number' || !Number.isFinite(v)))
    return null;
  return {
    time: Math.floor(ms / 1000),
    open: bar.open,
    high: bar.high,
    low: bar.low,
    close: bar.close,
    volume: bar.volume,
  };
}

function sameBar(a: ChartBar, b: ChartBar): boolean {
  return (
    a.open === b.open &&
    a.high === b.high &&
    a.low === b.low &&
    a.close === b.close &&
    a.volume === b.volume
  );
}

/**
 * The bars of one symbol the chart shows, ordered by time, unique per minute. Pure: it only
 * decides what changed; the chart view applies it. Incremental polls ask for
 * `since = newest bar` (inclusive) so the in-progress minute comes back and is merged in place.
 */
export class BarStore {
  private readonly list: ChartBar[] = [];
  private newestIso: string | null = null;

  constructor(
    readonly symbol: string,
    /** Scroll-back keeps history: generous, yet bounded. */
    private readonly maxBars = 50_000,
  ) {}

  get bars(): readonly ChartBar[] {
    return this.list;
  }

  get newest(): ChartBar | undefined {
    return this.list[this.list.length - 1];
  }

  /** The `since` argument of the next poll: the newest bar's timestamp exactly as the API sent it. */
  get since(): string | null {
    return this.newestIso;
  }

  /** Replaces everything (initial load, symbol switch, gap reload). */
  load(apiBars: readonly ApiBar[]): readonly ChartBar[] {
    this.list.length = 0;
    this.newestIso = null;
    this.apply(apiBars);
    return this.list;
  }

  /**
   * Puts older bars (oldest → newest, all before the oldest shown) in front; returns how many
   * were added. Bars not older than the oldest shown are ignored (they are already there).
   */
  prepend(apiBars: readonly ApiBar[]): number {
    const oldest = this.list[0];
    const older: ChartBar[] = [];
    for (const apiBar of apiBars) {
      if (apiBar.symbol !== this.symbol) continue;
      const bar = toChartBar(apiBar);
      if (bar === null) continue;
      if (oldest !== undefined && bar.time >= oldest.time) continue;
      if (older.length > 0 && bar.time <= older[older.length - 1].time) continue;
      older.push(bar);
    }
    this.list.unshift(...older);
    if (this.list.length > 0 && this.newestIso === null && apiBars.length > 0)
      this.newestIso = apiBars[apiBars.length - 1].timestamp;
    return older.length;
  }

  /** The start of the bar holding `seconds`, if one is shown within `maxSeconds` before it. */
  barTimeAt(seconds: number, maxSeconds: number): number | null {
    const index = this.indexOf(seconds);
    const at = index >= 0 ? index : -index - 2;
    if (at < 0) return null;
    const time = this.list[at].time;
    return seconds - time < maxSeconds ? time : null;
  }

  /**
   * Merges one incremental poll's bars (oldest → newest, as `recentTicks` returns them). A full
   * answer that does not reach back to the newest bar shown means minutes in between are
   * missing (e.g. after a long pause): that is a gap, and the caller reloads.
   */
  merge(apiBars: readonly ApiBar[], requestedLimit: number): MergeResult {
    const newest = this.newest;
    const oldestMs = apiBars.length > 0 ? Date.parse(apiBars[0].timestamp) : NaN;
    if (
      newest !== undefined &&
      apiBars.length >= requestedLimit &&
      !(oldestMs <= newest.time * 1000)
    ) {
      return { kind: 'gap' };
    }
    const before = this.list.length;
    const { changed, inserted } = this.apply(apiBars);
    if (inserted || this.list.length > this.maxBars) {
      if (this.list.length > this.maxBars) this.list.splice(0, this.list.length - this.maxBars);
      return { kind: 'reset', bars: this.list };
    }
    if (before === 0 && this.list.length > 0) return { kind: 'reset', bars: this.list };
    return changed.length === 0 ? { kind: 'none' } : { kind: 'update', bars: changed };
  }

  private apply(apiBars: readonly ApiBar[]): {
    changed: { bar: ChartBar; historical: boolean }[];
    inserted: boolean;
  } {
    const changed: { bar: ChartBar; historical: boolean }[] = [];
    let inserted = false;
    for (const apiBar of apiBars) {
      if (apiBar.symbol !== this.symbol) continue; // a late answer for another symbol
      const bar = toChartBar(apiBar);
      if (bar === null) continue;
      const last = this.list[this.list.length - 1];
      if (last === undefined || bar.time > last.time) {
        this.list.push(bar);
        this.newestIso = apiBar.timestamp;
        changed.push({ bar, historical: false });
      } else if (bar.time === last.time) {
        if (!sameBar(bar, last)) {
          this.list[this.list.length - 1] = bar;
          changed.push({ bar, historical: false });
        }
      } else {
        const index = this.indexOf(bar.time);
        if (index >= 0) {
          if (!sameBar(bar, this.list[index])) {
            this.list[index] = bar;
            changed.push({ bar, historical: true });
          }
        } else {
          this.list.splice(-index - 1, 0, bar);
          inserted = true;
        }
      }
    }
    return { changed, inserted };
  }

  /** Binary search: the index of `time`, or -(insertion point) - 1. */
  private indexOf(time: number): number {
    let lo = 0;
    let hi = this.list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const t = this.list[mid].time;
      if (t === time) return mid;
      if (t < time) lo = mid + 1;
      else hi = mid - 1;
    }
    return -lo - 1;
  }
}
