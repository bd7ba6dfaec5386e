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

type SymbolFilter = readonly string[] | null | undefined;

export function createSubscriptionPubSub(
  services: Pick<ApiServices, 'barFeed' | 'patterns'>,
): PubSub {
  return {
    publish: () => {
      throw new Error('publish on AppEvents (the bus the services read), not through type-graphql');
    },
    subscribe: (topic, symbols) => {
      switch (topic) {
        case TOPICS.barUpdated:
          return services.barFeed.subscribe(symbols as SymbolFilter);
        case TOPICS.patternDetected:
          return services.patterns.subscribe(symbols as SymbolFilter);
        default:
          throw new Error(`no subscription feed for topic ${JSON.stringify(topic)}`);
      }
    },
  };
}
