import type { BarStore, ChartBar } from './bar-store';
import { ChartFeed } from './chart-feed';
import type { ChartView } from './chart-view';
import { postGraphQL, type GraphQLErrorEntry } from './graphql-client';
import { feedFailureLines, type HealthView } from './health-view';
import { LinkStatus } from './link-status';
import type { PatternFeedView } from './pattern-feed-view';
import { PatternStore } from './pattern-store';
import { inputRejected } from './poll-errors';
import { Poller } from './poller';
import {
  OLDER_BARS_QUERY,
  pollQuery,
  type BarsPage,
  type PollResult,
  type PollVariables,
} from './queries';
import type { ChartTimeframe } from './timeframes';
import type { QuoteView } from './quote-view';
import { liveState, type StatusView } from './status-view';
import { SymbolCatalog } from './symbol-catalog';
import type { SymbolPickerView } from './symbol-picker-view';
import {
  createHooks,
  recordBarsShown,
  recordRender,
  recordSymbolSelected,
  type DashboardHooks,
} from './test-hooks';
import { TickRate } from './tick-rate';
import type { ApiIngestStatus, ApiPattern } from './types';
import { matchTicker } from './ticker-match';

const PATTERN_LIMIT = 50;

export interface DashboardViews {
  chart: ChartView;
  quote: QuoteView;
  picker: SymbolPickerView;
  patterns: PatternFeedView;
  health: HealthView;
  status: StatusView;
}

export interface DashboardOptions {
  endpoint: string;
  pollMs: number;
  initialSymbol: string | null;
  /** Called when the symbol changes, to keep the URL bookmarkable. */
  onSymbolChange?: (symbol: string) => void;
}

/**
 * The page's controller: one poll loop fetching bars (ChartFeed), patterns and health in one
 * request and handing each part to its store and views; LinkStatus keeps what the status pill
 * and banner say. Input errors the page can fix itself are retried at once.
 */
export class Dashboard {
  readonly hooks: DashboardHooks;
  private readonly poller: Poller;
  private readonly chartFeed: ChartFeed;
  private readonly link = new LinkStatus();
  private symbol: string | null = null;
  private readonly patternStore = new PatternStore();
  private onlyCurrentSymbol = false;
  private readonly rate = new TickRate();
  private readonly catalog: SymbolCatalog;
  private hoverTime: number | null = null;

  constructor(
    private readonly views: DashboardViews,
    private readonly options: DashboardOptions,
  ) {
    this.hooks = createHooks(options.pollMs);
    this.catalog = new SymbolCatalog(options.endpoint, views.picker);
    this.chartFeed = new ChartFeed(
      views.chart,
      (store, refreshMarkers) => this.afterBarsDrawn(store, refreshMarkers),
      () => this.poller.triggerNow(),
    );
    this.hooks.chartBars = () =>
      (this.chartFeed.store?.bars ?? []).map((b) => ({
        ...b,
        time: new Date(b.time * 1000).toISOString(),
      }));
    this.poller = new Poller(
      () => this.poll(),
      options.pollMs,
      (error) => this.onPollFailure(error),
    );
    views.chart.onNearOldest(() => void this.loadOlder());
    views.chart.onHover((time) => {
      this.hoverTime = time;
      this.renderQuote();
    });
  }

