/** A detected pattern, as persisted, published and pushed to subscribers. */
export interface PatternEvent {
  symbol: string;
  pattern: string;
  direction: 'bullish' | 'bearish' | 'reversal' | 'neutral';
  confidence: number;
  price: number;
  priceChange: number;
  timestamp: Date;
  expiresAt: Date;
  indicators: Record<string, number>;
  source: 'tickstock';
}

/** A pattern row as read back: the event plus its id; price as a number (it is a detection price, not a bar). */
export interface StoredPattern extends Omit<PatternEvent, 'source'> {
  id: string;
  source: string;
}

/** A persisted event: what the sink publishes after a write (only rows that were new). */
export type PersistedPatternEvent = PatternEvent & { id: string };
