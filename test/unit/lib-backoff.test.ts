import { backoffDelay, type BackoffPolicy } from '../../src/lib/backoff';

const LOW = () => 0;
const HIGH = () => 0.999999;

describe('backoffDelay jitter shapes', () => {
  it('jitter 0 is exactly the capped envelope (the gap filler: 2 s, 4 s, … 60 s)', () => {
    const policy: BackoffPolicy = { minMs: 2_000, maxMs: 60_000, factor: 2, jitter: 0 };
    const delays = [0, 1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(policy, attempt, HIGH));
    expect(delays).toEqual([2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
    expect(backoffDelay(policy, 3, LOW)).toBe(16_000);
  });

  it('jitter 0.5 spreads over the upper half of the envelope, never below minMs', () => {
    const policy: BackoffPolicy = { minMs: 100, maxMs: 5_000, factor: 2, jitter: 0.5 };
    expect([0, 1, 2, 3].map((attempt) => backoffDelay(policy, attempt, LOW))).toEqual([
      100, 100, 200, 400,
    ]);
    expect([0, 1, 2, 3].map((attempt) => backoffDelay(policy, attempt, HIGH))).toEqual([
      100, 200, 400, 800,
    ]);
    expect(backoffDelay(policy, 40, LOW)).toBe(2_500);
    expect(backoffDelay(policy, 40, HIGH)).toBe(5_000);
  });

  it('jitter 0.2 stays within 20 % below the envelope, capped at maxMs', () => {
    const policy: BackoffPolicy = { minMs: 200, maxMs: 10_000, factor: 2, jitter: 0.2 };
    expect(backoffDelay(policy, 3, LOW)).toBe(1_280);
    expect(backoffDelay(policy, 3, HIGH)).toBe(1_600);
    expect(backoffDelay(policy, 12, LOW)).toBe(8_000);
    expect(backoffDelay(policy, 12, HIGH)).toBe(10_000);
  });

  it('stays finite for huge attempts, even from a zero minimum', () => {
    const policy: BackoffPolicy = { minMs: 0, maxMs: 1_000, factor: 2 };
    expect(backoffDelay(policy, 5_000, HIGH)).toBe(1_000);
  });
});
