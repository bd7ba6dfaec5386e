import type { PatternEvent } from '../../src/domain/pattern-event';

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
