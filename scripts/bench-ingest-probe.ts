/**
 * The ingest bench's instruments, plugged into createIngest's probe seams: per-frame receive
 * times, a sampled handleTick timer, and a tracer that follows sampled events from the moment
 * handleTick saw them, through the delta the writer took, to the flush that stored it.
 */
import { performance } from 'node:perf_hooks';
import type { BarDelta } from '../src/domain/bar-delta';
import type { StoredBar } from '../src/domain/stored-bar';
import type { TickData } from '../src/domain/tick';
import type { MinuteBarAggregator } from '../src/ingest/bars/aggregator';
import type { DirtyBarSource } from '../src/ingest/bars/bar-store';
import type { IngestProbe } from '../src/ingest/create-ingest';
import type { Pipeline } from '../src/ingest/pipeline';
import { SampleSet } from '../testkit/percentile';
import { barKey } from '../testkit/bar-oracle';

/** Wraps the aggregator as the writer's source, noting which traced events each delta carries. */
class LatencyTracer implements DirtyBarSource {
  /** Receive times of traced events, per bar key, not yet taken by the writer. */
  private readonly pending = new Map<string, number[]>();
  /** Taken by the writer, not yet reported stored. */
  private readonly inFlight = new Map<string, number[]>();
  readonly latency = new SampleSet(100_000);

  constructor(private readonly aggregator: MinuteBarAggregator) {}

  trace(tick: TickData, receivedAt: number): void {
    const key = barKey(tick.symbol, tick.startMs - (tick.startMs % 60_000));
    const list = this.pending.get(key);
    if (list === undefined) this.pending.set(key, [receivedAt]);
    else list.push(receivedAt);
  }

  onFlushed(bars: readonly StoredBar[]): void {
    const now = performance.now();
    for (const bar of bars) {
      const key = barKey(bar.symbol, bar.timestamp.getTime());
      const times = this.inFlight.get(key);
      if (times === undefined) continue;
      this.inFlight.delete(key);
      for (const t of times) this.latency.add(now - t);
    }
  }

  takeDirty(max: number): BarDelta[] {
    const deltas = this.aggregator.takeDirty(max);
    for (const delta of deltas) {
      const key = barKey(delta.symbol, delta.minuteStartMs);
      const times = this.pending.get(key);
      if (times === undefined) continue;
      this.pending.delete(key);
      const flying = this.inFlight.get(key);
      if (flying === undefined) this.inFlight.set(key, times);
      else flying.push(...times);
    }
    return deltas;
  }

  get dirtyCount(): number {
    return this.aggregator.dirtyCount;
  }
  onBacklog(threshold: number, listener: () => void): void {
    this.aggregator.onBacklog(threshold, listener);
  }
  get seedsPending(): number {
    return this.aggregator.seedsPending;
  }
  seedRequests(max: number) {
    return this.aggregator.seedRequests(max);
  }
  applySeeds(...args: Parameters<MinuteBarAggregator['applySeeds']>): void {
    this.aggregator.applySeeds(...args);
  }
}

/** One handleTick call in `tickSampleEvery` is timed, one event in `latencySampleEvery` traced. */
export class IngestBenchProbe implements IngestProbe {
  readonly handleTickUs = new SampleSet(200_000);
  readonly flushMs = new SampleSet(50_000);
  firstReceive = 0;
  lastReceive = 0;
  private tracer: LatencyTracer | null = null;

  constructor(private readonly sampling: { tickSampleEvery: number; latencySampleEvery: number }) {}

  /** Event → row-visible latencies of the traced events. */
  get eventToVisibleMs(): SampleSet {
    return this.tracer?.latency ?? new SampleSet(1);
  }

  barSource(aggregator: MinuteBarAggregator): DirtyBarSource {
    this.tracer = new LatencyTracer(aggregator);
    return this.tracer;
  }

  /** The writer's onFlushed sink. */
  onFlushed(bars: readonly StoredBar[]): void {
    this.tracer?.onFlushed(bars);
  }

  frameTicks(pipeline: Pipeline): (ticks: readonly TickData[]) => void {
    const { tickSampleEvery, latencySampleEvery } = this.sampling;
    let calls = 0;
    return (ticks) => {
      const now = performance.now();
      if (this.firstReceive === 0) this.firstReceive = now;
      this.lastReceive = now;
      for (let i = 0; i < ticks.length; i++) {
        const tick = ticks[i];
        calls++;
        if (calls % latencySampleEvery === 0) this.tracer?.trace(tick, now);
        if (calls % tickSampleEvery === 0) {
          const t0 = process.hrtime.bigint();
          pipeline.handleTick(tick);
          this.handleTickUs.add(Number(process.hrtime.bigint() - t0) / 1000);
        } else {
          pipeline.handleTick(tick);
        }
      }
    };
  }
}
