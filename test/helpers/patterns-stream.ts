import type { PatternEvent } from '../../src/domain/pattern-event';
import { minuteStart, type MinuteBar } from '../../src/domain/minute-bar';
import type { TickData } from '../../src/domain/tick';
import type { PatternEngine } from '../../src/patterns/engine';

/**
 * Feeds ticks to the engine the way ingest does: each tick to onTick, and each minute bar to
 * onBarClosed once the symbol's stream moves past that minute (an independent roll-up, not the
 * production aggregator). Returns the bars it closed.
 */
export function feedStream(engine: PatternEngine, ticks: readonly TickData[]): MinuteBar[] {
  const open = new Map<string, MinuteBar>();
  const closed: MinuteBar[] = [];
  for (const tick of ticks) {
    const minute = minuteStart(tick.startMs);
    const bar = open.get(tick.symbol);
    if (bar === undefined || bar.minuteStartMs !== minute) {
      if (bar !== undefined) {
        engine.onBarClosed(bar);
        closed.push(bar);
      }
      open.set(tick.symbol, {
        symbol: tick.symbol,
        minuteStartMs: minute,
        open: tick.open,
        high: tick.high,
        low: tick.low,
        close: tick.close,
        volume: tick.volume,
        vwap: null,
      });
    } else {
      bar.high = Math.max(bar.high, tick.high);
      bar.low = Math.min(bar.low, tick.low);
      bar.close = tick.close;
      bar.volume += tick.volume;
    }
    engine.onTick(tick);
  }
  return closed;
}

/** Polls `condition` every 10 ms until it holds; fails after the deadline (no fixed sleeps). */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The unique key of a pattern row: (symbol, pattern, timestamp). */
export const patternKey = (e: Pick<PatternEvent, 'symbol' | 'pattern' | 'timestamp'>): string =>
  `${e.symbol}|${e.pattern}|${e.timestamp.getTime()}`;

/** Collects everything published on an async iterable until stopped. */
export function collect<T>(
  source: AsyncIterableIterator<T[]> | AsyncIterableIterator<T>,
  flatten: boolean,
) {
  const items: T[] = [];
  const done = (async () => {
    for await (const value of source as AsyncIterable<T | T[]>) {
      if (flatten && Array.isArray(value)) items.push(...value);
      else items.push(value as T);
    }
  })();
  return {
    items,
    stop: async () => {
      await source.return?.(undefined);
      await done;
    },
  };
}
