import { BarStore } from './bar-store';
import type { ChartView } from './chart-view';
import type { ApiBar } from './types';

/** Bars loaded on a (re)load; incremental polls ask for at most POLL_BARS (a full answer may mean a gap). */
const INITIAL_BARS = 500;
const POLL_BARS = 100;
/**
 * When the API refuses `since` (it rejects times in the future, and an accelerated simulator's
 * feed clock runs ahead of the wall clock), polls ask for the newest WINDOW_BARS instead.
 */
const WINDOW_BARS = 10;

/** The bar part of one poll: the store it fills and what was asked. */
export interface BarRequest {
  store: BarStore;
  fullLoad: boolean;
  limit: number;
  /** null: the newest `limit` bars. */
  since: string | null;
}

/**
 * The selected symbol's bars: what each poll asks for (everything on a (re)load, since the
 * newest bar shown otherwise, a small window once `since` was refused) and how an answer lands
 * on the chart (merged in place, redrawn, or reloaded after a gap). An answer for a symbol
 * that is no longer shown is dropped.
 */
export class ChartFeed {
  private current: BarStore | null = null;
  private needsFullLoad = true;
  /** False once the API refused `since` for bars and polls read the newest page instead. */
  useSince = true;

  constructor(
    private readonly chart: ChartView,
    /** Bars were drawn; `refreshMarkers` when the pattern markers must be placed again. */
    private readonly onDrawn: (store: BarStore, refreshMarkers: boolean) => void,
    /** A gap was seen: poll again at once, for a full load. */
    private readonly reloadNow: () => void,
  ) {}

  get store(): BarStore | null {
    return this.current;
  }

  /** Starts over for another symbol: an empty chart, and a full load on the next poll. */
  show(symbol: string): void {
    this.current = new BarStore(symbol);
    this.needsFullLoad = true;
    this.chart.clear();
  }

  /** What the next poll asks for; null before a symbol is shown. */
  nextRequest(): BarRequest | null {
    const store = this.current;
    if (store === null) return null;
    const fullLoad = this.needsFullLoad;
    return {
      store,
      fullLoad,
      limit: fullLoad ? INITIAL_BARS : this.useSince ? POLL_BARS : WINDOW_BARS,
      since: fullLoad || !this.useSince ? null : store.since,
    };
  }

  apply(request: BarRequest, bars: ApiBar[]): void {
    const { store } = request;
    if (store !== this.current) return;
    if (request.fullLoad) {
      this.chart.setBars(store.load(bars));
      this.needsFullLoad = false;
      this.onDrawn(store, true);
      return;
    }
    const merged = store.merge(bars, request.limit);
    switch (merged.kind) {
      case 'none':
        return;
      case 'update':
        this.chart.updateBars(merged.bars);
        this.onDrawn(
          store,
          merged.bars.some((c) => c.bar.time === store.newest?.time && !c.historical),
        );
        return;
      case 'reset':
        this.chart.setBars(merged.bars);
        this.onDrawn(store, true);
        return;
      case 'gap':
        this.needsFullLoad = true;
        this.reloadNow();
        return;
    }
  }
}
