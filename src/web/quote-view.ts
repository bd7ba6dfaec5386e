import type { ChartBar } from './bar-store';
import { setText } from './dom';
import { formatCompact, formatDateTime, formatPercent, formatPrice } from './format';

export interface QuoteElements {
  symbol: HTMLElement;
  name: HTMLElement;
  price: HTMLElement;
  change: HTMLElement;
  open: HTMLElement;
  high: HTMLElement;
  low: HTMLElement;
  close: HTMLElement;
  volume: HTMLElement;
  time: HTMLElement;
  empty: HTMLElement;
}

/** The chart header: symbol, last price, change over the bars shown, and an OHLCV legend. */
export class QuoteView {
  constructor(private readonly el: QuoteElements) {}

  setSymbol(symbol: string, name: string | null): void {
    setText(this.el.symbol, symbol);
    setText(this.el.name, name ?? '');
    document.title = `${symbol} · TickStock`;
  }

  /** `legendBar` is the hovered bar, or the newest when the pointer is elsewhere. */
  render(bars: readonly ChartBar[], legendBar: ChartBar | undefined): void {
    const first = bars[0];
    const last = bars[bars.length - 1];
    this.el.empty.hidden = bars.length > 0;
    setText(this.el.price, formatPrice(last?.close));
    const change =
      first && last && first.open !== 0 ? ((last.close - first.open) / first.open) * 100 : null;
    setText(this.el.change, formatPercent(change));
    this.el.change.dataset.tone =
      change === null || change === 0 ? 'flat' : change > 0 ? 'up' : 'down';
    this.el.change.title = first
      ? `change since ${formatDateTime(new Date(first.time * 1000))}`
      : '';
    const bar = legendBar ?? last;
    setText(this.el.open, formatPrice(bar?.open));
    setText(this.el.high, formatPrice(bar?.high));
    setText(this.el.low, formatPrice(bar?.low));
    setText(this.el.close, formatPrice(bar?.close));
    setText(this.el.volume, formatCompact(bar?.volume));
    setText(this.el.time, bar ? formatDateTime(new Date(bar.time * 1000)) : '–');
  }
}
