import { Repeater, SlidingBuffer } from '@graphql-yoga/subscription';
import { normalizeSymbolList } from './query-input';

/**
 * How many items one subscriber may fall behind before the oldest are dropped. A slow client
 * then misses intermediate updates (a bar's next flush carries its newer state) instead of
 * growing memory or overflowing the event bus (which throws past 1,024 pending pushes).
 */
export const SUBSCRIBER_BUFFER = 10_000;

/**
 * One subscriber's live feed from a bus topic that carries batches (one publish per flush):
 * the items one by one, only those of `symbols` when given. The filter is validated before
 * the bus is subscribed, so a bad subscription fails at once (InvalidInputError).
 */
export function symbolFeed<T extends { symbol: string }>(
  symbols: readonly string[] | null | undefined,
  subscribe: () => Repeater<T[]>,
): AsyncIterableIterator<T> {
  const wanted = normalizeSymbolList(symbols);
  const filter = wanted === null ? null : new Set(wanted);
  const source = subscribe();
  return new Repeater<T>(async (push, stop) => {
    // Ending the repeater (client unsubscribed / socket closed) must also end the bus
    // subscription, even while it is waiting for the next batch.
    void stop.then(() => source.return(undefined));
    for await (const batch of source) {
      for (const item of batch) {
        if (filter === null || filter.has(item.symbol)) void push(item);
      }
    }
    stop();
  }, new SlidingBuffer(SUBSCRIBER_BUFFER));
}
