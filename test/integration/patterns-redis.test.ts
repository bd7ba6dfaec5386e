import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createAppEvents } from '../../src/events/app-events';
import { type PatternEvent } from '../../src/domain/pattern-event';
import { createQuietLogger } from '../../src/logger';
import { PATTERN_NAMES } from '../../src/patterns/pattern-catalog';
import { createPatternModule } from '../../src/patterns/pattern-module';
import { RedisPatternPublisher } from '../../src/patterns/redis-publisher';
import { feedEngine } from '../../testkit/engine-feed';
import { syntheticTicks } from '../../testkit/synthetic-ticks';
import { closedPort, TcpProxy } from '../../testkit/tcp-proxy';
import { waitFor } from '../../testkit/wait';
import { makePatternEvent, T0 } from '../helpers/patterns-factories';
import { patternKey } from '../helpers/patterns-stream';
import {
  createTestDatabase,
  testDatabaseKinds,
  testRedisUrl,
  type TestDatabase,
} from '../helpers/test-databases';

const redisUrl = testRedisUrl();
const logger = createQuietLogger();
const kind = testDatabaseKinds().includes('postgres') ? 'postgres' : 'pglite';
const uniqueChannel = () => `tickstock.test.patterns.${randomBytes(4).toString('hex')}`;

/** Keys a tick/bar message would carry (Massive frames, TickData, bars); a pattern event has none of them. */
const MARKET_DATA_KEYS = [
  'ev',
  'sym',
  'o',
  'h',
  'l',
  'c',
  'v',
  'open',
  'high',
  'low',
  'close',
  'volume',
  'startMs',
  'minuteStartMs',
];

const event = (i: number): PatternEvent =>
  makePatternEvent(i, {
    symbol: 'RDS',
    direction: 'bearish',
    confidence: 0.6,
    price: 50,
    priceChange: -2.2,
    indicators: { relativeVolume: 1 },
  });

/** A PSUBSCRIBE * listener recording every message on every channel. */
async function listenToEverything(url: string) {
  const subscriber = new Redis(url, { lazyConnect: true });
  const messages: { channel: string; message: string }[] = [];
  subscriber.on('pmessage', (_pattern: string, channel: string, message: string) =>
    messages.push({ channel, message }),
  );
  await subscriber.connect();
  await subscriber.psubscribe('*');
  return { messages, close: async () => void (await subscriber.quit()) };
}

describe('pattern publishing with Redis unreachable', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('keeps detecting and persisting; the Redis queue stays bounded and counts drops', async () => {
    const port = await closedPort();
    const module = createPatternModule({
      dataSource: db.dataSource,
      events: createAppEvents(),
      config: {
        redisUrl: `redis://127.0.0.1:${port}`,
        patternChannel: 'tickstock.events.patterns',
      },
      logger,
      sink: { flushIntervalMs: 20 },
      redisMaxQueue: 25,
    });
    try {
      feedEngine(
        module.engine,
        syntheticTicks({ symbols: 20, seconds: 600, seed: 5, startMs: T0 }),
      );
      await module.drain(20_000);
      const detected = Object.values(module.status().detectedByPattern).reduce((a, b) => a + b, 0);
      expect(detected).toBeGreaterThan(25);
      expect(module.engine.status().errors).toBe(0);
      const status = module.status();
      expect(status.persisted).toBe(detected);
      expect(status.published).toBe(0);
      expect(module.publisher!.status().queueDepth).toBe(25);
      expect(status.dropped).toBe(detected - 25);
      expect(status.queueDepth).toBe(25);
      expect(module.publisher!.status().state).not.toBe('ready');
      // Ingest goes on: more ticks are still evaluated synchronously, and drops keep counting.
      feedEngine(
        module.engine,
        syntheticTicks({ symbols: 20, seconds: 300, seed: 6, startMs: T0 + 3_600_000 }),
      );
      await module.drain(20_000);
      expect(module.status().dropped).toBeGreaterThan(status.dropped);
    } finally {
      await module.stop(1_000);
    }
  });
});

