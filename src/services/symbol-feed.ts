import { Repeater, SlidingBuffer } from '@graphql-yoga/subscription';
import { filterMatches, type SymbolFilter } from './symbol-lookup.service';

/**
 * How many items one subscriber may fall behind before the oldest are dropped. A slow client
 * then misses intermediate updates (a bar's next flush carries its newer state) instead of
 * growing memory or overflowing the event bus (which throws past 1,024 pending pushes).
 */
export const SUBSCRIBER_BUFFER = 10_000;

/**
 * One subscriber's live feed from a bus topic that carries batches (one publish per flush):
 * the items one by one, only those passing `filter` (resolved by SymbolLookupService before
 * the bus is subscribed; null: every item).
 */
export function symbolFeed<T extends { symbol: string }>(
  filter: SymbolFilter | null,
  subscribe: () => Repeater<T[]>,
): AsyncIterableIterator<T> {
  const source = subscribe();
  return new Repeater<T>(async (push, stop) => {
    // Ending the repeater (client unsubscribed / socket closed) must also end the bus
    // subscription, even while it is waiting for the next batch.
    void stop.then(() => source.return(undefined));
    for await (const batch of source) {
      for (const item of batch) {
        if (filterMatches(filter, item.symbol)) void push(item);
      }
    }
    stop();
  }, new SlidingBuffer(SUBSCRIBER_BUFFER));
}
