import { minuteStart, type MinuteBar } from '../domain/minute-bar';
import type { TickData } from '../domain/tick';
import { PatternEngine, type PatternEngineStats } from './engine';

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
  detectedByPattern: PatternEngineStats['detectedByPattern'];
}

/**
 * Feeds `ticks` to a fresh engine (and the minute bars they close, rolled up here) and measures
 * its cost: a warm-up pass, a timed pass for the mean, then a pass timing each onTick call.
 * The sink only counts, so this is the engine's own cost on the tick path.
 */
export function benchEngine(ticks: readonly TickData[]): EngineBenchResult {
  run(ticks.slice(0, Math.min(ticks.length, 200_000)), false); // JIT warm-up (and the first-sight symbol state)

  const started = process.hrtime.bigint();
  const timed = run(ticks, false);
  const totalNs = Number(process.hrtime.bigint() - started);

  const sampled = run(ticks, true);
  const samples = sampled.samples.sort((a, b) => a - b);
  const at = (q: number) =>
    samples.length === 0
      ? 0
      : samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
  return {
    ticks: ticks.length,
    barsClosed: timed.barsClosed,
    patterns: timed.patterns,
    nsPerTick: ticks.length === 0 ? 0 : totalNs / ticks.length,
    ticksPerSecond: totalNs === 0 ? 0 : (ticks.length * 1e9) / totalNs,
    p50Ns: at(0.5),
    p99Ns: at(0.99),
    maxNs: samples.length === 0 ? 0 : samples[samples.length - 1],
    detectedByPattern: timed.stats.detectedByPattern,
  };
}

function run(ticks: readonly TickData[], sample: boolean) {
  let patterns = 0;
  let barsClosed = 0;
  const engine = new PatternEngine({ sink: () => void patterns++ });
  const open = new Map<string, MinuteBar>();
  const samples: number[] = sample ? new Array<number>(ticks.length) : [];
  let n = 0;
  for (const tick of ticks) {
    const minute = minuteStart(tick.startMs);
    const bar = open.get(tick.symbol);
    if (bar === undefined || bar.minuteStartMs !== minute) {
      if (bar !== undefined && minute > bar.minuteStartMs) {
        engine.onBarClosed(bar);
        barsClosed++;
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
    if (sample) {
      const t0 = process.hrtime.bigint();
      engine.onTick(tick);
      samples[n++] = Number(process.hrtime.bigint() - t0);
    } else {
      engine.onTick(tick);
    }
  }
  return { patterns, barsClosed, samples, stats: engine.stats() };
}
