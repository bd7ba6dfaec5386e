import type { MinuteBar } from '../src/domain/minute-bar';
import type { TickData } from '../src/domain/tick';
import { BarOracle, fromTick, type OracleBar } from './bar-oracle';

/** The two inputs of a pattern engine. */
export interface TickAndBarListener {
  onTick(tick: TickData): void;
  onBarClosed(bar: MinuteBar): void;
}

/**
 * When each minute bar closes in a tick stream, the way ingest closes them: a symbol's bar
 * closes at its first tick of a later minute, valued by the oracle's roll-up of the seconds seen
 * so far (not the production aggregator). `closes[i]` is the bar to close just before
 * `ticks[i]`; a bar still open at the end of the stream is never closed.
 */
export function closingSchedule(ticks: readonly TickData[]): (MinuteBar | undefined)[] {
  const oracle = new BarOracle();
  const openMinute = new Map<string, number>();
  const closes = new Array<MinuteBar | undefined>(ticks.length);
  for (let i = 0; i < ticks.length; i++) {
    const tick = ticks[i];
    const minute = tick.startMs - (tick.startMs % 60_000);
    const open = openMinute.get(tick.symbol);
    if (open === undefined || minute > open) {
      if (open !== undefined) closes[i] = minuteBar(oracle.bar(tick.symbol, open)!);
      openMinute.set(tick.symbol, minute);
    }
    oracle.add(fromTick(tick));
  }
  return closes;
}

/**
 * Feeds ticks to the engine the way ingest does: each tick to onTick, and each minute bar to
 * onBarClosed once the symbol's stream moves past that minute. Returns the bars it closed.
 */
export function feedEngine(
  engine: TickAndBarListener,
  ticks: readonly TickData[],
  closes = closingSchedule(ticks),
): MinuteBar[] {
  const closed: MinuteBar[] = [];
  for (let i = 0; i < ticks.length; i++) {
    const bar = closes[i];
    if (bar !== undefined) {
      engine.onBarClosed(bar);
      closed.push(bar);
    }
    engine.onTick(ticks[i]);
  }
  return closed;
}

/** The bar as the engine receives it (without the oracle's second count). */
function minuteBar(bar: OracleBar): MinuteBar {
  const { symbol, minuteStartMs, open, high, low, close, volume, vwap } = bar;
  return { symbol, minuteStartMs, open, high, low, close, volume, vwap };
}
