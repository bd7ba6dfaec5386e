import { postGraphQL } from './graphql-client';
import { SYMBOLS_QUERY, type SymbolsResult } from './queries';
import type { SymbolPickerView } from './symbol-picker-view';
import type { ApiSymbol } from './types';

const SYMBOL_LIMIT = 100;
/** New tickers appear rarely; re-reading the list this often is plenty. */
const SYMBOL_REFRESH_MS = 15_000;
const REQUEST_TIMEOUT_MS = 10_000;

/** The symbols the feed has seen (for the picker and names), and server-side search. */
export class SymbolCatalog {
  private known: ApiSymbol[] = [];
  private loadedAt: number | null = null;
  private searchSeq = 0;

  constructor(
    private readonly endpoint: string,
    private readonly picker: SymbolPickerView,
  ) {}

  get symbols(): readonly ApiSymbol[] {
    return this.known;
  }

  nameOf(symbol: string): string | null {
    return this.known.find((s) => s.symbol === symbol)?.name ?? null;
  }

  isDue(now: number): boolean {
    return this.loadedAt === null || now - this.loadedAt > SYMBOL_REFRESH_MS;
  }

  /** Re-reads the list; rejects when the API is unreachable (the poll reports that). */
  async refresh(): Promise<void> {
    const result = await postGraphQL<SymbolsResult>(
      this.endpoint,
      SYMBOLS_QUERY,
      { search: null, limit: SYMBOL_LIMIT },
      REQUEST_TIMEOUT_MS,
    );
    const symbols = result.data?.symbols;
    if (!symbols) return;
    this.loadedAt = Date.now();
    this.known = [...symbols].sort((a, b) => a.symbol.localeCompare(b.symbol));
    this.picker.setOptions(this.known);
  }

  /** Shows matches for `text` in the picker; an empty text shows every known symbol. */
  search(text: string): void {
    const seq = ++this.searchSeq;
    if (text === '') {
      this.picker.setOptions(this.known);
      return;
    }
    postGraphQL<SymbolsResult>(
      this.endpoint,
      SYMBOLS_QUERY,
      { search: text, limit: SYMBOL_LIMIT },
      REQUEST_TIMEOUT_MS,
    )
      .then((result) => {
        // Only the newest search may fill the list (answers can arrive out of order).
        if (seq === this.searchSeq && result.data?.symbols)
          this.picker.setOptions(result.data.symbols);
      })
      // A failed search leaves the list as it was; the poll loop reports connectivity.
      .catch(() => undefined);
  }
}
