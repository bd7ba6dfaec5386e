import { GapTracker } from '../../src/ingest/massive/gap-tracker';
import type { TickData } from '../../src/domain/tick';

const T0 = Date.UTC(2026, 2, 2, 14, 30, 0);
const tick = (symbol: string, second: number) =>
  ({ symbol, startMs: T0 + second * 1000, endMs: T0 + second * 1000 + 1000 }) as TickData;

describe('GapTracker', () => {
  it('reports no gap while data flows, then one gap from the last event to the first after a drop', () => {
    const gaps = new GapTracker(2, ['AAPL', 'MSFT'], false);
    expect(gaps.onEvents([tick('AAPL', 3), tick('MSFT', 1)])).toBeNull();
    gaps.onSessionEnded('socket error: reset', true);
    gaps.onSessionEnded('connect timeout', true); // a second failed session does not move the start
    // The first frame after the drop also re-broadcasts an old second (a correction of 2):
    // the gap still ends at the newest second, not at the correction.
    expect(gaps.onEvents([tick('MSFT', 70), tick('AAPL', 2), tick('AAPL', 68)])).toEqual({
      connectionId: 2,
      symbols: ['AAPL', 'MSFT'],
      fromMs: T0 + 3_000,
      toMs: T0 + 70_000,
      reason: 'socket error: reset',
    });
    expect(gaps.onEvents([tick('AAPL', 71)])).toBeNull();
    // A frame of corrections only does not move feed time back.
    expect(gaps.onEvents([tick('AAPL', 10)])).toBeNull();
    gaps.onSessionEnded('closed by server (code 1006)', true);
    expect(gaps.onEvents([tick('AAPL', 90)])).toMatchObject({ fromMs: T0 + 71_000 });
  });

  it('for `*` names the symbols seen, and opens no gap before any session was live', () => {
    const gaps = new GapTracker(1, ['*'], true);
    gaps.onSessionEnded('connect timeout', false);
    expect(gaps.onEvents([tick('NVDA', 0)])).toBeNull();
    expect(gaps.symbolCount).toBe(1);
    gaps.onSessionEnded('closed by server (code 1006)', true);
    expect(gaps.onEvents([tick('AMD', 9)])).toMatchObject({
      symbols: ['NVDA', 'AMD'],
      fromMs: T0,
      toMs: T0 + 9_000,
    });
    expect(gaps.symbolCount).toBe(2);
  });
});
