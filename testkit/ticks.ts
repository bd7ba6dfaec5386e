import type { TickData } from '../src/domain/tick';

/**
 * The fields of one per-second window a test or generator decides; vwap defaults to null (none
 * sent), receivedAtMs to the window's end.
 */
export type SecondWindow = Pick<
  TickData,
  'symbol' | 'startMs' | 'open' | 'high' | 'low' | 'close' | 'volume'
> &
  Partial<Pick<TickData, 'vwap' | 'receivedAtMs'>>;

/** A per-second `A` tick from the simulator, without the day fields (`av`, `op`, `a`, `z`). */
export function secondTick(window: SecondWindow): TickData {
  return {
    symbol: window.symbol,
    eventType: 'A',
    startMs: window.startMs,
    endMs: window.startMs + 1000,
    open: window.open,
    high: window.high,
    low: window.low,
    close: window.close,
    volume: window.volume,
    vwap: window.vwap ?? null,
    accumulatedVolume: null,
    dayOpen: null,
    dayVwap: null,
    averageTradeSize: null,
    source: 'simulator',
    receivedAtMs: window.receivedAtMs ?? window.startMs + 1000,
  };
}
