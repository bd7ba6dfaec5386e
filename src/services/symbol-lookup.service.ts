import type { SymbolRepository } from '../repositories/symbol.repository';
import { AmbiguousSymbolError, readThrough } from './domain-errors';
import { checkTicker, checkTickerList, isExactTicker } from './query-input';

/**
 * A resolved subscription filter: tickers matched exactly, plus (lower-cased) tickers that were
 * not stored yet when the subscription began and are matched ignoring case, so a legacy
 * `symbols: ["msft"]` still receives MSFT once it trades.
 */
export interface SymbolFilter {
  readonly exact: ReadonlySet<string>;
  readonly ignoringCase: ReadonlySet<string>;
}

/** True when a live item of `symbol` passes `filter` (null: every symbol). */
export function filterMatches(filter: SymbolFilter | null, symbol: string): boolean {
  if (filter === null || filter.exact.has(symbol)) return true;
  return filter.ignoringCase.size > 0 && filter.ignoringCase.has(symbol.toLowerCase());
}

/**
 * Stored tickers this service has seen, kept so the usual exact lookup costs no query. Tickers
 * are never renamed or deleted by TickStock, so a ticker once stored stays a correct exact
 * answer; the bound only caps memory (the set is cleared and refilled when it is reached).
 */
const MAX_KNOWN = 100_000;

/**
 * What a ticker argument means, for every API entry point (REST, GraphQL queries and
 * subscriptions). Tickers are case-sensitive (`BCPC` and `BCpC` are different companies,
 * `ABRpD` is stored as sent), so a lookup matches exactly first; only when no stored ticker is
 * equal does it fall back to a case-insensitive match, and only a unique one (legacy
 * `symbol=aapl` finds `AAPL`; `bcpc` is ambiguous: AmbiguousSymbolError naming both).
 * An unknown ticker resolves to itself (the caller then finds nothing).
 */
export class SymbolLookupService {
  private readonly known = new Set<string>();

  constructor(private readonly repository: Pick<SymbolRepository, 'findIgnoringCase'>) {}

  /** True when `ticker` is known to be a stored ticker exactly (it resolves to itself). */
  isKnown(ticker: string): boolean {
    return this.known.has(ticker);
  }

  /** One ticker argument → the stored ticker it means (InvalidInputError when it is not valid). */
  async resolve(raw: unknown, field = 'symbol'): Promise<string> {
    const ticker = checkTicker(raw, field);
    if (this.known.has(ticker)) return ticker;
    const candidates = await this.lookUp([ticker]);
    return pick(ticker, candidates, field) ?? ticker;
  }

  /** A subscription's `symbols` argument → its filter; null/undefined: every symbol. One query at most. */
  async resolveFilter(
    raw: readonly string[] | null | undefined,
    field = 'symbols',
  ): Promise<SymbolFilter | null> {
    const tickers = checkTickerList(raw, field);
    if (tickers === null) return null;
    const exact = new Set<string>();
    const ignoringCase = new Set<string>();
    const unknown = tickers.filter((ticker) => !this.known.has(ticker));
    const candidates = await this.lookUp(unknown);
    for (const ticker of tickers) {
      if (this.known.has(ticker)) {
        exact.add(ticker);
        continue;
      }
      const folded = ticker.toLowerCase();
      const resolved = pick(
        ticker,
        candidates.filter((candidate) => candidate.toLowerCase() === folded),
        field,
      );
      if (resolved !== null) exact.add(resolved);
      // Not stored yet: a well-formed ticker waits for exactly itself, a lower-case one for
      // whatever case it will trade in.
      else if (isExactTicker(ticker)) exact.add(ticker);
      else ignoringCase.add(folded);
    }
    return { exact, ignoringCase };
  }

  private async lookUp(tickers: readonly string[]): Promise<string[]> {
    if (tickers.length === 0) return [];
    const found = await readThrough('symbol lookup failed', () =>
      this.repository.findIgnoringCase(tickers),
    );
    if (this.known.size + found.length > MAX_KNOWN) this.known.clear();
    for (const symbol of found) this.known.add(symbol);
    return found;
  }
}

/**
 * The stored ticker `ticker` means among `candidates` (the stored tickers equal to it ignoring
 * case): itself when stored, else the only candidate; null when there is none.
 */
function pick(ticker: string, candidates: readonly string[], field: string): string | null {
  if (candidates.includes(ticker)) return ticker;
  if (candidates.length === 1) return candidates[0];
  if (candidates.length > 1) throw new AmbiguousSymbolError(ticker, candidates, field);
  return null;
}
