/**
 * Unit tests of the dashboard's pure logic (src/web): bar merging, pattern feed, tick rate,
 * poll settings, page state, formatting and the poll scheduler. No browser needed; the browser
 * behaviour is covered by dashboard.e2e.test.ts.
 */
import { BarStore, toChartBar } from '../../src/web/bar-store';
import {
  formatCompact,
  formatConfidence,
  formatDuration,
  formatInt,
  formatLatencyPair,
  formatPercent,
  formatPrice,
} from '../../src/web/format';
import { PATTERN_LOOKBACK_MS, PatternStore } from '../../src/web/pattern-store';
import { parsePollMs, pollChoices, resolvePollMs } from '../../src/web/poll-settings';
import { Poller } from '../../src/web/poller';
import { bannerText, liveState, staleAfterMs, type StatusInput } from '../../src/web/status-view';
import { TickRate } from '../../src/web/tick-rate';
import type { ApiBar, ApiPattern } from '../../src/web/types';

const T0 = Date.parse('2025-03-03T14:30:00.000Z');
const MIN = 60_000;

function bar(minute: number, close: number, volume: number, symbol = 'AAPL'): ApiBar {
  return {
    symbol,
    timestamp: new Date(T0 + minute * MIN).toISOString(),
    open: 100,
    high: Math.max(100, close) + 1,
    low: Math.min(100, close) - 1,
    close,
    volume,
    vwap: null,
  };
}

describe('BarStore', () => {
  it('loads bars in time order, one per minute, with `since` = the newest timestamp as sent', () => {
    const store = new BarStore('AAPL');
    const shown = store.load([bar(0, 101, 10), bar(2, 103, 30), bar(1, 102, 20)]);
    expect(shown.map((b) => b.time)).toEqual([0, 1, 2].map((m) => (T0 + m * MIN) / 1000));
    expect(store.since).toBe(new Date(T0 + 2 * MIN).toISOString());
  });

  it('merges the in-progress minute in place and appends a new minute', () => {
    const store = new BarStore('AAPL');
    store.load([bar(0, 101, 10), bar(1, 102, 20)]);
    const inPlace = store.merge([bar(1, 102.5, 25)], 100);
    expect(inPlace).toEqual({
      kind: 'update',
      bars: [{ bar: toChartBar(bar(1, 102.5, 25)), historical: false }],
    });
    expect(store.bars).toHaveLength(2);
    const appended = store.merge([bar(1, 102.5, 25), bar(2, 99, 5)], 100);
    expect(appended.kind).toBe('update');
    expect(appended.kind === 'update' && appended.bars.map((c) => c.bar.close)).toEqual([99]);
    expect(store.bars.map((b) => b.volume)).toEqual([10, 25, 5]);
    expect(store.since).toBe(new Date(T0 + 2 * MIN).toISOString());
  });

  it('reports nothing when a poll brings no change', () => {
    const store = new BarStore('AAPL');
    store.load([bar(0, 101, 10)]);
    expect(store.merge([bar(0, 101, 10)], 100)).toEqual({ kind: 'none' });
    expect(store.merge([], 100)).toEqual({ kind: 'none' });
  });

  it('ignores bars of another symbol (a late answer after a switch) and unusable bars', () => {
    const store = new BarStore('MSFT');
    store.load([bar(0, 50, 1, 'MSFT')]);
    expect(
      store.merge([bar(1, 51, 2, 'AAPL'), { ...bar(2, 52, 3, 'MSFT'), close: Number.NaN }], 100),
    ).toEqual({ kind: 'none' });
    expect(store.bars).toHaveLength(1);
  });

  it('updates an older existing bar as historical and redraws when a missing minute is inserted', () => {
    const store = new BarStore('AAPL');
    store.load([bar(0, 101, 10), bar(2, 103, 30)]);
    expect(store.merge([bar(0, 100.5, 11)], 100)).toEqual({
      kind: 'update',
      bars: [{ bar: toChartBar(bar(0, 100.5, 11)), historical: true }],
    });
    const inserted = store.merge([bar(1, 102, 20)], 100);
    expect(inserted.kind).toBe('reset');
    expect(store.bars.map((b) => b.close)).toEqual([100.5, 102, 103]);
  });

  it('detects a gap when a full answer does not reach back to the newest bar shown', () => {
    const store = new BarStore('AAPL');
    store.load([bar(0, 101, 10)]);
    expect(store.merge([bar(5, 1, 1), bar(6, 1, 1)], 2)).toEqual({ kind: 'gap' });
    expect(store.bars).toHaveLength(1); // nothing merged: the caller reloads
    // Full but overlapping (window mode): no gap.
    expect(store.merge([bar(0, 101, 12), bar(1, 1, 1)], 2).kind).toBe('update');
  });

  it('keeps at most maxBars, redrawing when it trims', () => {
    const store = new BarStore('AAPL', 3);
    store.load([bar(0, 1, 1), bar(1, 2, 2), bar(2, 3, 3)]);
    const result = store.merge([bar(3, 4, 4)], 100);
    expect(result.kind).toBe('reset');
    expect(store.bars.map((b) => b.close)).toEqual([2, 3, 4]);
  });

  it('treats the first bars after an empty load as a redraw', () => {
    const store = new BarStore('AAPL');
    store.load([]);
    expect(store.since).toBeNull();
    expect(store.merge([bar(0, 1, 1)], 100).kind).toBe('reset');
  });
});

