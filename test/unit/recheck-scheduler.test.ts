import type { MinuteBar } from '../../src/domain/minute-bar';
import type { StoredBar } from '../../src/domain/stored-bar';
import { RecheckScheduler } from '../../src/ingest/recheck-scheduler';
import { createQuietLogger } from '../../src/logger';

const T0 = Date.UTC(2026, 2, 2, 14, 30, 0);
const MIN = 60_000;

const rest = (m: number, volume: number): MinuteBar => ({
  symbol: 'AAPL',
  minuteStartMs: T0 + m * MIN,
  open: 10,
  high: 11,
  low: 9,
  close: 10.5,
  volume,
  vwap: 10.25,
});
const stored = (m: number, volume: number): StoredBar => ({
  symbol: 'AAPL',
  timestamp: new Date(T0 + m * MIN),
  open: '10',
  high: '11',
  low: '9',
  close: '10.5',
  volume,
  vwap: '10.25',
});

function harness(options: { requestsPerMinute?: number; fail?: number } = {}) {
  let now = T0;
  let failures = options.fail ?? 0;
  const requests: [number, number][] = [];
  const written: MinuteBar[] = [];
  const restBars = new Map<number, MinuteBar>();
  const rows = new Map<number, StoredBar>();
  const scheduler = new RecheckScheduler(
    {
      fetchMinuteBars: async (_symbol, from, to) => {
        requests.push([from, to]);
        if (failures-- > 0) throw new Error('REST down');
        return [...restBars.values()].filter(
          (b) => b.minuteStartMs >= from && b.minuteStartMs <= to,
        );
      },
      readStored: async (_symbol, from, to) =>
        [...rows.values()].filter(
          (b) => b.timestamp.getTime() >= from && b.timestamp.getTime() <= to,
        ),
      writeFinal: async (bars) => void written.push(...bars),
      clockMs: () => now,
      logger: createQuietLogger(),
    },
    { windowMs: 2 * MIN, batchDelayMs: 30_000, requestsPerMinute: options.requestsPerMinute ?? 60 },
  );
  return {
    scheduler,
    requests,
    written,
    restBars,
    rows,
    at: (ms: number) => (now = ms),
  };
}

describe('RecheckScheduler', () => {
  it('waits for the window and the batch delay, then replaces only minutes REST has differently', async () => {
    const h = harness();
    for (const m of [0, 1, 2]) {
      h.scheduler.schedule('AAPL', T0 + m * MIN, 'gap-fill');
      h.rows.set(m, stored(m, 100));
    }
    h.restBars.set(0, rest(0, 100)); // same as stored
    h.restBars.set(1, rest(1, 130)); // a late trade the live bar missed
    h.at(T0 + 3 * MIN); // minute 0's window just closed: batch delay still running
    await h.scheduler.runDue();
    expect(h.requests).toEqual([]);
    h.at(T0 + 5 * MIN + 30_000); // 0, 1 and 2 all past window + delay
    await h.scheduler.runDue();
    expect(h.requests).toEqual([[T0, T0 + 2 * MIN]]); // one request for the range
    expect(h.written.map((b) => b.volume)).toEqual([130]);
    expect(h.scheduler.status()).toMatchObject({
      pending: 0,
      minutesChecked: 3,
      minutesReplaced: 1,
      volumeDrift: 30,
      missingInRest: 1,
      scheduled: { 'gap-fill': 3 },
    });
  });

  it('counts a minute once per reason, spends at most its budget, and retries a failed request', async () => {
    const h = harness({ requestsPerMinute: 1, fail: 1 });
    h.scheduler.schedule('AAPL', T0, 'restart');
    h.scheduler.schedule('AAPL', T0, 'restart');
    h.scheduler.schedule('AAPL', T0, 'conflict');
    h.scheduler.schedule('AAPL', T0 + 200 * MIN, 'reconcile'); // beyond one request's range
    h.restBars.set(0, rest(0, 5));
    h.at(T0 + 300 * MIN);
    await h.scheduler.runDue();
    expect(h.requests).toHaveLength(1); // failed; and no budget left this minute anyway
    expect(h.scheduler.status()).toMatchObject({ failures: 1, pending: 2 });
    expect(h.scheduler.status().scheduled).toMatchObject({ restart: 1, conflict: 1, reconcile: 1 });
  });
});
