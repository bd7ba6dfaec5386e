import type {
  BarDelta,
  BarKey,
  RestWriteMode,
  StoredBarState,
  UpsertDeltasResult,
} from '../domain/bar-delta';
import type { CommitPort } from '../domain/commit-port';
import type { MinuteBar } from '../domain/minute-bar';
import type { StoredBar } from '../domain/stored-bar';
import type { IngestBarStore } from './ingest-options';

function symbolsOf(rows: readonly { symbol: string }[]): Set<string> {
  const symbols = new Set<string>();
  for (const row of rows) symbols.add(row.symbol);
  return symbols;
}

/**
 * The bar store with every write reported to a CommitPort (flushes, corrections — which are
 * flushes of a rewritten minute — and backfill replaces), for exactly the symbols it writes.
 * It stands between the writer and the repository, so neither changes; reads pass through.
 */
export class CommitReportingStore implements IngestBarStore {
  constructor(
    private readonly store: IngestBarStore,
    private readonly commits: CommitPort,
  ) {}

  upsertDeltas(deltas: readonly BarDelta[]): Promise<UpsertDeltasResult> {
    return this.commits.around(symbolsOf(deltas), () => this.store.upsertDeltas(deltas));
  }

  writeRestBars(bars: readonly MinuteBar[], mode: RestWriteMode): Promise<StoredBar[]> {
    return this.commits.around(symbolsOf(bars), () => this.store.writeRestBars(bars, mode));
  }

  readBarRange(symbol: string, fromMs: number, toMs: number): Promise<StoredBar[]> {
    return this.store.readBarRange(symbol, fromMs, toMs);
  }

  readBarStates(keys: readonly BarKey[]): Promise<StoredBarState[]> {
    return this.store.readBarStates(keys);
  }

  latestMinutePerSymbol(onlySymbols?: readonly string[]): Promise<Map<string, number>> {
    return this.store.latestMinutePerSymbol(onlySymbols);
  }
}
