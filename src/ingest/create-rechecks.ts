import type { Logger } from '../logger';
import type { MinuteBar } from '../domain/minute-bar';
import type { BarWriter } from './bars/writer';
import type { IngestBarStore, IngestCorrections } from './ingest-options';
import type { MassiveBackfillClient } from './massive/backfill-client';
import { RecheckScheduler } from './recheck-scheduler';

/** The REST re-check path: REST client → compare with the stored minutes → final write. */
export function newRecheckScheduler(
  client: MassiveBackfillClient,
  store: IngestBarStore,
  writer: BarWriter,
  corrections: IngestCorrections,
  clockMs: () => number,
  logger: Logger,
): RecheckScheduler {
  return new RecheckScheduler(
    {
      fetchMinuteBars: (symbol, from, to) => client.fetchMinuteBars(symbol, from, to),
      readStored: (symbol, from, to) => store.readBarRange(symbol, from, to),
      writeFinal: async (bars: MinuteBar[]) => void (await writer.writeRestBars(bars, 'final')),
      clockMs,
      logger: logger.child({ component: 'recheck' }),
    },
    {
      windowMs: corrections.windowMs,
      batchDelayMs: corrections.batchDelayMs,
      requestsPerMinute: corrections.requestsPerMinute,
    },
  );
}

/** Every closed minute of the reconciled symbols is re-checked after its window. */
export function reconcileListener(
  symbols: readonly string[],
  schedule: (symbol: string, minuteStartMs: number) => void,
): ((bar: MinuteBar) => void) | null {
  if (symbols.length === 0) return null;
  const all = symbols.includes('*');
  const some = new Set(symbols);
  return (bar) => {
    if (all || some.has(bar.symbol)) schedule(bar.symbol, bar.minuteStartMs);
  };
}
