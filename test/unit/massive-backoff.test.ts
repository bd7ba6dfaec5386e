import { backoffDelay, parseRetryAfter } from '../../src/lib/backoff';
import { BackfillClosedError, MassivePoolConfigError } from '../../src/ingest/massive/errors';
import { splitSymbols } from '../../src/ingest/massive/pool';
import { RequestLimiter } from '../../src/ingest/massive/request-limiter';

const POLICY = { minMs: 100, maxMs: 5_000, factor: 2 };

describe('backoffDelay (capped exponential, full jitter)', () => {
  it('spans [min, min·2^attempt] and is capped at max', () => {
    expect([0, 1, 2, 3].map((attempt) => backoffDelay(POLICY, attempt, () => 0))).toEqual([
      100, 100, 100, 100,
    ]);
    expect([0, 1, 2, 3].map((attempt) => backoffDelay(POLICY, attempt, () => 0.999999))).toEqual([
      100, 200, 400, 800,
    ]);
    expect(backoffDelay(POLICY, 30, () => 0.999999)).toBe(5_000);
    expect(backoffDelay(POLICY, 10_000, () => 0.5)).toBe(2_550);
  });

  it('spreads retries over the envelope', () => {
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const delays = Array.from({ length: 2_000 }, () => backoffDelay(POLICY, 6, random));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(100);
    expect(Math.max(...delays)).toBeLessThanOrEqual(5_000);
    expect(new Set(delays.map((d) => Math.floor(d / 500))).size).toBeGreaterThanOrEqual(10);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    const now = Date.parse('2025-01-02T03:04:05Z');
    expect(parseRetryAfter('2', now)).toBe(2_000);
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('Thu, 02 Jan 2025 03:04:15 GMT', now)).toBe(10_000);
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
  });
});

describe('splitSymbols', () => {
  it('splits into disjoint, balanced, order-independent sets', () => {
    const symbols = ['TSLA', 'AAPL', 'MSFT', 'NVDA', 'AMZN', 'GOOGL', 'META', 'AAPL'];
    const sets = splitSymbols(symbols, 3);
    expect(sets).toHaveLength(3);
    expect(sets.flat().sort()).toEqual([...new Set(symbols)].sort());
    expect(new Set(sets.flat()).size).toBe(7);
    expect(sets.map((set) => set.length).sort()).toEqual([2, 2, 3]);
    expect(splitSymbols([...symbols].reverse(), 3)).toEqual(sets);
  });

  it('never opens an empty socket', () => {
    expect(splitSymbols(['AAPL', 'MSFT'], 3)).toEqual([['AAPL'], ['MSFT']]);
  });

  it('keeps * on one socket and refuses to split it', () => {
    expect(splitSymbols(['*'], 1)).toEqual([['*']]);
    expect(() => splitSymbols(['*'], 2)).toThrow(MassivePoolConfigError);
    expect(() => splitSymbols(['*', 'AAPL'], 1)).toThrow(MassivePoolConfigError);
    expect(() => splitSymbols(['AAPL'], 4)).toThrow(MassivePoolConfigError);
    expect(() => splitSymbols([], 1)).toThrow(MassivePoolConfigError);
  });
});

describe('RequestLimiter', () => {
  it('never lets more than maxConcurrent run at once, and serves everyone', async () => {
    const limiter = new RequestLimiter({ maxConcurrent: 2, requestsPerSecond: 0 });
    let running = 0;
    let peak = 0;
    const task = async () => {
      await limiter.acquire();
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setImmediate(resolve));
      running--;
      limiter.release();
    };
    await Promise.all(Array.from({ length: 9 }, task));
    expect(peak).toBe(2);
    expect(limiter.inFlight).toBe(0);
  });

  it('spaces request starts by 1/requestsPerSecond', async () => {
    const limiter = new RequestLimiter({ maxConcurrent: 10, requestsPerSecond: 50 });
    const starts: number[] = [];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        await limiter.acquire();
        starts.push(Date.now());
        limiter.release();
      }),
    );
    // A lower bound only (the limiter never starts early); the machine may always be slower.
    expect(starts[3] - starts[0]).toBeGreaterThanOrEqual(3 * 20 - 2);
  });

  it('rejects waiters on close', async () => {
    const limiter = new RequestLimiter({ maxConcurrent: 1, requestsPerSecond: 0 });
    await limiter.acquire();
    const waiting = limiter.acquire();
    limiter.close();
    await expect(waiting).rejects.toBeInstanceOf(BackfillClosedError);
    await expect(limiter.acquire()).rejects.toBeInstanceOf(BackfillClosedError);
  });
});
