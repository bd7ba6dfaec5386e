import { h } from './dom';
import { formatClock, formatConfidence, formatPercent, formatPrice } from './format';
import { patternKey } from './pattern-store';
import type { ApiPattern } from './types';

const DIRECTION_LABELS: Record<string, string> = {
  bullish: '▲ bullish',
  bearish: '▼ bearish',
  reversal: '⇅ reversal',
  neutral: '• neutral',
};

/** The live pattern list, newest first, coloured by direction; a symbol click switches the chart. */
export class PatternFeedView {
  constructor(
    private readonly list: HTMLOListElement,
    private readonly empty: HTMLElement,
    private readonly onSymbol: (symbol: string) => void,
  ) {}

  render(
    patterns: readonly ApiPattern[],
    fresh: ReadonlySet<string>,
    current: string | null,
  ): void {
    const items = patterns.map((p) => {
      const direction = DIRECTION_LABELS[p.direction] ? p.direction : 'neutral';
      const symbolButton = h('button', {
        className: 'pattern-symbol link',
        text: p.symbol,
        title: `Show ${p.symbol}`,
        attrs: { type: 'button' },
      });
      symbolButton.addEventListener('click', () => this.onSymbol(p.symbol));
      const time = new Date(p.timestamp);
      const key = patternKey(p);
      return h(
        'li',
        {
          className: `pattern dir-${direction}${fresh.has(key) ? ' fresh' : ''}${p.symbol === current ? ' current' : ''}`,
          testId: 'pattern-item',
          attrs: {
            'data-direction': direction,
            'data-symbol': p.symbol,
            'data-pattern': p.pattern,
          },
        },
        [
          h('time', {
            className: 'pattern-time muted',
            text: formatClock(time),
            attrs: { datetime: p.timestamp },
          }),
          symbolButton,
          h('span', { className: 'pattern-name', text: p.pattern.replace(/_/g, ' ') }),
          h('span', { className: 'pattern-dir', text: DIRECTION_LABELS[direction] }),
          h('span', {
            className: 'pattern-meta muted',
            text: `${formatPrice(p.price)} · ${formatPercent(p.priceChange)}`,
          }),
          h('span', {
            className: 'pattern-conf',
            text: formatConfidence(p.confidence),
            title: 'confidence',
          }),
        ],
      );
    });
    this.list.replaceChildren(...items);
    this.empty.hidden = items.length > 0;
  }
}
