import { createPubSub } from '@graphql-yoga/subscription';
import type { PatternEvent } from '../domain/pattern-event';
import type { StoredBar } from '../domain/stored-bar';

/**
 * In-process event bus feeding GraphQL subscriptions. Topics carry arrays so one flush is one
 * publish, not thousands.
 */
export function createAppEvents() {
  return createPubSub<{
    barsUpdated: [StoredBar[]];
    patternsDetected: [PatternEvent[]];
  }>();
}

export type AppEvents = ReturnType<typeof createAppEvents>;
