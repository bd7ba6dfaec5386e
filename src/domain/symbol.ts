/**
 * A ticker as TickStock accepts it from the feed, the configuration and the API: Massive's
 * alphabet — an uppercase letter, then letters of either case, digits, `.` and `-`, at most 20
 * (`BRK.B`, preferred shares `BCpC`, `ABRpD`). Tickers are case-sensitive (`BCPC` is another
 * company than `BCpC`): stored and served exactly as sent, never case-folded.
 */
export const SYMBOL_PATTERN = /^[A-Z][A-Za-z0-9.-]{0,19}$/;
