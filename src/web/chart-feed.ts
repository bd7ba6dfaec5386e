import { BarStore } from './bar-store';
import type { ChartView } from './chart-view';
import type { BarsPage, BarsVariables } from './queries';
import { DEFAULT_TIMEFRAME, type ChartTimeframe } from './timeframes';

/** Bars loaded on a (re)load; incremental polls ask for at most POLL_BARS (a full answer may mean a gap). */
const INITIAL_BARS = 500;
const POLL_BARS = 100;
/** Bars per scroll-back page. */
const OLDER_BARS = 500;

/** The bar part of one poll: the store it fills and what was asked. */
export interface BarRequest {
  store: BarStore;
  fullLoad: boolean;
  variables: BarsVariables;
}

/**
 * The selected symbol's bars at the selected timeframe: what each poll asks for (the newest
 * page, newest first, on a (re)load; everything from the newest bar shown on otherwise), how an
 * answer lands on the chart (merged in place, redrawn, or reloaded after a gap), and the
 * scroll-back pages (the cursor of the newest-first read leads to older bars). An answer for a
 * symbol or timeframe that is no longer shown is dropped.
 */
export class ChartFeed {
  private current: BarStore | null = null;
  private needsFullLoad = true;
  private frame: ChartTimeframe = DEFAULT_TIMEFRAME;
  /** Cursor of the next older page; null when the oldest bar is shown (or not loaded yet). */
  private olderCursor: string | null = null;
  private loadingOlder = false;
  /** Kept for the page's since-fallback logic; `from` on bars is never refused as future. */
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

  get timeframe(): ChartTimeframe {
    return this.frame;
  }

  /** True when older bars exist beyond the oldest one shown. */
  get hasOlder(): boolean {
    return this.olderCursor !== null;
  }

  /** Starts over for another symbol: an empty chart, and a full load on the next poll. */
  show(symbol: string): void {
    this.current = new BarStore(symbol);
    this.needsFullLoad = true;
    this.olderCursor = null;
    this.loadingOlder = false;
    this.chart.clear();
  }

  /** Another timeframe for the same symbol: starts over like a symbol switch. */
  setTimeframe(frame: ChartTimeframe): void {
    this.frame = frame;
    if (this.current !== null) this.show(this.current.symbol);
  }

  /** What the next poll asks for; null before a symbol is shown. */
  nextRequest(): BarRequest | null {
    const store = this.current;
    if (store === null) return null;
    const fullLoad = this.needsFullLoad;
    return {
      store,
      fullLoad,
      variables: {
        symbol: store.symbol,
        timeframe: this.frame.value,
        from: fullLoad ? null : store.since,
        order: fullLoad ? 'DESC' : 'ASC',
        barLimit: fullLoad ? INITIAL_BARS : POLL_BARS,
        after: null,
      },
    };
  }

  apply(request: BarRequest, page: BarsPage): void {
    const { store } = request;
    if (store !== this.current) return;
    if (request.fullLoad) {
      this.chart.setBars(store.load([...page.bars].reverse()));
      this.olderCursor = page.hasNextPage ? page.endCursor : null;
      this.needsFullLoad = false;
      this.onDrawn(store, true);
      return;
    }
    const merged = store.merge(page.bars, request.variables.barLimit);
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

  /** The scroll-back read to send now, or null (nothing older, one already in flight). */
  olderRequest(): BarRequest | null {
    const store = this.current;
    if (store === null || this.olderCursor === null || this.loadingOlder || this.needsFullLoad)
      return null;
    this.loadingOlder = true;
    return {
      store,
      fullLoad: false,
      variables: {
        symbol: store.symbol,
        timeframe: this.frame.value,
        from: null,
        order: 'DESC',
        barLimit: OLDER_BARS,
        after: this.olderCursor,
      },
    };
  }

  /** Lands a scroll-back page (newest first) in front of the bars shown; null = it failed. */
  applyOlder(request: BarRequest, page: BarsPage | null): void {
    if (request.store !== this.current) return;
    this.loadingOlder = false;
    if (page === null) return;
    this.olderCursor = page.hasNextPage ? page.endCursor : null;
    const added = request.store.prepend([...page.bars].reverse());
    if (added > 0) {
      this.chart.prependBars(request.store.bars, added);
      this.onDrawn(request.store, true);
    }
  }
}
