/**
 * handleTick micro-bench (no sockets, no database): the synchronous tick path alone, with and
 * without the pattern engine, on simulator-generated aggregates validated by fromAggregate, plus
 * the engine's own bench (benchEngine). The writer is emulated by taking the dirty deltas every
 * few thousand ticks, outside the timed calls, so memory stays as in production.
 *
 * Standalone: `node dist/scripts/bench-tick.js '{"symbols":10000,"minutes":2}'`.
 */
import { createIngest, type IngestBarStore } from '../src/ingest/create-ingest';
import { FeedGenerator } from '../src/ingest/simulator/generator';
import { simulatorSymbols } from '../src/ingest/simulator/universe';
import { fromAggregate } from '../src/ingest/tick-validation';
import { type TickData } from '../src/domain/tick';
import { createQuietLogger } from '../src/logger';
import { benchEngine, type EngineBenchResult } from '../testkit/engine-bench';
import { PatternEngine } from '../src/patterns/engine';
import { runInChild, serveChild } from './lib/child-run';
import { percentile, round } from '../testkit/percentile';

export interface TickBenchOptions {
  symbols: number;
  /**
   * Whole feed minutes timed, after one untimed minute (every symbol trades every second). In a
   * steady state one call in 60 per symbol closes a bar and runs the candle rules (1.7 % of calls,
   * right at the p99 boundary), so the timed window spans whole minutes after the first, which
   * the first-sight state of every symbol would otherwise distort.
   */
  minutes: number;
}

export interface HandleTickFigures {
  /** Per-call latency, every call timed (a timer read adds ~0.05 µs). */
  p50Us: number;
  p99Us: number;
  p999Us: number;
  maxUs: number;
  /** Mean cost from an untimed pass (total ÷ ticks). */
  meanNs: number;
  ticksPerSec: number;
  patterns: number;
}

export interface TickBenchResult {
  ticks: number;
  symbols: number;
  withoutEngine: HandleTickFigures;
  withEngine: HandleTickFigures;
  engine: EngineBenchResult;
}

const DRAIN_EVERY = 5_000;

function generateTicks(options: TickBenchOptions): TickData[] {
  const generator = new FeedGenerator({
    seed: 11,
    symbols: simulatorSymbols(options.symbols),
    eventsPerSecond: options.symbols,
  });
  const startMs = Math.floor(Date.now() / 60_000) * 60_000 - 24 * 3_600_000;
  const ticks: TickData[] = [];
  for (let i = 0; i < (options.minutes + 1) * 60; i++) {
    for (const event of generator.generateSecond(startMs + i * 1000)) {
      const result = fromAggregate(event as unknown as Record<string, unknown>, 'A', {
        source: 'simulator',
        receivedAtMs: Date.now(),
        maxFutureMs: 0,
      });
      if (!result.ok)
        throw new Error(`generator produced an invalid event: ${result.reason} ${result.detail}`);
      ticks.push(result.tick);
    }
  }
  return ticks;
}

/** The writer never starts here: the bench takes the dirty deltas itself. */
const NO_STORE: IngestBarStore = {
  upsertDeltas: () => Promise.reject(new Error('bench-tick writes nothing')),
  readBarStates: () => Promise.reject(new Error('bench-tick reads nothing')),
  writeRestBars: () => Promise.reject(new Error('bench-tick writes nothing')),
  readBarRange: () => Promise.resolve([]),
  latestMinutePerSymbol: () => Promise.resolve(new Map()),
};

/** The app's ingest graph without a feed or a running writer, the engine plugged in when on. */
async function freshPipeline(engineOn: boolean) {
  let patterns = 0;
  const engine = engineOn ? new PatternEngine({ sink: () => void patterns++ }) : null;
  const { pipeline, aggregator } = await createIngest({
    store: NO_STORE,
    logger: createQuietLogger(),
    tuning: { flushIntervalMs: 1_000, flushBatchSize: DRAIN_EVERY },
    sinks: engine
      ? { tickListeners: [engine.onTick], barClosedListeners: [engine.onBarClosed] }
      : {},
    seedFromStore: false,
  });
  return { pipeline, aggregator, patterns: () => patterns };
}

/** A pipeline that has already seen the first `from` ticks (untimed). */
async function primedPipeline(ticks: readonly TickData[], from: number, engineOn: boolean) {
  const primed = await freshPipeline(engineOn);
  for (let i = 0; i < from; i++) {
    primed.pipeline.handleTick(ticks[i]);
    if (i % DRAIN_EVERY === 0) primed.aggregator.takeDirty();
  }
  primed.aggregator.takeDirty();
  return primed;
}

