/** A ticker as TickStock accepts it from the feed, the configuration and the API. */
export const SYMBOL_PATTERN = /^[A-Z][A-Z0-9.-]{0,19}$/;
