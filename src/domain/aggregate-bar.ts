import type { StoredBar } from './stored-bar';

/**
 * A bar of any timeframe rolled up from stored minutes: timestamp is the bucket start, open of
 * its first minute, close of its last, max high, min low, summed volume, volume-weighted VWAP.
 */
export interface AggregateBar extends StoredBar {
  /** Stored minutes rolled in. */
  minutes: number;
}
