import { BarStore, type ChartBar } from './bar-store';
import type { ChartView } from './chart-view';
import { ApiUnreachableError, postGraphQL, type GraphQLErrorEntry } from './graphql-client';
import type { HealthView } from './health-view';
import type { PatternFeedView } from './pattern-feed-view';
import { PatternStore } from './pattern-store';
import { Poller } from './poller';
import { pollQuery, type PollResult, type PollVariables } from './queries';
import type { QuoteView } from './quote-view';
import { liveState, type StatusView } from './status-view';
import type { SymbolPickerView } from './symbol-picker-view';
import { createHooks, recordRender, type DashboardHooks } from './test-hooks';
import { TickRate } from './tick-rate';
import { SymbolCatalog } from './symbol-catalog';
import type { ApiBar, ApiIngestStatus, ApiPattern } from './types';

/** Bars loaded on a (re)load; incremental polls ask for at most POLL_BARS (a full answer may mean a gap). */
const INITIAL_BARS = 500;
const POLL_BARS = 100;
/**
 * When the API refuses `since` (it rejects times in the future, and an accelerated simulator's
 * feed clock runs ahead of the wall clock), polls ask for the newest WINDOW_BARS instead.
 */
const WINDOW_BARS = 10;
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

function describeErrors(errors: GraphQLErrorEntry[]): string {
  const text = errors
    .map((e) => (e.path ? `${e.path.join('.')}: ${e.message}` : e.message))
    .join('; ');
  // The page has no way to learn API_TOKEN (by design): say so instead of retrying silently.
  return errors.some((e) => e.extensions?.code === 'UNAUTHENTICATED')
    ? `${text} (the server has API_TOKEN set; the dashboard cannot send a token)`
    : text;
}

/**
 * The page's controller: one poll loop fetching bars (since the newest shown), patterns and
 * health in one request, merging them into the stores and views. Answers for a symbol that is
 * no longer selected are dropped (generation counter).
 */
export class Dashboard {
  readonly hooks: DashboardHooks;
  private readonly poller: Poller;
  private symbol: string | null = null;
  private bars: BarStore | null = null;
  private needsFullLoad = true;
  private useSince = true;
  private generation = 0;
  private readonly patternStore = new PatternStore();
  private onlyCurrentSymbol = false;
  private readonly rate = new TickRate();
  private readonly catalog: SymbolCatalog;
  private lastOkAt: number | null = null;
  private unreachable: string | null = null;
  private queryError: string | null = null;
  private feedStates: string[] | null = null;
  private hoverTime: number | null = null;

  constructor(
    private readonly views: DashboardViews,
    private readonly options: DashboardOptions,
  ) {
    this.hooks = createHooks(options.pollMs);
    this.catalog = new SymbolCatalog(options.endpoint, views.picker);
    this.hooks.chartBars = () =>
      (this.bars?.bars ?? []).map((b) => ({ ...b, time: new Date(b.time * 1000).toISOString() }));
    this.poller = new Poller(
      () => this.poll(),
      options.pollMs,
      (error) => this.onPollFailure(error),
    );
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
    this.generation++;
    this.bars = new BarStore(symbol);
    this.needsFullLoad = true;
    this.views.chart.clear();
    this.views.quote.setSymbol(symbol, this.catalog.nameOf(symbol));
    this.views.picker.setCurrent(symbol);
    Object.assign(this.hooks, {
      symbol,
      barsSymbol: null,
      barsShown: 0,
      firstBarTime: null,
      lastBarTime: null,
      lastBarVolume: null,
      lastBarClose: null,
    });
    this.renderQuote();
    this.renderPatterns(new Set());
    this.options.onSymbolChange?.(symbol);
    if (pollNow) this.poller.triggerNow();
  }

  /** Server-side symbol search for the picker. */
  search(text: string): void {
    this.catalog.search(text.toUpperCase());
  }

  private async poll(): Promise<void> {
    this.hooks.lastPollAt = Date.now();
    this.hooks.polls++;
    if (this.symbol === null || this.catalog.isDue(Date.now())) await this.refreshSymbols();
    const generation = this.generation;
    const store = this.bars;
    const fullLoad = this.needsFullLoad;
    const variables: PollVariables = {
      patternsSince: this.patternStore.since,
      patternLimit: PATTERN_LIMIT,
    };
    const barLimit = fullLoad ? INITIAL_BARS : this.useSince ? POLL_BARS : WINDOW_BARS;
    if (store !== null) {
      variables.symbol = store.symbol;
      variables.since = fullLoad || !this.useSince ? null : store.since;
      variables.barLimit = barLimit;
    }
    const result = await postGraphQL<PollResult>(
      this.options.endpoint,
      pollQuery(store !== null),
      variables,
      Math.max(10_000, 3 * this.pollMs),
    );
    const now = Date.now();
    this.unreachable = null;
    this.queryError = result.errors.length > 0 ? describeErrors(result.errors) : null;
    if (result.data !== null) {
      this.lastOkAt = now;
      this.hooks.lastOkAt = now;
    }
    const data = result.data ?? {};
    if (store !== null && generation === this.generation && data.recentTicks) {
      this.applyBars(store, fullLoad, data.recentTicks, barLimit);
    }
    if (data.patterns) this.applyPatterns(data.patterns);
    if (data.ingestStatus) this.applyStatus(data.ingestStatus, now);
    this.recoverFromInputErrors(result.errors);
    this.renderStatus();
  }

