import type { BarStore } from './bar-store';
import type { LiveState } from './status-view';

/** One bar render as the page displayed it (for the e2e freshness measurement). */
export interface RenderSample {
  /** Date.now() in the animation frame that painted it. */
  at: number;
  symbol: string;
  /** Minute start, ISO. */
  time: string;
  volume: number;
  close: number;
}

/**
 * Read-only facts the browser test reads through `window.__tickstock` to measure freshness and
 * to check what is on screen without scraping the canvas.
 */
export interface DashboardHooks {
  symbol: string | null;
  /** The symbol the bars on the chart belong to (set only once they are drawn). */
  barsSymbol: string | null;
  barsShown: number;
  firstBarTime: string | null;
  lastBarTime: string | null;
  lastBarVolume: number | null;
  lastBarClose: number | null;
  lastRenderAt: number | null;
  lastPollAt: number | null;
  lastOkAt: number | null;
  pollMs: number;
  paused: boolean;
  state: LiveState;
  polls: number;
  pollErrors: number;
  patternsShown: number;
  /** The chart's timeframe label ('1m', '5m', '15m', '1h', '1D'). */
  timeframe: string;
  /** Scroll-back pages loaded, and whether older bars remain. */
  olderLoads: number;
  hasOlder: boolean;
  /** Pattern markers on the candles. */
  markersShown: number;
  /** False once the API refused `since` for bars / patterns and polls read the newest page instead. */
  barsSinceMode: boolean;
  patternsSinceMode: boolean;
  /** The last 300 renders, oldest first. */
  renders: RenderSample[];
  /** A copy of the bars on the chart (time as ISO minute start), oldest first. */
  chartBars: () => {
    time: string;
    open: number;
    high: number;
    low: number;
    close: number;
    volume: number;
  }[];
}

declare global {
  interface Window {
    __tickstock?: DashboardHooks;
  }
}

export const MAX_RENDER_SAMPLES = 300;

type BarsShown = Pick<
  DashboardHooks,
  'barsSymbol' | 'barsShown' | 'firstBarTime' | 'lastBarTime' | 'lastBarVolume' | 'lastBarClose'
>;

/** The bar facts of a chart with no bars drawn yet. */
const NO_BARS: BarsShown = {
  barsSymbol: null,
  barsShown: 0,
  firstBarTime: null,
  lastBarTime: null,
  lastBarVolume: null,
  lastBarClose: null,
};

const isoMinute = (seconds: number) => new Date(seconds * 1000).toISOString();

export function createHooks(pollMs: number): DashboardHooks {
  const hooks: DashboardHooks = {
    symbol: null,
    ...NO_BARS,
    lastRenderAt: null,
    lastPollAt: null,
    lastOkAt: null,
    pollMs,
    paused: false,
    state: 'connecting',
    polls: 0,
    pollErrors: 0,
    patternsShown: 0,
    timeframe: '1m',
    olderLoads: 0,
    hasOlder: false,
    markersShown: 0,
    barsSinceMode: true,
    patternsSinceMode: true,
    renders: [],
    chartBars: () => [],
  };
  window.__tickstock = hooks;
  return hooks;
}

export function recordRender(hooks: DashboardHooks, sample: RenderSample): void {
  hooks.renders.push(sample);
  if (hooks.renders.length > MAX_RENDER_SAMPLES)
    hooks.renders.splice(0, hooks.renders.length - MAX_RENDER_SAMPLES);
  hooks.lastRenderAt = sample.at;
}

/** Another symbol is selected; its bars are not drawn yet. */
export function recordSymbolSelected(hooks: DashboardHooks, symbol: string): void {
  Object.assign(hooks, { symbol, ...NO_BARS });
}

/** The bars of `store` are on the chart. */
export function recordBarsShown(hooks: DashboardHooks, store: BarStore): void {
  const newest = store.newest;
  const shown: BarsShown = {
    barsSymbol: store.symbol,
    barsShown: store.bars.length,
    firstBarTime: store.bars[0] ? isoMinute(store.bars[0].time) : null,
    lastBarTime: newest ? isoMinute(newest.time) : null,
    lastBarVolume: newest?.volume ?? null,
    lastBarClose: newest?.close ?? null,
  };
  Object.assign(hooks, shown);
}
