/**
 * The ticker a typed or bookmarked text means among the known ones, by the API's rule: exact
 * first (tickers are case-sensitive: `BCpC` is not `BCPC`), else the only case-insensitive
 * match (`aapl` → `AAPL`), else null (none, or ambiguous like `bcpc`).
 */
export function matchTicker(text: string, known: readonly string[]): string | null {
  const typed = text.trim();
  if (typed === '') return null;
  if (known.includes(typed)) return typed;
  const folded = typed.toLowerCase();
  const matches = known.filter((symbol) => symbol.toLowerCase() === folded);
  return matches.length === 1 ? matches[0] : null;
}
