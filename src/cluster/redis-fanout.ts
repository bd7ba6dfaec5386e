import type { PubSubEventTarget } from '@graphql-yoga/subscription';
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { Redis } from 'ioredis';
import type { AppEventTopics } from '../events/app-events';
import type { Logger } from '../logger';
import { RateLimitedLog } from '../logger';

/** Redis channels of the fan-out are `<prefix><topic>`, apart from PATTERN_CHANNEL's. */
export const FANOUT_CHANNEL_PREFIX = 'tickstock.fanout.';

/** The ingest leader's commit events (src/cluster/commit-publisher.ts), for API read caches. */
export const COMMIT_CHANNEL = 'tickstock.commits';

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
  /**
   * Publishes a commit message on the connection that publishes the events, so a commit's
   * message precedes the barsUpdated event of the same flush on every subscriber.
   */
  publishCommit: (message: string) => void;
  /**
   * Commit messages, in publish order, from the subscription that also carries the events;
   * `lost` is called whenever that subscription may have missed messages (connection closed).
   */
  onCommits: (handlers: { message(message: string): void; lost(): void }) => void;
  close(): Promise<void>;
}

/** QUIT when connected (bounded: Redis may die meanwhile); a reconnecting client is just dropped. */
async function end(redis: Redis): Promise<void> {
  if (redis.status === 'ready') {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      redis.quit().catch(() => undefined),
      new Promise((resolve) => (timer = setTimeout(resolve, 1_000))),
    ]);
    clearTimeout(timer);
  }
  redis.disconnect();
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
    publishCommit: (message) => {
      publishClient
        .publish(COMMIT_CHANNEL, message)
        .catch((error: unknown) =>
          log.warn('redis-commit', { err: error }, 'commit message not published'),
        );
    },
    onCommits: (handlers) => {
      subscribeClient.on('message', (channel: string, message: string) => {
        if (channel === COMMIT_CHANNEL) handlers.message(message);
      });
      // ioredis resubscribes after a reconnect; what was published meanwhile is gone.
      subscribeClient.on('close', () => handlers.lost());
      subscribeClient.subscribe(COMMIT_CHANNEL).catch((error: unknown) => {
        log.warn('redis-commit-sub', { err: error }, 'commit channel subscription failed');
        handlers.lost();
      });
    },
    close: async () => {
      await Promise.allSettled([end(publishClient), end(subscribeClient)]);
    },
  };
}
