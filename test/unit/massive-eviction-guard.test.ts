import { DEFAULT_CONNECTION_OPTIONS } from '../../src/ingest/massive/connection-options';
import { EvictionGuard } from '../../src/ingest/massive/eviction-guard';

describe('EvictionGuard: when repeated evictions mean another client uses the key', () => {
  const MINUTE = 60_000;

  it('defaults to 2 evictions within 10 minutes', () => {
    expect(DEFAULT_CONNECTION_OPTIONS.evictionLimit).toBe(2);
    expect(DEFAULT_CONNECTION_OPTIONS.evictionWindowMs).toBe(10 * MINUTE);
    const guard = new EvictionGuard(DEFAULT_CONNECTION_OPTIONS);
    expect(guard.evicted(0)).toBe(false); // one eviction: a stale socket of ours, maybe
    expect(guard.evicted(9 * MINUTE)).toBe(true);
    expect(guard.recent).toBe(2);
  });

  it('forgets evictions older than the window', () => {
    const guard = new EvictionGuard({ evictionLimit: 2, evictionWindowMs: 10 * MINUTE });
    expect(guard.evicted(0)).toBe(false);
    expect(guard.evicted(10 * MINUTE)).toBe(false); // the first one is exactly a window old
    expect(guard.recent).toBe(1);
    expect(guard.evicted(15 * MINUTE)).toBe(true);
  });

  it('counts up to a higher limit', () => {
    const guard = new EvictionGuard({ evictionLimit: 3, evictionWindowMs: MINUTE });
    expect([0, 1, 2].map((t) => guard.evicted(t * 1000))).toEqual([false, false, true]);
  });

  it('never stops with a limit of 0', () => {
    const guard = new EvictionGuard({ evictionLimit: 0, evictionWindowMs: MINUTE });
    for (let i = 0; i < 50; i++) expect(guard.evicted(i)).toBe(false);
  });
});
