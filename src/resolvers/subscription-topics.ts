import type { PubSub } from 'type-graphql';
import type { Timeframe, TradingSession } from '../domain/timeframe';
import type { ApiServices } from '../services/api-services';

/**
 * Where subscription events come from. type-graphql hands a `subscribe` option only the
 * resolver data (args, context), never the resolver instance, so an injected service cannot
 * be reached from there without a locator in the context. Its other extension point is the
 * schema's `pubSub`, which is per built schema: each server builds its schema with this
 * PubSub over its own services, and a subscription names its topic and passes its filter as
 * the topic id (`topicId: ({ args }) => args.symbols`).
 */
export const TOPICS = {
  barUpdated: 'barUpdated',
  patternDetected: 'patternDetected',
} as const;

type TickerArgument = readonly string[] | null | undefined;

function asStream<T>(pending: Promise<AsyncIterable<T>>): AsyncIterable<T> {
  return pending as unknown as AsyncIterable<T>;
}

/** `barUpdated`'s topic id: its symbol filter and, when asked, a timeframe and session. */
export interface BarTopicId {
  symbols: TickerArgument;
  timeframe?: Timeframe;
  session?: TradingSession;
}

export function createSubscriptionPubSub(
  services: Pick<ApiServices, 'barFeed' | 'patterns' | 'timeframeFeed'>,
): PubSub {
  return {
    publish: () => {
      throw new Error('publish on AppEvents (the bus the services read), not through type-graphql');
    },
    // The feeds resolve their ticker filter against the database first, so they answer a
    // promise of the stream. type-graphql types this as the stream itself but hands the value
    // straight to graphql-js, which awaits it (graphql 16 `executeSubscription`): a rejected
    // filter becomes a BAD_USER_INPUT error of the subscription instead of a broken stream.
    subscribe: (topic, symbols) => {
      switch (topic) {
        case TOPICS.barUpdated: {
          const id = symbols as BarTopicId | TickerArgument;
          if (id !== null && id !== undefined && 'symbols' in id && id.timeframe !== undefined)
            return asStream(services.timeframeFeed.subscribe(id.symbols, id.timeframe, id.session));
          return asStream(
            services.barFeed.subscribe(
              id !== null && id !== undefined && 'symbols' in id ? id.symbols : id,
            ),
          );
        }
        case TOPICS.patternDetected:
          return asStream(services.patterns.subscribe(symbols as TickerArgument));
        default:
          throw new Error(`no subscription feed for topic ${JSON.stringify(topic)}`);
      }
    },
  };
}
