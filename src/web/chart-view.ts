import {
  CandlestickSeries,
  ColorType,
  CrosshairMode,
  HistogramSeries,
  TickMarkType,
  createChart,
  createSeriesMarkers,
  type CandlestickData,
  type HistogramData,
  type IChartApi,
  type ISeriesApi,
  type ISeriesMarkersPluginApi,
  type SeriesMarker,
  type Time,
  type UTCTimestamp,
} from 'lightweight-charts';
import type { ChartBar } from './bar-store';
import { formatClock, formatDateTime } from './format';
import type { ApiPattern, PatternDirection } from './types';

const UP = '#26a69a';
const DOWN = '#ef5350';
const UP_VOLUME = 'rgba(38, 166, 154, 0.45)';
const DOWN_VOLUME = 'rgba(239, 83, 80, 0.45)';

export const DIRECTION_COLORS: Record<PatternDirection, string> = {
  bullish: '#3fb950',
  bearish: '#f85149',
  reversal: '#bc8cff',
  neutral: '#8b949e',
};

/** Patterns found on the per-second stream rather than on a closed minute bar. */
const STREAM_PATTERNS = new Set(['High_Volume_Surge', 'Price_Gap']);

/** lightweight-charts renders UTC; the dashboard shows the viewer's local time. */
function localDate(time: Time): Date {
  return new Date((time as number) * 1000);
}

function candle(bar: ChartBar): CandlestickData<UTCTimestamp> {
  return {
    time: bar.time as UTCTimestamp,
    open: bar.open,
    high: bar.high,
    low: bar.low,
    close: bar.close,
  };
}

function volume(bar: ChartBar): HistogramData<UTCTimestamp> {
  return {
    time: bar.time as UTCTimestamp,
    value: bar.volume,
    color: bar.close >= bar.open ? UP_VOLUME : DOWN_VOLUME,
  };
}

/** Candles with a volume histogram underneath (overlay scale, bottom fifth), plus pattern markers. */
export class ChartView {
  private readonly chart: IChartApi;
  private readonly candles: ISeriesApi<'Candlestick', Time>;
  private readonly volumes: ISeriesApi<'Histogram', Time>;
  private readonly markers: ISeriesMarkersPluginApi<Time>;
  private hasData = false;

  constructor(container: HTMLElement) {
    this.chart = createChart(container, {
      autoSize: true,
      layout: {
        background: { type: ColorType.Solid, color: 'transparent' },
        textColor: '#9aa4b2',
        fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
        fontSize: 12,
        attributionLogo: true,
      },
      grid: {
        vertLines: { color: 'rgba(48, 54, 61, 0.5)' },
        horzLines: { color: 'rgba(48, 54, 61, 0.5)' },
      },
      crosshair: { mode: CrosshairMode.Normal },
      rightPriceScale: { borderColor: '#30363d', scaleMargins: { top: 0.08, bottom: 0.26 } },
      timeScale: {
        borderColor: '#30363d',
        timeVisible: true,
        secondsVisible: false,
        rightOffset: 4,
        barSpacing: 8,
        // Day-level marks (daily bars, a new day on an intraday chart) show the date.
        tickMarkFormatter: (time: Time, type: TickMarkType) =>
          type >= TickMarkType.Time
            ? formatClock(localDate(time)).slice(0, 5)
            : localDate(time).toLocaleDateString(undefined, { month: 'short', day: 'numeric' }),
      },
      localization: { timeFormatter: (time: Time) => formatDateTime(localDate(time)) },
    });
    this.candles = this.chart.addSeries(CandlestickSeries, {
      upColor: UP,
      downColor: DOWN,
      borderUpColor: UP,
      borderDownColor: DOWN,
      wickUpColor: UP,
      wickDownColor: DOWN,
    });
    this.volumes = this.chart.addSeries(HistogramSeries, {
      priceFormat: { type: 'volume' },
      priceScaleId: 'volume',
      lastValueVisible: false,
      priceLineVisible: false,
    });
    this.chart.priceScale('volume').applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
    this.markers = createSeriesMarkers(this.candles, []);
  }

  /** Replaces all bars (first load, symbol switch, gap reload). */
  setBars(bars: readonly ChartBar[]): void {
    this.candles.setData(bars.map(candle));
    this.volumes.setData(bars.map(volume));
    if (!this.hasData && bars.length > 0) this.chart.timeScale().scrollToRealTime();
    this.hasData = bars.length > 0;
  }

  /**
   * Redraws after `added` older bars were put in front, keeping the bars in view where they
   * were (the logical range counts bars, so it shifts by the number added).
   */
  prependBars(bars: readonly ChartBar[], added: number): void {
    const range = this.chart.timeScale().getVisibleLogicalRange();
    this.candles.setData(bars.map(candle));
    this.volumes.setData(bars.map(volume));
    if (range !== null)
      this.chart
        .timeScale()
        .setVisibleLogicalRange({ from: range.from + added, to: range.to + added });
  }

  /** Calls back when the view nears the oldest bar shown (scroll back loads more). */
  onNearOldest(listener: () => void, withinBars = 20): void {
    this.chart.timeScale().subscribeVisibleLogicalRangeChange((range) => {
      if (range !== null && range.from < withinBars) listener();
    });
  }

  /** Scrolls the view `bars` bars back in time (negative: forward). */
  scrollBack(bars: number): void {
    const scale = this.chart.timeScale();
    scale.scrollToPosition(scale.scrollPosition() - bars, false);
  }

  /** Merges bars in place: the in-progress bar is replaced, a new bar appended. */
  updateBars(changes: readonly { bar: ChartBar; historical: boolean }[]): void {
    for (const { bar, historical } of changes) {
      this.candles.update(candle(bar), historical);
      this.volumes.update(volume(bar), historical);
    }
    this.hasData = true;
  }

  clear(): void {
    this.setBars([]);
    this.markers.setMarkers([]);
  }

  /**
   * One marker per candle pattern of this symbol whose minute is on the chart. Stream patterns
   * (per-second surges and gaps) fire many times a minute: they stay in the feed, not on the candles.
   */
  setPatternMarkers(
    patterns: readonly ApiPattern[],
    /** The start of the candle holding a minute (UTC seconds), or null when none is shown. */
    candleAt: (minuteSeconds: number) => number | null,
  ): number {
    const markers = new Map<string, SeriesMarker<Time>>();
    for (const p of patterns) {
      if (STREAM_PATTERNS.has(p.pattern)) continue;
      const minute = candleAt(Math.floor(Date.parse(p.timestamp) / 60_000) * 60);
      if (minute === null) continue;
      const bearish = p.direction === 'bearish';
      markers.set(`${minute}|${p.pattern}`, {
        time: minute as UTCTimestamp,
        position: bearish ? 'aboveBar' : 'belowBar',
        shape: p.direction === 'bullish' ? 'arrowUp' : bearish ? 'arrowDown' : 'circle',
        color: DIRECTION_COLORS[p.direction] ?? DIRECTION_COLORS.neutral,
        text: p.pattern.replace(/_/g, ' '),
      });
    }
    this.markers.setMarkers(
      [...markers.values()].sort((a, b) => (a.time as number) - (b.time as number)),
    );
    return markers.size;
  }

  /** Calls back with the bar under the crosshair (null when the pointer leaves the chart). */
  onHover(listener: (time: number | null) => void): void {
    this.chart.subscribeCrosshairMove((param) =>
      listener(param.time === undefined ? null : (param.time as number)),
    );
  }
}
