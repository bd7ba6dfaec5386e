import type { StoredBar } from '../domain/stored-bar';
import type { AppEvents } from '../events/app-events';
import { symbolFeed } from './symbol-feed';

/**
 * Live bar updates for `Subscription.barUpdated`: the writer publishes one array per flush on
 * `events` ('barsUpdated'); each subscriber gets the bars one by one, filtered by symbol.
 */
export class BarFeedService {
  constructor(private readonly events: AppEvents) {}

  /** Validates the filter up front (InvalidInputError) so a bad subscription fails at once. */
  subscribe(symbols?: readonly string[] | null): AsyncIterableIterator<StoredBar> {
    return symbolFeed(symbols, () => this.events.subscribe('barsUpdated'));
  }
}
