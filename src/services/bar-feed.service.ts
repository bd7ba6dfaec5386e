import { Repeater, SlidingBuffer } from '@graphql-yoga/subscription';
import type { AppEvents } from '../events/app-events';
import type { StoredBar } from '../domain/stored-bar';
import { normalizeSymbolList } from './query-input';
import type { ApiDeps } from './service-registry';

/**
 * How many bars one subscriber may fall behind before the oldest are dropped. A slow client
 * then misses intermediate updates of a bar (the next flush carries its newer state) instead
 * of growing memory or overflowing the event bus (which throws past 1,024 pending pushes).
 */
export const SUBSCRIBER_BUFFER = 10_000;

/**
 * Live bar updates for `Subscription.barUpdated`: the writer publishes one array per flush on
 * `events` ('barsUpdated'); each subscriber gets the bars one by one, filtered by symbol.
 */
export class BarFeedService {
  private readonly events: AppEvents;

  constructor(deps: Pick<ApiDeps, 'events'>) {
    this.events = deps.events;
  }

  /** Validates the filter up front (InvalidInputError) so a bad subscription fails at once. */
  subscribe(symbols?: readonly string[] | null): AsyncIterableIterator<StoredBar> {
    const wanted = normalizeSymbolList(symbols);
    const filter = wanted === null ? null : new Set(wanted);
    const source = this.events.subscribe('barsUpdated');
    return new Repeater<StoredBar>(async (push, stop) => {
      // Ending the repeater (client unsubscribed / socket closed) must also end the bus
      // subscription, even while it is waiting for the next flush.
      void stop.then(() => source.return(undefined));
      for await (const bars of source) {
        for (const bar of bars) {
          if (filter === null || filter.has(bar.symbol)) void push(bar);
        }
      }
      stop();
    }, new SlidingBuffer(SUBSCRIBER_BUFFER));
  }
}
