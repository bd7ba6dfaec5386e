import { Redis } from 'ioredis';

/**
 * Subscribes to every channel (PSUBSCRIBE *) for `ms` and counts messages per channel: the old
 * system's tick channels must stay silent; only the pattern channel may carry messages.
 */
export async function watchRedisChannels(url: string, ms: number): Promise<Map<string, number>> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
  });
  const counts = new Map<string, number>();
  redis.on('pmessage', (_pattern: string, channel: string) =>
    counts.set(channel, (counts.get(channel) ?? 0) + 1),
  );
  try {
    await redis.connect();
    await redis.psubscribe('*');
    await new Promise((resolve) => setTimeout(resolve, ms));
  } finally {
    redis.disconnect();
  }
  return counts;
}
