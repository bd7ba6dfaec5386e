import type { PubSubEventTarget } from '@graphql-yoga/subscription';
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { Redis } from 'ioredis';
import type { AppEventTopics } from '../events/app-events';
import type { Logger } from '../logger';
import { RateLimitedLog } from '../logger';

/** Redis channels of the fan-out are `<prefix><topic>`, apart from PATTERN_CHANNEL's. */
export const FANOUT_CHANNEL_PREFIX = 'tickstock.fanout.';

/** Event fields that are Dates in the domain types and ISO strings on the wire. */
const DATE_FIELDS = new Set(['timestamp', 'expiresAt']);

const serializer = {
  stringify: (message: unknown) => JSON.stringify(message),
  parse: (message: string): unknown =>
    JSON.parse(message, (key, value: unknown) =>
      DATE_FIELDS.has(key) && typeof value === 'string' ? new Date(value) : value,
    ),
};

export interface RedisFanout {
  eventTarget: PubSubEventTarget<AppEventTopics>;
  close(): Promise<void>;
}

/**
 * Subscription events across processes: the ingest leader publishes each flush's bars and each
 * batch of patterns to Redis, every API instance pushes them to its own graphql-ws subscribers.
 * graphql-yoga's Redis event target on the PubSub the services already read, so resolvers and
 * services do not know whether an event came from this process or another.
 */
export function createRedisFanout(url: string, logger: Logger): RedisFanout {
  const log = new RateLimitedLog(logger);
  const client = (role: string) => {
    const redis = new Redis(url, {
      lazyConnect: false,
      maxRetriesPerRequest: null,
      // The ready check (INFO) is refused on a connection already in subscriber mode: a
      // SUBSCRIBE issued while connecting (the status relay's, at start-up) raced it, the check
      // failed and that subscription was lost.
      enableReadyCheck: role !== 'subscribe',
    });
    redis.on('error', (error) => log.warn(`redis-${role}`, { err: error }, 'redis fan-out error'));
    return redis;
  };
  const publishClient = client('publish');
  const subscribeClient = client('subscribe');
  const target = createRedisEventTarget<CustomEvent>({
    publishClient,
    subscribeClient,
    serializer,
  });
  const channel = (topic: string) => `${FANOUT_CHANNEL_PREFIX}${topic}`;
  const eventTarget = {
    addEventListener: (topic: string, listener: EventListenerOrEventListenerObject | null) =>
      target.addEventListener(channel(topic), listener as never),
    removeEventListener: (topic: string, listener: EventListenerOrEventListenerObject | null) =>
      target.removeEventListener(channel(topic), listener as never),
    dispatchEvent: (event: CustomEvent) =>
      target.dispatchEvent(
        new CustomEvent(channel(event.type), { detail: event.detail as unknown }),
      ),
  } as unknown as PubSubEventTarget<AppEventTopics>;
  return {
    eventTarget,
    close: async () => {
      await Promise.allSettled([publishClient.quit(), subscribeClient.quit()]);
    },
  };
}