  start(): void {
    this.poller.start();
    // Ages in the banner and footer keep moving between polls, and a hung poll turns "stale".
    setInterval(() => this.renderStatus(), 1000);
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible' && !this.poller.paused) this.poller.triggerNow();
    });
  }

  get pollMs(): number {
    return this.poller.interval;
  }

  setPollMs(ms: number): void {
    this.poller.setInterval(ms);
    this.hooks.pollMs = ms;
    this.renderStatus();
  }

  setPaused(paused: boolean): void {
    if (paused) this.poller.pause();
    else this.poller.resume();
    this.hooks.paused = paused;
    this.renderStatus();
  }

  setOnlyCurrentSymbol(only: boolean): void {
    this.onlyCurrentSymbol = only;
    this.renderPatterns(new Set());
  }

  /** Shows another symbol; `pollNow` is false when called from inside a poll that will load it. */
  selectSymbol(symbol: string, pollNow = true): void {
    if (symbol === this.symbol) return;
    this.symbol = symbol;
    this.chartFeed.show(symbol);
    this.views.quote.setSymbol(symbol, this.catalog.nameOf(symbol));
    this.views.picker.setCurrent(symbol);
    recordSymbolSelected(this.hooks, symbol);
    this.renderQuote();
    this.renderPatterns(new Set());
    this.options.onSymbolChange?.(symbol);
    if (pollNow) this.poller.triggerNow();
  }

  /** Shows the chosen timeframe (the same symbol, reloaded). */
  setTimeframe(frame: ChartTimeframe): void {
    if (frame.label === this.chartFeed.timeframe.label) return;
    this.chartFeed.setTimeframe(frame);
    this.hooks.timeframe = frame.label;
    this.hooks.hasOlder = false;
    this.renderQuote();
    if (this.symbol === null) return; // before the first poll: it loads this timeframe
    recordSymbolSelected(this.hooks, this.symbol);
    this.poller.triggerNow();
  }

  /** Scroll back: the next older page, when there is one and none is in flight. */
  async loadOlder(): Promise<void> {
    const request = this.chartFeed.olderRequest();
    if (request === null) return;
    let page: BarsPage | null = null;
    try {
      const result = await postGraphQL<{ chartBars: BarsPage }>(
        this.options.endpoint,
        OLDER_BARS_QUERY,
        { ...request.variables },
        Math.max(10_000, 3 * this.pollMs),
      );
      page = result.data?.chartBars ?? null;
    } catch {
      page = null; // the next scroll tries again; the poll loop reports a broken link
    }
    this.chartFeed.applyOlder(request, page);
    this.hooks.olderLoads++;
    this.hooks.hasOlder = this.chartFeed.hasOlder;
  }

  /** Server-side symbol search for the picker. */
  search(text: string): void {
    // Tickers are case-sensitive (`BCpC`); the server's search ignores case on its own.
    this.catalog.search(text.trim());
  }

  private async poll(): Promise<void> {
    this.hooks.lastPollAt = Date.now();
    this.hooks.polls++;
    if (this.symbol === null || this.catalog.isDue(Date.now())) await this.refreshSymbols();
    const bars = this.chartFeed.nextRequest();
    const variables: PollVariables = {
      patternsSince: this.patternStore.since,
      patternLimit: PATTERN_LIMIT,
    };
    if (bars !== null) Object.assign(variables, bars.variables);
    const result = await postGraphQL<PollResult>(
      this.options.endpoint,
      pollQuery(bars !== null),
      variables,
      Math.max(10_000, 3 * this.pollMs),
    );
    const now = Date.now();
    this.link.answered(result.errors, result.data !== null, now);
    if (result.data !== null) this.hooks.lastOkAt = now;
    const data = result.data ?? {};
    if (bars !== null && data.chartBars) {
      this.chartFeed.apply(bars, data.chartBars);
      this.hooks.hasOlder = this.chartFeed.hasOlder;
    }
    if (data.patterns) this.applyPatterns(data.patterns);
    if (data.ingestStatus) this.applyStatus(data.ingestStatus, now);
    this.recoverFromInputErrors(result.errors);
    this.renderStatus();
  }

  /** Input errors the page itself can fix: retried at once, so no error banner lingers. */
  private recoverFromInputErrors(errors: GraphQLErrorEntry[]): void {
    const barsSince = inputRejected(errors, 'chartBars', 'from') && this.chartFeed.useSince;
    const patternsSince = inputRejected(errors, 'patterns', 'since') && this.patternStore.useSince;
    if (barsSince || patternsSince) {
      if (barsSince) this.chartFeed.useSince = false;
      if (patternsSince) this.patternStore.useSince = false;
      Object.assign(this.hooks, {
        barsSinceMode: this.chartFeed.useSince,
        patternsSinceMode: this.patternStore.useSince,
      });
      this.link.clearQueryError();
      this.poller.triggerNow();
    } else if (inputRejected(errors, 'chartBars', 'symbol')) {
      // e.g. a bookmarked symbol that is not a valid ticker: fall back to the first known one.
      const fallback = this.catalog.symbols.find((s) => s.symbol !== this.symbol);
      if (fallback) {
        this.link.clearQueryError();
        this.selectSymbol(fallback.symbol);
      }
    }
  }

  private async refreshSymbols(): Promise<void> {
    await this.catalog.refresh();
    const known = this.catalog.symbols;
    if (this.symbol === null) {
      const wanted = this.options.initialSymbol;
      const first = known[0]?.symbol ?? null;
      // A bookmarked ticker means the known one it matches (`?symbol=aapl` → AAPL); one beyond
      // the first page of the list is trusted as typed; an invalid one comes back as a
      // BAD_USER_INPUT on `symbol` and falls back to the first.
      const pick =
        wanted === null
          ? first
          : (matchTicker(
              wanted,
              known.map((s) => s.symbol),
            ) ?? wanted);
      if (pick !== null) this.selectSymbol(pick, false);
    } else {
      this.views.quote.setSymbol(this.symbol, this.catalog.nameOf(this.symbol));
    }
  }

  private afterBarsDrawn(store: BarStore, refreshMarkers: boolean): void {
    recordBarsShown(this.hooks, store);
    this.renderQuote();
    if (refreshMarkers) this.renderMarkers();
    const newest = store.newest;
    if (newest) {
      const sample = {
        symbol: store.symbol,
        time: new Date(newest.time * 1000).toISOString(),
        volume: newest.volume,
        close: newest.close,
      };
      // Stamp the frame that paints it, not the moment the data arrived.
      requestAnimationFrame(() => recordRender(this.hooks, { at: Date.now(), ...sample }));
    }
  }

  private applyPatterns(patterns: ApiPattern[]): void {
    const added = this.patternStore.merge(patterns);
    if (added.length === 0) return;
    this.renderPatterns(new Set(added));
    this.renderMarkers();
  }

  private applyStatus(status: ApiIngestStatus, now: number): void {
    this.views.health.render(status, this.rate.add(status.ingest.ticksProcessed, now));
    this.link.feedReported(
      status.connections.map((c) => c.state),
      feedFailureLines(status.connections),
      status.ingest.lastTickAt === null ? null : Date.parse(status.ingest.lastTickAt),
    );
  }

  private onPollFailure(error: unknown): void {
    this.hooks.pollErrors++;
    this.link.failed(error);
    this.renderStatus();
  }

  private renderQuote(): void {
    const bars = this.chartFeed.store?.bars ?? [];
    const hovered: ChartBar | undefined =
      this.hoverTime === null ? undefined : bars.find((b) => b.time === this.hoverTime);
    this.views.quote.render(bars, hovered);
  }

  private renderPatterns(fresh: ReadonlySet<string>): void {
    const items = this.onlyCurrentSymbol
      ? this.patternStore.items.filter((p) => p.symbol === this.symbol)
      : this.patternStore.items;
    this.views.patterns.render(items, fresh, this.symbol);
    this.hooks.patternsShown = items.length;
  }

  private renderMarkers(): void {
    const store = this.chartFeed.store;
    if (store === null) return;
    const maxSeconds = this.chartFeed.timeframe.maxSeconds;
    this.hooks.markersShown = this.views.chart.setPatternMarkers(
      this.patternStore.items.filter((p) => p.symbol === this.symbol),
      (minute) => store.barTimeAt(minute, maxSeconds),
    );
  }

  private renderStatus(): void {
    const input = this.link.input(Date.now(), this.pollMs, this.poller.paused);
    const state = liveState(input);
    this.hooks.state = state;
    this.views.status.render(state, input);
  }
}
