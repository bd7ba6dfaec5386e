import { Repeater, SlidingBuffer } from '@graphql-yoga/subscription';
import { isRegularSessionMinute } from '../domain/new-york-clock';
import type { StoredBar } from '../domain/stored-bar';
import { isOneMinute, type Timeframe, type TradingSession } from '../domain/timeframe';
import type { BarFeedService } from './bar-feed.service';
import { DataAccessError } from './domain-errors';
import { SUBSCRIBER_BUFFER } from './symbol-feed';
import { bucketRule } from './timeframe-buckets';
import type { TimeframeBarsService } from './timeframe-bars.service';

/**
 * `barUpdated` at a chosen timeframe: every stored minute update is turned into the current
 * state of the bar holding it (the in-progress 5-minute, hourly or daily bar), re-read from the
 * stored minutes so it is exactly what `bars` answers. One minute (the default) is the plain
 * minute feed, unchanged.
 */
export class TimeframeFeedService {
  constructor(
    private readonly minutes: BarFeedService,
    private readonly timeframeBars: TimeframeBarsService,
  ) {}

  /**
   * Validates the timeframe and resolves the ticker filter up front (InvalidInputError,
   * AmbiguousSymbolError), before the bus is subscribed.
   */
  async subscribe(
    symbols: readonly string[] | null | undefined,
    timeframe: Timeframe,
    session: TradingSession = 'ALL',
  ): Promise<AsyncIterableIterator<StoredBar>> {
    bucketRule(timeframe);
    const source = await this.minutes.subscribe(symbols);
    if (isOneMinute(timeframe) && session === 'ALL') return source;
    return new Repeater<StoredBar>(async (push, stop) => {
      void stop.then(() => source.return?.(undefined));
      for await (const minute of source) {
        const ms = minute.timestamp.getTime();
        if (session === 'REGULAR' && !isRegularSessionMinute(ms)) continue;
        let bar: StoredBar | null;
        try {
          bar = await this.timeframeBars.bucketBar(minute.symbol, timeframe, session, ms);
        } catch (error) {
          // A failed read loses one push, not the subscription: the bar's next stored minute
          // pushes it again. Anything but a database failure is a bug and ends the feed.
          if (error instanceof DataAccessError) continue;
          throw error;
        }
        if (bar !== null) void push(bar);
      }
      stop();
    }, new SlidingBuffer(SUBSCRIBER_BUFFER));
  }
}