async function measure(
  ticks: readonly TickData[],
  from: number,
  engineOn: boolean,
): Promise<HandleTickFigures> {
  // JIT warm-up on a throwaway pipeline.
  await primedPipeline(ticks, Math.min(ticks.length, from + 200_000), engineOn);

  const untimed = await primedPipeline(ticks, from, engineOn);
  const patternsBefore = untimed.patterns();
  let totalNs = 0n;
  for (let i = from; i < ticks.length; i += DRAIN_EVERY) {
    const end = Math.min(ticks.length, i + DRAIN_EVERY);
    const t0 = process.hrtime.bigint();
    for (let j = i; j < end; j++) untimed.pipeline.handleTick(ticks[j]);
    totalNs += process.hrtime.bigint() - t0;
    untimed.aggregator.takeDirty();
  }

  const timed = await primedPipeline(ticks, from, engineOn);
  const samples = new Float64Array(ticks.length - from);
  for (let i = from; i < ticks.length; i++) {
    const t0 = process.hrtime.bigint();
    timed.pipeline.handleTick(ticks[i]);
    samples[i - from] = Number(process.hrtime.bigint() - t0);
    if (i % DRAIN_EVERY === 0) timed.aggregator.takeDirty();
  }
  samples.sort();
  const meanNs = Number(totalNs) / samples.length;
  return {
    p50Us: percentile(samples, 50) / 1000,
    p99Us: percentile(samples, 99) / 1000,
    p999Us: percentile(samples, 99.9) / 1000,
    maxUs: samples[samples.length - 1] / 1000,
    meanNs,
    ticksPerSec: Math.round(1e9 / meanNs),
    patterns: untimed.patterns() - patternsBefore,
  };
}

export async function runTickBench(
  partial: Partial<TickBenchOptions> = {},
): Promise<TickBenchResult> {
  const options: TickBenchOptions = { symbols: 10_000, minutes: 2, ...partial };
  const ticks = generateTicks(options);
  const from = options.symbols * 60;
  const withoutEngine = await measure(ticks, from, false);
  const withEngine = await measure(ticks, from, true);
  const engine = benchEngine(ticks);
  return {
    ticks: ticks.length - from,
    symbols: options.symbols,
    withoutEngine,
    withEngine,
    engine,
  };
}

export function formatTickBench(r: TickBenchResult): string {
  const line = (name: string, f: HandleTickFigures) =>
    `  ${name.padEnd(22)} p50 ${round(f.p50Us, 2)} µs, p99 ${round(f.p99Us, 2)} µs, p99.9 ${round(f.p999Us, 2)} µs, max ${round(f.maxUs, 0)} µs; ` +
    `mean ${round(f.meanNs, 0)} ns (${f.ticksPerSec.toLocaleString('en-US')} ticks/s on one core)`;
  const e = r.engine;
  return [
    `handleTick micro-bench: ${r.ticks.toLocaleString('en-US')} simulator ticks timed (whole minutes after a first untimed one), ${r.symbols.toLocaleString('en-US')} symbols, every call timed`,
    line('without pattern engine', r.withoutEngine),
    line('with pattern engine', r.withEngine),
    `  engine cost on the tick path: +${round(r.withEngine.meanNs - r.withoutEngine.meanNs, 0)} ns/tick mean, ` +
      `+${round(r.withEngine.p99Us - r.withoutEngine.p99Us, 2)} µs at p99; ${r.withEngine.patterns} patterns`,
    `  benchEngine: ${round(e.nsPerTick, 0)} ns/tick (${Math.round(e.ticksPerSecond).toLocaleString('en-US')}/s), onTick p50 ${e.p50Ns} ns, p99 ${e.p99Ns} ns, max ${round(e.maxNs / 1000, 0)} µs; ` +
      `${e.barsClosed.toLocaleString('en-US')} bars closed, ${e.patterns} patterns`,
  ].join('\n');
}

export function forkTickBench(options: Partial<TickBenchOptions>): Promise<TickBenchResult> {
  return runInChild<TickBenchResult>('handleTick micro-bench', __filename, options, [
    '--max-old-space-size=3072',
  ]);
}

if (require.main === module && !serveChild(runTickBench)) {
  runTickBench(JSON.parse(process.argv[2] ?? '{}') as Partial<TickBenchOptions>)
    .then((result) => console.log(formatTickBench(result)))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
