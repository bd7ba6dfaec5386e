import type { PubSub } from 'type-graphql';
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

export function createSubscriptionPubSub(
  services: Pick<ApiServices, 'barFeed' | 'patterns'>,
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
        case TOPICS.barUpdated:
          return asStream(services.barFeed.subscribe(symbols as TickerArgument));
        case TOPICS.patternDetected:
          return asStream(services.patterns.subscribe(symbols as TickerArgument));
        default:
          throw new Error(`no subscription feed for topic ${JSON.stringify(topic)}`);
      }
    },
  };
}
