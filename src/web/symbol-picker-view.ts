import { h } from './dom';
import { formatPrice } from './format';
import type { ApiSymbol } from './types';
import { matchTicker } from './ticker-match';

/**
 * A search box with a list of matching symbols (a combobox). Searching is done by the server
 * (`symbols(search:)`); this view only shows results and reports a choice.
 */
export class SymbolPickerView {
  private options: ApiSymbol[] = [];
  private active = -1;
  private current: string | null = null;

  constructor(
    private readonly input: HTMLInputElement,
    private readonly list: HTMLUListElement,
    private readonly onSelect: (symbol: string) => void,
    private readonly onSearch: (text: string) => void,
  ) {
    input.addEventListener('focus', () => this.open());
    input.addEventListener('input', () => {
      this.open();
      this.onSearch(input.value.trim());
    });
    input.addEventListener('keydown', (event) => this.onKey(event));
    input.addEventListener('blur', () => this.close());
    // Keep focus in the input while clicking an option, so blur does not close the list first.
    list.addEventListener('mousedown', (event) => event.preventDefault());
  }

  setCurrent(symbol: string): void {
    this.current = symbol;
    this.input.placeholder = `${symbol} · search…`;
    this.render();
  }

  setOptions(symbols: readonly ApiSymbol[]): void {
    this.options = [...symbols].sort((a, b) => a.symbol.localeCompare(b.symbol));
    this.active = Math.min(this.active, this.options.length - 1);
    this.render();
  }

  private open(): void {
    this.list.hidden = false;
    this.input.setAttribute('aria-expanded', 'true');
  }

  private close(): void {
    this.list.hidden = true;
    this.input.setAttribute('aria-expanded', 'false');
    this.active = -1;
    this.render();
  }

  private choose(symbol: string): void {
    this.input.value = '';
    this.close();
    this.input.blur();
    this.onSearch('');
    this.onSelect(symbol);
  }

  private onKey(event: KeyboardEvent): void {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      this.open();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      const count = this.options.length;
      if (count > 0) this.active = (this.active + step + count) % count;
      this.render();
    } else if (event.key === 'Enter') {
      event.preventDefault();
      const typed = matchTicker(
        this.input.value,
        this.options.map((o) => o.symbol),
      );
      const exact = this.options.find((o) => o.symbol === typed);
      const pick = this.options[this.active] ?? exact ?? this.options[0];
      if (pick) this.choose(pick.symbol);
    } else if (event.key === 'Escape') {
      this.input.value = '';
      this.onSearch('');
      this.close();
    }
  }

  private render(): void {
    const items = this.options.map((option, index) => {
      const item = h(
        'li',
        {
          className: `picker-option${index === this.active ? ' active' : ''}`,
          testId: 'symbol-option',
          attrs: {
            role: 'option',
            'data-symbol': option.symbol,
            'aria-selected': String(option.symbol === this.current),
          },
        },
        [
          h('span', { className: 'picker-symbol', text: option.symbol }),
          h('span', { className: 'picker-name muted', text: option.name ?? '' }),
          h('span', { className: 'picker-price', text: formatPrice(option.latestBar?.close) }),
        ],
      );
      item.addEventListener('click', () => this.choose(option.symbol));
      return item;
    });
    if (items.length === 0)
      items.push(h('li', { className: 'picker-empty muted', text: 'No matching symbols' }));
    this.list.replaceChildren(...items);
  }
}
