import { createPubSub, type PubSubEventTarget } from '@graphql-yoga/subscription';
import type { PatternEvent } from '../domain/pattern-event';
import type { IngestStatusSnapshot } from '../domain/status';
import type { StoredBar } from '../domain/stored-bar';

export type AppEventTopics = {
  barsUpdated: [StoredBar[]];
  patternsDetected: [PatternEvent[]];
  /** The ingest leader's status snapshot, every few seconds (scale-out roles, over Redis). */
  ingestStatus: [IngestStatusSnapshot];
};

/**
 * In-process event bus feeding GraphQL subscriptions. Topics carry arrays so one flush is one
 * publish, not thousands. `eventTarget` (Redis, src/cluster/redis-fanout.ts) carries the same
 * events across processes instead.
 */
export function createAppEvents(eventTarget?: PubSubEventTarget<AppEventTopics>) {
  return createPubSub<AppEventTopics>(eventTarget === undefined ? undefined : { eventTarget });
}

export type AppEvents = ReturnType<typeof createAppEvents>;
