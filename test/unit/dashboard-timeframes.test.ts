import { BarStore } from '../../src/web/bar-store';
import { liveState, bannerText, type StatusInput } from '../../src/web/status-view';
import { timeframeByLabel, TIMEFRAMES } from '../../src/web/timeframes';
import type { ApiBar } from '../../src/web/types';

const bar = (iso: string, close = 10): ApiBar => ({
  symbol: 'AAPL',
  timestamp: iso,
  open: 10,
  high: 11,
  low: 9,
  close,
  volume: 100,
  vwap: null,
});

describe('dashboard: timeframes, scroll back and market closed', () => {
  it('prepends older bars in front, skipping any already shown', () => {
    const store = new BarStore('AAPL');
    store.load([bar('2025-11-03T15:00:00.000Z'), bar('2025-11-03T15:05:00.000Z')]);
    const added = store.prepend([
      bar('2025-11-03T14:50:00.000Z'),
      bar('2025-11-03T14:55:00.000Z'),
      bar('2025-11-03T15:00:00.000Z'), // already shown
    ]);
    expect(added).toBe(2);
    expect(store.bars.map((b) => new Date(b.time * 1000).toISOString())).toEqual([
      '2025-11-03T14:50:00.000Z',
      '2025-11-03T14:55:00.000Z',
      '2025-11-03T15:00:00.000Z',
      '2025-11-03T15:05:00.000Z',
    ]);
    expect(store.since).toBe('2025-11-03T15:05:00.000Z');
  });

  it('places a pattern on the candle holding its minute, within the timeframe only', () => {
    const store = new BarStore('AAPL');
    store.load([bar('2025-11-03T15:00:00.000Z'), bar('2025-11-03T15:10:00.000Z')]);
    const s = (iso: string) => Date.parse(iso) / 1000;
    const five = timeframeByLabel('5m').maxSeconds;
    expect(store.barTimeAt(s('2025-11-03T15:03:00Z'), five)).toBe(s('2025-11-03T15:00:00Z'));
    expect(store.barTimeAt(s('2025-11-03T15:07:00Z'), five)).toBeNull(); // empty bucket
    expect(store.barTimeAt(s('2025-11-03T14:59:00Z'), five)).toBeNull(); // before the chart
    expect(store.barTimeAt(s('2025-11-03T15:10:00Z'), 60)).toBe(s('2025-11-03T15:10:00Z'));
  });

  it('offers 1m 5m 15m 1h 1D and falls back to 1m', () => {
    expect(TIMEFRAMES.map((t) => t.label)).toEqual(['1m', '5m', '15m', '1h', '1D']);
    expect(timeframeByLabel('nonsense').label).toBe('1m');
    expect(timeframeByLabel('1D').value).toEqual({ multiplier: 1, unit: 'DAY' });
  });

  it('a quiet or disconnected feed while the market is closed is "closed", not a fault', () => {
    const now = Date.parse('2025-11-04T03:00:00Z'); // 22:00 EST
    const base: StatusInput = {
      now,
      pollMs: 2000,
      paused: false,
      lastOkAt: now - 500,
      unreachable: null,
      queryError: null,
      feedLive: true,
      feedStates: ['live'],
    };
    const quiet = { ...base, marketClosed: true, lastTickAt: now - 10 * 60_000 };
    expect(liveState(quiet)).toBe('closed');
    expect(bannerText('closed', quiet)).toContain('market is closed');
    expect(liveState({ ...quiet, feedLive: false, feedStates: ['backoff'] })).toBe('closed');
    // Ticks still flowing (the simulator never sleeps): live.
    expect(liveState({ ...quiet, lastTickAt: now - 1000 })).toBe('live');
    // During market hours a down feed stays a fault, and a broken API always is one.
    expect(
      liveState({ ...base, marketClosed: false, feedLive: false, feedStates: ['backoff'] }),
    ).toBe('feed-down');
    expect(liveState({ ...quiet, unreachable: 'x' })).toBe('offline');
  });
});
