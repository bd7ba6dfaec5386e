import { hashString } from './random';

/**
 * Familiar large caps first, so a new user recognises the dashboard; reference prices are
 * rough levels, only there to make the walks look plausible.
 */
export const DEFAULT_UNIVERSE: ReadonlyArray<readonly [symbol: string, price: number]> = [
  ['AAPL', 228],
  ['MSFT', 415],
  ['NVDA', 120],
  ['AMZN', 185],
  ['GOOGL', 165],
  ['META', 520],
  ['TSLA', 240],
  ['BRK.B', 450],
  ['AVGO', 165],
  ['JPM', 215],
  ['LLY', 900],
  ['V', 280],
  ['UNH', 580],
  ['XOM', 115],
  ['MA', 480],
  ['JNJ', 160],
  ['PG', 170],
  ['HD', 390],
  ['COST', 880],
  ['ABBV', 190],
  ['MRK', 110],
  ['ORCL', 165],
  ['CVX', 150],
  ['KO', 70],
  ['PEP', 170],
  ['ADBE', 520],
  ['CRM', 280],
  ['BAC', 40],
  ['NFLX', 700],
  ['AMD', 150],
  ['TMO', 580],
  ['WMT', 80],
  ['MCD', 290],
  ['CSCO', 52],
  ['ACN', 350],
  ['LIN', 460],
  ['ABT', 115],
  ['DIS', 95],
  ['INTC', 22],
  ['WFC', 60],
  ['QCOM', 165],
  ['TXN', 200],
  ['IBM', 220],
  ['INTU', 630],
  ['CAT', 370],
  ['GE', 180],
  ['AMGN', 320],
  ['VZ', 42],
  ['PFE', 29],
  ['NKE', 80],
  // Massive's tickers are case-sensitive: preferred shares carry a lowercase `p` (`BCpC` is a
  // preferred of a different issuer than the common stock `BCPC`), and OTC tickers flag `otc`.
  ['BCPC', 150],
  ['BCpC', 24],
  ['ABRpD', 19],
  ['NSRGY', 95],
];

const REFERENCE_PRICES = new Map<string, number>(DEFAULT_UNIVERSE);
const OTC_TICKERS: ReadonlySet<string> = new Set(['NSRGY']);

/**
 * Whether a ticker trades OTC (its events carry `otc: true`): the universe's OTC names, and
 * about one generated ticker in sixteen.
 */
export function isOtcTicker(symbol: string): boolean {
  if (OTC_TICKERS.has(symbol)) return true;
  return !REFERENCE_PRICES.has(symbol) && hashString(`otc:${symbol}`) % 16 === 0;
}

/**
 * `count` symbols: the default universe first, then SYM0001, SYM0002, … (zero-padded to at
 * least four digits so they sort naturally).
 */
export function simulatorSymbols(count: number): string[] {
  if (!Number.isInteger(count) || count < 1)
    throw new RangeError(`symbol count must be >= 1 (got ${count})`);
  const symbols = DEFAULT_UNIVERSE.slice(0, count).map(([symbol]) => symbol);
  const width = Math.max(4, String(count - DEFAULT_UNIVERSE.length).length);
  for (let i = 1; symbols.length < count; i++) symbols.push(`SYM${String(i).padStart(width, '0')}`);
  return symbols;
}

/**
 * Starting price of a symbol: the reference level for known tickers, otherwise log-uniform in
 * [$0.20, $500] from the symbol's hash (so some generated tickers trade under $1, with 4 decimals).
 */
export function referencePrice(symbol: string): number {
  const known = REFERENCE_PRICES.get(symbol);
  if (known !== undefined) return known;
  const unit = hashString(symbol) / 4294967296;
  return Math.exp(Math.log(0.2) + unit * (Math.log(500) - Math.log(0.2)));
}
