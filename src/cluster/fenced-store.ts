import type {
  BarDelta,
  BarKey,
  RestWriteMode,
  StoredBarState,
  UpsertDeltasResult,
} from '../domain/bar-delta';
import type { MinuteBar } from '../domain/minute-bar';
import type { StoredBar } from '../domain/stored-bar';
import type { IngestBarStore } from '../ingest/create-ingest';

/** A write refused because this instance no longer holds a confirmed ingest lease. */
export class FencedWriteError extends Error {
  constructor() {
    super('write refused: this instance does not hold a confirmed ingest lease (fenced)');
    this.name = 'FencedWriteError';
  }
}

/**
 * The leader's bar store with the lease checked right before every write. A leader frozen
 * (SIGSTOP, a long GC, a suspended VM) past its lease wakes with timers due in any order: a
 * flush may fire before the heartbeat that deposes it. This guard refuses that flush, so a
 * deposed leader writes nothing once it is awake; what was already on the wire when it froze is
 * kept exact by the writes' seconds masks. Reads pass through.
 */
export class FencedStore implements IngestBarStore {
  private refused = 0;

  constructor(
    private readonly store: IngestBarStore,
    private readonly holdsLease: () => boolean,
  ) {}

  /** Writes refused so far. */
  get fencedWrites(): number {
    return this.refused;
  }

  upsertDeltas(deltas: readonly BarDelta[]): Promise<UpsertDeltasResult> {
    return this.guard(() => this.store.upsertDeltas(deltas));
  }

  writeRestBars(bars: readonly MinuteBar[], mode: RestWriteMode): Promise<StoredBar[]> {
    return this.guard(() => this.store.writeRestBars(bars, mode));
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

  private guard<T>(write: () => Promise<T>): Promise<T> {
    if (this.holdsLease()) return write();
    this.refused++;
    return Promise.reject(new FencedWriteError());
  }
}
