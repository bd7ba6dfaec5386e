import type {
  BarDelta,
  BarKey,
  RestWriteMode,
  StoredBarState,
  UpsertDeltasResult,
} from '../../domain/bar-delta';
import type { MinuteBar } from '../../domain/minute-bar';
import type { StoredBar } from '../../domain/stored-bar';

/** Where the writer puts bars: the ohlcv repository in production. */
export interface BarStore {
  upsertDeltas(deltas: readonly BarDelta[]): Promise<UpsertDeltasResult>;
  /** The stored rows of those keys that exist (any order). */
  readBarStates(keys: readonly BarKey[]): Promise<StoredBarState[]>;
}

/** What the writer drains: the minute-bar aggregator. */
export interface DirtyBarSource {
  takeDirty(max: number): BarDelta[];
  readonly dirtyCount: number;
  onBacklog(threshold: number, listener: () => void): void;
  /** Bars waiting for their stored row before they can be written (after a restart). */
  readonly seedsPending: number;
  seedRequests(max: number): BarKey[];
  applySeeds(keys: readonly BarKey[], stored: readonly StoredBarState[]): void;
}

/** The store, plus REST minutes for backfill and re-checks (the ohlcv repository). */
export interface ReplacingBarStore extends BarStore {
  writeRestBars(bars: readonly MinuteBar[], mode: RestWriteMode): Promise<StoredBar[]>;
}
