import { createPubSub } from '@graphql-yoga/subscription';

/** A bar as stored (after a flush): exact decimal text for prices. */
export interface StoredBar {
  symbol: string;
  timestamp: Date;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: number;
  vwap: string | null;
}

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

/**
 * In-process event bus feeding GraphQL subscriptions. Topics carry arrays so one flush is one
 * publish, not thousands.
 */
export function createAppEvents() {
  return createPubSub<{
    barsUpdated: [StoredBar[]];
    patternsDetected: [PatternEvent[]];
  }>();
}

export type AppEvents = ReturnType<typeof createAppEvents>;
