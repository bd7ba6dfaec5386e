import type { MinuteBar } from '../src/domain/minute-bar';
import type { TickData } from '../src/domain/tick';
import { PatternEngine, type PatternEngineStatus } from '../src/patterns/engine';
import { closingSchedule } from './engine-feed';
import { percentile } from './percentile';

export interface EngineBenchResult {
  ticks: number;
  barsClosed: number;
  patterns: number;
  /** Mean engine cost per tick, including the closed-bar candle work spread over the ticks. */
  nsPerTick: number;
  ticksPerSecond: number;
  /** Per-call onTick latency (one timer read per call adds ~50 ns to each sample). */
  p50Ns: number;
  p99Ns: number;
  maxNs: number;
  detectedByPattern: PatternEngineStatus['detectedByPattern'];
}

/**
 * Feeds `ticks` to a fresh engine (and the minute bars they close, from closingSchedule, worked
 * out before the clock starts) and measures its cost: a warm-up pass, a timed pass for the mean,
 * then a pass timing each onTick call. The sink only counts, so this is the engine's own cost on
 * the tick path.
 */
export function benchEngine(ticks: readonly TickData[]): EngineBenchResult {
  const closes = closingSchedule(ticks);
  const warmUp = Math.min(ticks.length, 200_000);
  run(ticks.slice(0, warmUp), closes.slice(0, warmUp), false); // JIT warm-up (and the first-sight symbol state)

  const started = process.hrtime.bigint();
  const timed = run(ticks, closes, false);
  const totalNs = Number(process.hrtime.bigint() - started);

  const samples = run(ticks, closes, true).samples.sort();
  return {
    ticks: ticks.length,
    barsClosed: timed.barsClosed,
    patterns: timed.patterns,
    nsPerTick: ticks.length === 0 ? 0 : totalNs / ticks.length,
    ticksPerSecond: totalNs === 0 ? 0 : (ticks.length * 1e9) / totalNs,
    p50Ns: samples.length === 0 ? 0 : percentile(samples, 50),
    p99Ns: samples.length === 0 ? 0 : percentile(samples, 99),
    maxNs: samples.length === 0 ? 0 : samples[samples.length - 1],
    detectedByPattern: timed.stats.detectedByPattern,
  };
}

function run(
  ticks: readonly TickData[],
  closes: readonly (MinuteBar | undefined)[],
  sample: boolean,
) {
  let patterns = 0;
  let barsClosed = 0;
  const engine = new PatternEngine({ sink: () => void patterns++ });
  const samples = new Float64Array(sample ? ticks.length : 0);
  for (let i = 0; i < ticks.length; i++) {
    const bar = closes[i];
    if (bar !== undefined) {
      engine.onBarClosed(bar);
      barsClosed++;
    }
    if (sample) {
      const t0 = process.hrtime.bigint();
      engine.onTick(ticks[i]);
      samples[i] = Number(process.hrtime.bigint() - t0);
    } else {
      engine.onTick(ticks[i]);
    }
  }
  return { patterns, barsClosed, samples, stats: engine.status() };
}
