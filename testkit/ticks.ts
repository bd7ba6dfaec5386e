import type { TickData } from '../src/domain/tick';

/** The fields of one per-second window a test or generator decides; the rest is filled in. */
export interface SecondWindow {
  symbol: string;
  startMs: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  /** Default null (no VWAP sent). */
  vwap?: number | null;
  /** Default: when the window ended. */
  receivedAtMs?: number;
}

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