  /** Input errors the page itself can fix: retried at once, so no error banner lingers. */
  private recoverFromInputErrors(errors: GraphQLErrorEntry[]): void {
    const rejected = (root: string, name: string) =>
      errors.some(
        (e) =>
          e.path?.[0] === root &&
          e.extensions?.code === 'BAD_USER_INPUT' &&
          e.extensions.field === name,
      );
    const barsSince = rejected('recentTicks', 'since') && this.useSince;
    const patternsSince = rejected('patterns', 'since') && this.patternStore.useSince;
    if (barsSince || patternsSince) {
      if (barsSince) this.useSince = false;
      if (patternsSince) this.patternStore.useSince = false;
      Object.assign(this.hooks, {
        barsSinceMode: this.useSince,
        patternsSinceMode: this.patternStore.useSince,
      });
      this.queryError = null;
      this.poller.triggerNow();
    } else if (rejected('recentTicks', 'symbol')) {
      // e.g. a bookmarked symbol that is not a valid ticker: fall back to the first known one.
      const fallback = this.catalog.symbols.find((s) => s.symbol !== this.symbol);
      if (fallback) {
        this.queryError = null;
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
      // A bookmarked ticker may be beyond the first page of the list: trust it; an invalid one
      // comes back as a BAD_USER_INPUT on `symbol` and falls back to the first.
      const pick = wanted ?? first;
      if (pick !== null) this.selectSymbol(pick, false);
    } else {
      this.views.quote.setSymbol(this.symbol, this.catalog.nameOf(this.symbol));
    }
  }

  private applyBars(
    store: BarStore,
    fullLoad: boolean,
    apiBars: ApiBar[],
    requestedLimit: number,
  ): void {
    if (fullLoad) {
      this.views.chart.setBars(store.load(apiBars));
      this.needsFullLoad = false;
      this.afterBarsDrawn(store, true);
      return;
    }
    const merged = store.merge(apiBars, requestedLimit);
    switch (merged.kind) {
      case 'none':
        return;
      case 'update':
        this.views.chart.updateBars(merged.bars);
        this.afterBarsDrawn(
          store,
          merged.bars.some((c) => c.bar.time === store.newest?.time && !c.historical),
        );
        return;
      case 'reset':
        this.views.chart.setBars(merged.bars);
        this.afterBarsDrawn(store, true);
        return;
      case 'gap':
        this.needsFullLoad = true;
        this.poller.triggerNow();
        return;
    }
  }

  private afterBarsDrawn(store: BarStore, refreshMarkers: boolean): void {
    const newest = store.newest;
    Object.assign(this.hooks, {
      barsSymbol: store.symbol,
      barsShown: store.bars.length,
      firstBarTime: store.bars[0] ? new Date(store.bars[0].time * 1000).toISOString() : null,
      lastBarTime: newest ? new Date(newest.time * 1000).toISOString() : null,
      lastBarVolume: newest?.volume ?? null,
      lastBarClose: newest?.close ?? null,
    });
    this.renderQuote();
    if (refreshMarkers) this.renderMarkers();
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
    this.feedStates = status.connections.map((c) => c.state);
  }

  private onPollFailure(error: unknown): void {
    this.hooks.pollErrors++;
    if (error instanceof ApiUnreachableError) this.unreachable = error.message;
    else this.queryError = error instanceof Error ? error.message : String(error);
    this.renderStatus();
  }

  private renderQuote(): void {
    const bars = this.bars?.bars ?? [];
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
    if (this.bars === null) return;
    const times = new Set(this.bars.bars.map((b) => b.time));
    this.views.chart.setPatternMarkers(
      this.patternStore.items.filter((p) => p.symbol === this.symbol),
      times,
    );
  }

  private renderStatus(): void {
    const input = {
      now: Date.now(),
      pollMs: this.pollMs,
      paused: this.poller.paused,
      lastOkAt: this.lastOkAt,
      unreachable: this.unreachable,
      queryError: this.queryError,
      feedLive: this.feedStates === null ? null : this.feedStates.includes('live'),
      feedStates: this.feedStates ?? [],
    };
    const state = liveState(input);
    this.hooks.state = state;
    this.views.status.render(state, input);
  }
}