function pattern(symbol: string, name: string, second: number): ApiPattern {
  return {
    symbol,
    pattern: name,
    direction: 'bullish',
    confidence: 0.8,
    price: 100,
    priceChange: 1.5,
    timestamp: new Date(T0 + second * 1000).toISOString(),
    expiresAt: new Date(T0 + second * 1000 + 5 * MIN).toISOString(),
  };
}

describe('PatternStore', () => {
  it('keeps patterns newest first, drops duplicates, and looks back from the newest seen', () => {
    const store = new PatternStore();
    expect(store.since).toBeNull();
    expect(
      store.merge([pattern('AAPL', 'Price_Gap', 30), pattern('MSFT', 'Doji', 0)]),
    ).toHaveLength(2);
    // Re-delivered (the look-back re-reads it) plus a late candle pattern with an older stamp.
    const added = store.merge([pattern('AAPL', 'Price_Gap', 30), pattern('AAPL', 'Hammer', 10)]);
    expect(added).toEqual(['AAPL|Hammer|' + String(T0 + 10_000)]);
    expect(store.items.map((p) => p.pattern)).toEqual(['Price_Gap', 'Hammer', 'Doji']);
    expect(store.since).toBe(new Date(T0 + 30_000 - PATTERN_LOOKBACK_MS).toISOString());
    store.useSince = false;
    expect(store.since).toBeNull();
  });

  it('is bounded', () => {
    const store = new PatternStore(3);
    store.merge([1, 2, 3, 4, 5].map((s) => pattern('AAPL', 'Price_Gap', s)));
    expect(store.items.map((p) => Date.parse(p.timestamp))).toEqual(
      [5, 4, 3].map((s) => T0 + s * 1000),
    );
    // Something older than everything kept is not re-added as new.
    expect(store.merge([pattern('AAPL', 'Price_Gap', 1)])).toEqual([]);
  });
});

describe('TickRate', () => {
  it('derives ticks/s from successive ticksProcessed readings', () => {
    const rate = new TickRate(10_000);
    expect(rate.add(1000, 0)).toBeNull();
    expect(rate.add(1500, 1000)).toBe(500);
    expect(rate.add(3500, 3000)).toBe(2500 / 3);
  });

  it('forgets readings older than its window and restarts after a counter reset', () => {
    const rate = new TickRate(2000);
    rate.add(0, 0);
    rate.add(100, 1000);
    rate.add(1100, 2000);
    expect(rate.add(2100, 3000)).toBe(1000); // window now starts at the 2000 ms reading
    expect(rate.add(50, 4000)).toBeNull(); // service restarted: counter went down
    expect(rate.add(150, 5000)).toBe(100);
  });
});

describe('poll settings', () => {
  it('clamps to 1–5 s and prefers ?poll= over the page meta over the default', () => {
    expect(parsePollMs('250')).toBe(1000);
    expect(parsePollMs('9000')).toBe(5000);
    expect(parsePollMs('abc')).toBeNull();
    expect(parsePollMs('')).toBeNull();
    expect(resolvePollMs('3000', '1000')).toBe(3000);
    expect(resolvePollMs(null, '1000')).toBe(1000);
    expect(resolvePollMs('x', null)).toBe(2000);
    expect(pollChoices(1500)).toEqual([1000, 1500, 2000, 3000, 5000]);
  });
});

