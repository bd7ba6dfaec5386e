import { GapFiller, type GapFillerDeps } from '../../src/ingest/gap-filler';
import type { MinuteBar } from '../../src/domain/minute-bar';
import { createQuietLogger } from '../../src/logger';

const T0 = Date.UTC(2026, 10, 24, 15, 0, 0);
const minute = (n: number) => T0 + n * 60_000;
const bar = (symbol: string, n: number): MinuteBar => ({
  symbol,
  minuteStartMs: minute(n),
  open: 1,
  high: 2,
  low: 1,
  close: 2,
  volume: 10,
  vwap: null,
});

function harness() {
  let feedTime = 0;
  const fetched: [string, number, number][] = [];
  const written: MinuteBar[] = [];
  let failNext = 0;
  const deps: GapFillerDeps = {
    fetchMinuteBars: async (symbol, from, to) => {
      fetched.push([symbol, from, to]);
      if (failNext > 0) {
        failNext--;
        throw new Error('REST down');
      }
      // The endpoint may return minutes outside the asked range; the filler must not write them.
      return [-1, 0, 1, 2, 3, 4].map((n) => bar(symbol, n));
    },
    writeRestBars: async (bars) => void written.push(...bars),
    feedTimeMs: () => feedTime,
    logger: createQuietLogger(),
  };
  const filler = new GapFiller(deps, { settleMs: 1000, maxMinutes: 60 });
  return {
    filler,
    fetched,
    written,
    setFeedTime: (ms: number) => (feedTime = ms),
    failTimes: (n: number) => (failNext = n),
  };
}

describe('GapFiller', () => {
  it('waits until the last gap minute has closed in feed time, then fills every minute of the gap', async () => {
    const h = harness();
    h.filler.enqueue({ symbol: 'AAPL', fromMs: minute(0) + 20_000, toMs: minute(2) + 5_000 });
    h.setFeedTime(minute(3) + 500); // minute 2 closed, but not settled
    h.filler.fillReadyGaps();
    expect(h.fetched).toHaveLength(0);
    h.setFeedTime(minute(3) + 1500);
    h.filler.fillReadyGaps();
    await h.filler.drain();
    expect(h.fetched).toEqual([['AAPL', minute(0), minute(2)]]);
    expect(h.written.map((b) => b.minuteStartMs)).toEqual([minute(0), minute(1), minute(2)]);
    expect(h.filler.status()).toMatchObject({ runs: 1, minutesFilled: 3, failures: 0 });
  });

  it('merges gaps of one symbol that are waiting, and caps a long gap', async () => {
    const h = harness();
    h.filler.enqueue({ symbol: 'MSFT', fromMs: minute(1), toMs: minute(1) + 10_000 });
    h.filler.enqueue({ symbol: 'MSFT', fromMs: minute(3), toMs: minute(4) });
    expect(h.filler.pendingCount()).toBe(1);
    h.setFeedTime(minute(10));
    h.filler.fillReadyGaps();
    await h.filler.drain();
    expect(h.fetched).toEqual([['MSFT', minute(1), minute(4)]]);

    const long = harness();
    long.filler.enqueue({ symbol: 'X', fromMs: minute(-500), toMs: minute(4) });
    long.setFeedTime(minute(10));
    long.filler.fillReadyGaps();
    await long.filler.drain();
    expect(long.fetched[0][1]).toBe(minute(4) - 59 * 60_000);
  });

  it('keeps a failed gap and retries it later instead of dropping it', async () => {
    const h = harness();
    h.failTimes(1);
    h.filler.enqueue({ symbol: 'NVDA', fromMs: minute(0), toMs: minute(1) });
    h.setFeedTime(minute(5));
    h.filler.fillReadyGaps();
    await h.filler.drain();
    expect(h.filler.status().failures).toBe(1);
    expect(h.filler.pendingCount()).toBe(1);
    h.filler.fillReadyGaps(); // inside the retry delay: nothing happens
    await h.filler.drain();
    expect(h.fetched).toHaveLength(1);
  });
});

describe('GapFiller after a restart', () => {
  it('fills from the newest stored minute up to the minute live data resumed in', async () => {
    const h = harness();
    h.filler.enqueueUntilLive('AAPL', minute(0));
    h.filler.fillReadyGaps(); // no live data yet: the end is unknown
    expect(h.filler.pendingCount()).toBe(1);
    h.setFeedTime(minute(2) + 30_000);
    h.filler.fillReadyGaps(); // end known now, but minute 2 is still open
    expect(h.fetched).toHaveLength(0);
    h.setFeedTime(minute(3) + 2_000);
    h.filler.fillReadyGaps();
    await h.filler.drain();
    expect(h.fetched).toEqual([['AAPL', minute(0), minute(2)]]);
  });
});

describe('GapFiller at shutdown', () => {
  it('fills waiting gaps up to the last closed minute instead of dropping them', async () => {
    const h = harness();
    h.filler.enqueue({ symbol: 'AAPL', fromMs: minute(1) + 10_000, toMs: minute(3) + 5_000 });
    h.setFeedTime(minute(3) + 20_000); // minute 3 still open: the gap is not ready yet
    h.filler.fillReadyGaps();
    expect(h.fetched).toHaveLength(0);
    await h.filler.fillPendingNow();
    expect(h.fetched).toEqual([['AAPL', minute(1), minute(2)]]);
    expect(h.written.map((b) => b.minuteStartMs)).toEqual([minute(1), minute(2)]);
    expect(h.filler.pendingCount()).toBe(0);
  });
});
