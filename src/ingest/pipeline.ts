import type { MinuteBarAggregator } from './bars/aggregator';
import { ListenerSet } from './listener-set';
import type { IngestStats } from './stats';
import type { TickData } from '../domain/tick';

/** Receives every tick that changed a bar (duplicates are filtered out), synchronously. */
export type TickListener = (tick: TickData) => void;

export interface PipelineDeps {
  stats: IngestStats;
  aggregator: MinuteBarAggregator;
  /** The pattern engine plugs in here; listeners must be O(1) and must not do I/O inline. */
  tickListeners?: readonly TickListener[];
  /** A listener threw; the tick is still counted and aggregated (counted either way). */
  onListenerError?: (error: unknown, tick: TickData) => void;
}

export interface PipelineStatus {
  /** Tick-listener calls that threw. */
  listenerErrors: number;
}

/** The synchronous heart of ingest: every validated tick goes through here, once. */
export interface Pipeline {
  /** Synchronous, O(1), no I/O: stats, then the minute-bar aggregator, then tick listeners. */
  handleTick(tick: TickData): void;
  /** handleTick for each tick of a frame, in order. */
  handleTicks(ticks: readonly TickData[]): void;
  addTickListener(listener: TickListener): void;
  status(): PipelineStatus;
}

/** Builds the tick pipeline around an aggregator; the writer drains the aggregator separately. */
export function createPipeline(deps: PipelineDeps): Pipeline {
  const { stats, aggregator } = deps;
  const listeners = new ListenerSet<TickData>(deps.tickListeners, deps.onListenerError);

  function handleTick(tick: TickData): void {
    stats.ticksProcessed++;
    if (tick.endMs >= stats.lastTickEndMs) {
      stats.lastTickEndMs = tick.endMs;
      stats.lastTickReceivedAtMs = tick.receivedAtMs;
    }
    // A re-delivered second would skew per-tick patterns (volume averages, gaps) just as it
    // would skew bars, so listeners only see ticks the aggregator counted.
    if (!aggregator.apply(tick)) return;
    listeners.emit(tick);
  }

  return {
    handleTick,
    handleTicks(ticks) {
      for (let i = 0; i < ticks.length; i++) handleTick(ticks[i]);
    },
    addTickListener(listener) {
      listeners.add(listener);
    },
    status: () => ({ listenerErrors: listeners.errors }),
  };
}