describe('page state', () => {
  const base: StatusInput = {
    now: 100_000,
    pollMs: 2000,
    paused: false,
    lastOkAt: 99_000,
    unreachable: null,
    queryError: null,
    feedLive: true,
    feedStates: ['live'],
  };

  it('is live when polls succeed and the feed is connected', () => {
    expect(liveState(base)).toBe('live');
    expect(bannerText('live', base)).toBeNull();
  });

  it('shows a disconnected banner when the API cannot be reached, and an error banner for GraphQL errors', () => {
    const offline = { ...base, unreachable: 'API unreachable' };
    expect(liveState(offline)).toBe('offline');
    expect(bannerText('offline', offline)).toMatch(
      /^Disconnected: .*API unreachable.*Retrying every 2 s/,
    );
    const failing = { ...base, queryError: 'internal error' };
    expect(liveState(failing)).toBe('error');
    expect(bannerText('error', failing)).toContain('internal error');
  });

  it('turns stale when no poll succeeded for three intervals (at least 6 s)', () => {
    expect(staleAfterMs(1000)).toBe(6000);
    expect(staleAfterMs(5000)).toBe(15_000);
    expect(liveState({ ...base, lastOkAt: base.now - 6001 })).toBe('stale');
    expect(liveState({ ...base, lastOkAt: base.now - 5999 })).toBe('live');
  });

  it('reports a feed that is not connected, and pausing wins over everything', () => {
    const down = { ...base, feedLive: false, feedStates: ['backoff'] };
    expect(liveState(down)).toBe('feed-down');
    expect(bannerText('feed-down', down)).toContain('backoff');
    expect(liveState({ ...down, paused: true, unreachable: 'x' })).toBe('paused');
    expect(liveState({ ...base, lastOkAt: null })).toBe('connecting');
  });
});

describe('format', () => {
  it('formats numbers for the panels', () => {
    expect(formatPrice(101.234)).toBe('101.23');
    expect(formatPrice(0.12345)).toBe('0.1235');
    expect(formatPrice(null)).toBe('–');
    expect(formatInt(1234567)).toBe('1,234,567');
    expect(formatCompact(950)).toBe('950');
    expect(formatCompact(12_300)).toBe('12.3K');
    expect(formatCompact(4_560_000)).toBe('4.56M');
    expect(formatDuration(350)).toBe('350 ms');
    expect(formatDuration(2000)).toBe('2 s');
    expect(formatDuration(4200)).toBe('4.2 s');
    expect(formatDuration(185_000)).toBe('3 m 05 s');
    expect(formatDuration(7_800_000)).toBe('2 h 10 m');
    expect(formatPercent(1.5)).toBe('+1.50%');
    expect(formatPercent(-0.25)).toBe('-0.25%');
    expect(formatConfidence(0.734)).toBe('73%');
    expect(formatConfidence(88)).toBe('88%');
    expect(formatLatencyPair(4.6, 105.2)).toBe('5 / 105 ms');
    expect(formatLatencyPair(800, 1250)).toBe('0.8 / 1.3 s');
  });
});

describe('Poller', () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  /** A task whose runs the test finishes by hand. */
  function controllableTask() {
    const runs: { startedAt: number; finish: () => void }[] = [];
    const task = () =>
      new Promise<void>((resolve) => {
        runs.push({ startedAt: Date.now(), finish: resolve });
      });
    return { runs, task };
  }

  async function flush(): Promise<void> {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  }

  it('polls start to start, never overlapping, and a slow poll delays the next', async () => {
    const { runs, task } = controllableTask();
    const poller = new Poller(task, 1000, () => undefined);
    poller.start();
    expect(runs).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(300);
    runs[0].finish();
    await flush();
    await jest.advanceTimersByTimeAsync(699);
    expect(runs).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(runs.map((r) => r.startedAt)).toEqual([0, 1000]);
    // This one takes 2.5 s: no second request meanwhile, the next starts right after.
    await jest.advanceTimersByTimeAsync(2500);
    expect(runs).toHaveLength(2);
    runs[1].finish();
    await flush();
    await jest.advanceTimersByTimeAsync(0);
    expect(runs.map((r) => r.startedAt)).toEqual([0, 1000, 3500]);
    poller.stop();
  });

  it('pauses, resumes at once, and re-polls right after the one in flight when triggered', async () => {
    const { runs, task } = controllableTask();
    const poller = new Poller(task, 1000, () => undefined);
    poller.start();
    poller.triggerNow(); // in flight: queued, not concurrent
    expect(runs).toHaveLength(1);
    runs[0].finish();
    await flush();
    expect(runs).toHaveLength(2);
    poller.pause();
    runs[1].finish();
    await flush();
    await jest.advanceTimersByTimeAsync(10_000);
    expect(runs).toHaveLength(2);
    poller.resume();
    expect(runs).toHaveLength(3);
    expect(runs[2].startedAt).toBe(10_000);
    poller.stop();
  });

  it('reports a failing task and keeps polling', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const poller = new Poller(
      async () => {
        calls++;
        throw new Error(`boom ${calls}`);
      },
      1000,
      (error) => errors.push(error),
    );
    poller.start();
    await jest.advanceTimersByTimeAsync(2000);
    expect(calls).toBe(3);
    expect(errors.map((e) => (e as Error).message)).toEqual(['boom 1', 'boom 2', 'boom 3']);
    poller.setInterval(5000);
    await jest.advanceTimersByTimeAsync(4999);
    expect(calls).toBe(3);
    await jest.advanceTimersByTimeAsync(1);
    expect(calls).toBe(4);
    poller.stop();
  });
});