(redisUrl ? describe : describe.skip)('pattern publishing to a real Redis', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('publishes only pattern events on PATTERN_CHANNEL: zero tick or bar messages (PSUBSCRIBE *)', async () => {
    const listener = await listenToEverything(redisUrl!);
    const channel = uniqueChannel();
    const module = createPatternModule({
      dataSource: db.dataSource,
      events: createAppEvents(),
      config: { redisUrl: redisUrl!, patternChannel: channel },
      logger,
      sink: { flushIntervalMs: 20 },
    });
    try {
      await waitFor(() => module.publisher!.status().state === 'ready', 'publisher ready');
      feedEngine(
        module.engine,
        syntheticTicks({ symbols: 20, seconds: 600, seed: 9, startMs: T0 }),
      );
      await module.drain(20_000);
      const persisted = module.status().persisted;
      expect(persisted).toBeGreaterThan(20);
      await waitFor(
        () => listener.messages.filter((m) => m.channel === channel).length >= persisted,
        'all pattern messages',
      );

      const mine = listener.messages
        .filter((m) => m.channel === channel)
        .map((m) => JSON.parse(m.message) as Record<string, unknown>);
      expect(mine).toHaveLength(persisted);
      const rows = await db.dataSource.query<
        { symbol: string; pattern: string; timestamp: Date | string }[]
      >(`SELECT symbol, pattern, timestamp FROM patterns`);
      expect(
        mine
          .map((m) =>
            patternKey({
              symbol: m.symbol as string,
              pattern: m.pattern as string,
              timestamp: new Date(m.timestamp as string),
            }),
          )
          .sort(),
      ).toEqual(rows.map((r) => patternKey({ ...r, timestamp: new Date(r.timestamp) })).sort());
      for (const m of mine) {
        expect(PATTERN_NAMES).toContain(m.pattern);
        expect(m).toMatchObject({
          source: 'tickstock',
          id: expect.any(String),
          indicators: expect.objectContaining({ relativeVolume: expect.any(Number) }),
        });
      }
      // Whatever else shares this Redis, nothing during the run carried market data.
      for (const { message } of listener.messages) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(message);
        } catch {
          continue;
        }
        const objects = Array.isArray(parsed) ? parsed : [parsed];
        for (const o of objects) {
          if (o && typeof o === 'object')
            for (const key of MARKET_DATA_KEYS) expect(Object.keys(o)).not.toContain(key);
        }
      }
      expect(module.status()).toMatchObject({
        published: persisted,
        publishFailures: 0,
        dropped: 0,
      });
    } finally {
      await module.stop(2_000);
      await listener.close();
    }
  });

  it('survives Redis going away and coming back: bounded queue meanwhile, reconnect, publishing resumes', async () => {
    const target = new URL(redisUrl!);
    const proxy = await TcpProxy.start(target.hostname, Number(target.port || 6379), {
      whileCut: 'unlisten',
    });
    const listener = await listenToEverything(redisUrl!);
    const channel = uniqueChannel();
    const publisher = new RedisPatternPublisher({
      url: `redis://127.0.0.1:${proxy.port}`,
      channel,
      logger,
      maxQueue: 20,
      maxReconnectDelayMs: 200,
    });
    const onChannel = () => listener.messages.filter((m) => m.channel === channel);
    try {
      publisher.start();
      await waitFor(() => publisher.status().state === 'ready', 'publisher ready');
      publisher.enqueue([event(0), event(1), event(2)]);
      await waitFor(() => onChannel().length === 3, 'first three messages');

      proxy.cut();
      await waitFor(() => publisher.status().state !== 'ready', 'publisher notices the cut');
      publisher.enqueue(Array.from({ length: 50 }, (_, i) => event(100 + i)));
      expect(publisher.status()).toMatchObject({ queueDepth: 20, dropped: 30, published: 3 });

      proxy.restore(); // same port
      await waitFor(() => publisher.status().published === 23, 'the queued 20 after reconnect');
      await waitFor(() => onChannel().length === 23, 'messages after reconnect');
      const seconds = onChannel()
        .slice(3)
        .map(
          (m) =>
            (Date.parse((JSON.parse(m.message) as PatternEvent & { timestamp: string }).timestamp) -
              T0) /
            1000,
        );
      expect(seconds).toEqual(Array.from({ length: 20 }, (_, i) => 130 + i)); // the newest 20, in order
    } finally {
      await publisher.stop();
      await proxy.close();
      await listener.close();
    }
  });

  it('never blocks on a hung Redis: enqueue stays synchronous, failures are counted', async () => {
    const target = new URL(redisUrl!);
    const proxy = await TcpProxy.start(target.hostname, Number(target.port || 6379));
    const publisher = new RedisPatternPublisher({
      url: `redis://127.0.0.1:${proxy.port}`,
      channel: uniqueChannel(),
      logger,
      maxQueue: 100,
      commandTimeoutMs: 200,
    });
    try {
      publisher.start();
      await waitFor(() => publisher.status().state === 'ready', 'publisher ready');
      proxy.hold('both');
      for (let i = 0; i < 1000; i++) publisher.enqueue([event(i)]);
      const status = publisher.status();
      expect(status.queueDepth).toBeLessThanOrEqual(100);
      expect(status.dropped).toBeGreaterThanOrEqual(900 - 256);
      await waitFor(() => publisher.status().publishFailures > 0, 'timed-out publish counted');
    } finally {
      await publisher.stop();
      await proxy.close();
    }
  });
});
