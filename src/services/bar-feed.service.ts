import type { StoredBar } from '../domain/stored-bar';
import type { AppEvents } from '../events/app-events';
import { symbolFeed } from './symbol-feed';
import type { SymbolLookupService } from './symbol-lookup.service';

/**
 * Live bar updates for `Subscription.barUpdated`: the writer publishes one array per flush on
 * `events` ('barsUpdated'); each subscriber gets the bars one by one, filtered by symbol.
 */
export class BarFeedService {
  constructor(
    private readonly events: AppEvents,
    private readonly lookup: SymbolLookupService,
  ) {}

  /**
   * Resolves the filter first (exact, else unique case-insensitive; InvalidInputError /
   * AmbiguousSymbolError) so a bad subscription fails at once, before the bus is subscribed.
   */
  async subscribe(symbols?: readonly string[] | null): Promise<AsyncIterableIterator<StoredBar>> {
    const filter = await this.lookup.resolveFilter(symbols);
    return symbolFeed(filter, () => this.events.subscribe('barsUpdated'));
  }
}
