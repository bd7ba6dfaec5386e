/**
 * End-to-end ingest bench, one configuration per process: simulator → real WebSocket on
 * loopback → MassivePool → pipeline (→ pattern engine when on) → aggregator → BarWriter →
 * database, as fast as the pipeline takes it, for a fixed number of feed seconds; then every
 * stored bar is compared value by value with the feed's own roll-up of what it sent.
 *
 * One process per run because PGlite allows one instance per process and because RSS is only
 * meaningful per configuration. `npm run bench` forks this file (forkIngestBench); standalone:
 * `node dist/scripts/bench-ingest.js '{"database":"postgres","engine":true}'`.
 */
import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import type { DataSource } from 'typeorm';
import { openDatabase } from '../ormconfig';
import type { StoredBar } from '../src/domain/stored-bar';
import { MinuteBarAggregator } from '../src/ingest/bars/aggregator';
import type { BarDelta } from '../src/domain/bar-delta';
import type { DirtyBarSource } from '../src/ingest/bars/bar-store';
import { BarWriter } from '../src/ingest/bars/writer';
import { MassivePool } from '../src/ingest/massive/pool';
import { createPipeline } from '../src/ingest/pipeline';
import { IngestStats } from '../src/ingest/stats';
import type { TickData } from '../src/domain/tick';
import { createLogger } from '../src/logger';
import { createPatternModule, type PatternModule } from '../src/patterns/pattern-module';
import { createOhlcvRepository } from '../src/repositories/ohlcv.repository';
import { barKey, type OracleBar as ExpectedBar } from '../testkit/bar-oracle';
import { round, SampleSet, type Summary } from '../testkit/percentile';
import {
  createScratchDatabase,
  postgresAdminUrl,
  type ScratchDatabase,
} from '../testkit/scratch-database';
import {
  comparatorSelfCheck,
  compareBars,
  readStoredBars,
  type BarComparison,
} from '../testkit/stored-bars';
import { waitFor } from '../testkit/wait';
import { startChildFeed, startInProcessFeed, type BenchFeed } from './bench-feed';
import { runInChild, serveChild } from './lib/child-run';
import { rssMb } from './lib/rss';

export interface IngestBenchOptions {
  database: 'pglite' | 'postgres';
  engine: boolean;
  symbols: number;
  eventsPerSecond: number;
  /** Feed seconds sent. */
  seconds: number;
  connections: 1 | 2 | 3;
  /** Events per wall second the feed sends at (steady load, for latency); 0 = as fast as taken. */
  paceEventsPerSec: number;
  /** Where the simulator runs: its own process (default) or this one. */
  feed: 'child' | 'inprocess';
  flushIntervalMs: number;
  flushBatchSize: number;
  /** One handleTick call in this many is timed, one event in this many is traced to its row. */
  tickSampleEvery: number;
  latencySampleEvery: number;
}

export const INGEST_BENCH_DEFAULTS: IngestBenchOptions = {
  database: 'pglite',
  engine: true,
  symbols: 10_000,
  eventsPerSecond: 10_000,
  seconds: 120,
  connections: 1,
  paceEventsPerSec: 0,
  feed: 'child',
  flushIntervalMs: 250,
  flushBatchSize: 5_000,
  tickSampleEvery: 8,
  latencySampleEvery: 50,
};

export interface IngestBenchResult {
  label: string;
  options: IngestBenchOptions;
  events: number;
  /** Events ÷ (last bar stored − first event received): the sustained end-to-end rate. */
  eventsPerSec: number;
  /** Events ÷ (last event received − first received): how fast the pipeline took them. */
  receiveEventsPerSec: number;
  elapsedMs: number;
  /** Time from the last event received to the last bar stored. */
  drainMs: number;
  handleTickUs: Summary;
  eventToVisibleMs: Summary;
  flushMs: Summary;
  flushes: number;
  barsWritten: number;
  rowsStored: number;
  patternsDetected: number;
  patternsPersisted: number;
  reconnects: number;
  rejected: number;
  rssStartMb: number;
  rssPeakMb: number;
  rssEndMb: number;
  zeroLoss: BarComparison;
  /** The comparison flagged a deliberately nudged bar (it can fail). */
  comparatorOk: boolean;
}

/**
 * Wraps the aggregator as the writer's source so each traced event can be followed from the
 * moment handleTick saw it, through the delta the writer took, to the flush that stored it.
 */
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

/** Zero loss, and a comparison that demonstrably can fail. */
export function ingestPassed(r: IngestBenchResult): boolean {
  return r.zeroLoss.mismatches === 0 && r.zeroLoss.compared > 0 && r.comparatorOk;
}

export function ingestLabel(options: IngestBenchOptions): string {
  const pace =
    options.paceEventsPerSec > 0
      ? `, paced ${options.paceEventsPerSec.toLocaleString('en-US')}/s`
      : '';
  return `${options.database}, engine ${options.engine ? 'on' : 'off'}${pace}`;
}

/** Runs one configuration in this process. */
export async function runIngestBench(
  partial: Partial<IngestBenchOptions> = {},
): Promise<IngestBenchResult> {
  const options: IngestBenchOptions = { ...INGEST_BENCH_DEFAULTS, ...partial };
  const logger = createLogger((process.env.BENCH_LOG_LEVEL as 'warn' | undefined) ?? 'warn');
  let scratch: ScratchDatabase | null = null;
  let dataSource: DataSource | null = null;
  let feed: BenchFeed | null = null;
  let pool: MassivePool | null = null;
  let writer: BarWriter | null = null;
  let patterns: PatternModule | null = null;
  try {
    if (options.database === 'postgres') {
      scratch = await createScratchDatabase(postgresAdminUrl(), 'tickstock_bench');
      dataSource = await openDatabase({ kind: 'postgres', url: scratch.url });
    } else {
      dataSource = await openDatabase({ kind: 'pglite', dataDir: null });
    }
    // Minute-aligned and far enough back that the whole run is in the past.
    const startMs =
      Math.floor(Date.now() / 60_000) * 60_000 - (Math.ceil(options.seconds / 60) + 5) * 60_000;
    const feedOptions = {
      symbols: options.symbols,
      eventsPerSecond: options.eventsPerSecond,
      seconds: options.seconds,
      startMs,
      seed: 7,
      highWaterBytes: 4 * 1024 * 1024,
      paceEventsPerSec: options.paceEventsPerSec,
    };
    feed =
      options.feed === 'child'
        ? await startChildFeed(feedOptions)
        : await startInProcessFeed(feedOptions);

    const stats = new IngestStats();
    const aggregator = new MinuteBarAggregator();
    const tracer = new LatencyTracer(aggregator);
    const flushMs = new SampleSet(50_000);
    writer = new BarWriter({
      source: tracer,
      store: createOhlcvRepository(dataSource),
      logger: logger.child({ component: 'bar-writer' }),
      flushIntervalMs: options.flushIntervalMs,
      flushBatchSize: options.flushBatchSize,
      onFlushed: (bars) => tracer.onFlushed(bars),
      onFlushLatency: (ms) => flushMs.add(ms),
    });
    const listeners = [];
    if (options.engine) {
      patterns = createPatternModule({
        dataSource,
        events: null,
        config: { redisUrl: null, patternChannel: 'bench' },
        logger,
      });
      aggregator.addBarClosedListener(patterns.engine.onBarClosed);
      listeners.push(patterns.engine.onTick);
    }
    const pipeline = createPipeline({ stats, aggregator, tickListeners: listeners });

    const handleTickUs = new SampleSet(200_000);
    let firstReceive = 0;
    let lastReceive = 0;
    let calls = 0;
    const onTicks = (ticks: readonly TickData[]) => {
      const now = performance.now();
      if (firstReceive === 0) firstReceive = now;
      lastReceive = now;
      for (let i = 0; i < ticks.length; i++) {
        const tick = ticks[i];
        calls++;
        if (calls % options.latencySampleEvery === 0) tracer.trace(tick, now);
        if (calls % options.tickSampleEvery === 0) {
          const t0 = process.hrtime.bigint();
          pipeline.handleTick(tick);
          handleTickUs.add(Number(process.hrtime.bigint() - t0) / 1000);
        } else {
          pipeline.handleTick(tick);
        }
      }
    };
    pool = new MassivePool({
      url: feed.wsUrl,
      apiKey: 'bench',
      symbols: feed.symbols,
      connections: options.connections,
      source: 'simulator',
      maxFutureMs: 24 * 3_600_000,
      logger,
      onTicks,
      onReject: (reason) => stats.reject(reason),
      onFrame: (count) => {
        stats.framesReceived++;
        stats.ticksReceived += count;
      },
    });

    if (global.gc) global.gc();
    const rssStartMb = rssMb();
    let rssPeakMb = rssStartMb;
    const rssTimer = setInterval(() => (rssPeakMb = Math.max(rssPeakMb, rssMb())), 250);
    writer.start();
    pool.start();
    await waitFor(() => pool!.allLive(), 'pool live', 60_000);
    const done = await feed.run();
    await waitFor(
      () => stats.ticksProcessed + stats.ticksRejected >= done.eventsSent,
      () => `all ${done.eventsSent} events received`,
      600_000,
      5,
    );
    await writer.drain({ timeoutMs: 300_000 });
    const storedAt = performance.now();
    clearInterval(rssTimer);
    rssPeakMb = Math.max(rssPeakMb, rssMb());
    const rssEndMb = rssMb();

    await pool.close();
    if (patterns) await patterns.drain(60_000);
    const expected = new Map<string, ExpectedBar>(
      done.expected.map((bar) => [barKey(bar.symbol, bar.minuteStartMs), bar]),
    );
    const stored = await readStoredBars((sql) => dataSource!.query(sql));
    const zeroLoss = compareBars(stored, expected, { inScope: () => true, vwapTolerance: 1e-5 });
    const comparatorOk = comparatorSelfCheck(stored);
    const elapsedMs = storedAt - firstReceive;
    const writerStatus = writer.status();
    const patternStatus = patterns?.status();
    return {
      label: ingestLabel(options),
      options,
      events: done.eventsSent,
      eventsPerSec: Math.round((done.eventsSent / elapsedMs) * 1000),
      receiveEventsPerSec: Math.round((done.eventsSent / (lastReceive - firstReceive)) * 1000),
      elapsedMs: Math.round(elapsedMs),
      drainMs: Math.round(storedAt - lastReceive),
      handleTickUs: handleTickUs.summary(),
      eventToVisibleMs: tracer.latency.summary(),
      flushMs: flushMs.summary(),
      flushes: writerStatus.flushes,
      barsWritten: writerStatus.barsWritten,
      rowsStored: stored.size,
      patternsDetected: patternStatus
        ? Object.values(patternStatus.detectedByPattern).reduce((a, b) => a + b, 0)
        : 0,
      patternsPersisted: patternStatus?.persisted ?? 0,
      reconnects: pool.status().reduce((sum, c) => sum + c.reconnects, 0),
      rejected: stats.ticksRejected,
      rssStartMb,
      rssPeakMb,
      rssEndMb,
      zeroLoss,
      comparatorOk,
    };
  } finally {
    await pool?.close();
    writer?.stop();
    await patterns?.stop(10_000).catch(() => undefined);
    await feed?.close();
    if (dataSource?.isInitialized) await dataSource.destroy();
    await scratch?.drop();
  }
}

/** One line per figure, for the console. */
export function formatIngestBench(r: IngestBenchResult): string {
  const s = (x: Summary, digits = 1) =>
    `p50 ${round(x.p50, digits)} / p99 ${round(x.p99, digits)} (max ${round(x.max, digits)})`;
  const z = r.zeroLoss;
  return [
    `ingest [${r.label}] ${r.options.symbols} symbols × ${r.options.seconds} feed s, ${r.options.connections} socket(s), feed in ${r.options.feed === 'child' ? 'a child process' : 'this process'}`,
    `  events ${r.events.toLocaleString('en-US')}: ${r.eventsPerSec.toLocaleString('en-US')} events/s end to end (received at ${r.receiveEventsPerSec.toLocaleString('en-US')}/s; drain after last event ${r.drainMs} ms)`,
    `  handleTick µs ${s(r.handleTickUs, 2)}, ${r.handleTickUs.count.toLocaleString('en-US')} calls timed`,
    `  event→row visible ms ${s(r.eventToVisibleMs)}, ${r.eventToVisibleMs.count.toLocaleString('en-US')} events traced`,
    `  flush ms ${s(r.flushMs)} over ${r.flushes} flushes; bars written ${r.barsWritten.toLocaleString('en-US')} (rows stored ${r.rowsStored.toLocaleString('en-US')})`,
    `  patterns detected ${r.patternsDetected} (persisted ${r.patternsPersisted}); reconnects ${r.reconnects}; rejected ${r.rejected}`,
    `  RSS MB start ${r.rssStartMb} / peak ${r.rssPeakMb} / end ${r.rssEndMb}`,
    `  zero-loss: ${z.compared.toLocaleString('en-US')} bars compared value by value, mismatches ${z.mismatches} (missing ${z.missing}, unexpected ${z.unexpected}), vwap off ${z.vwapOff}; comparator self-check ${r.comparatorOk ? 'ok' : 'FAILED'}`,
    ...z.examples.slice(0, 5).map((line) => `    ${line}`),
  ].join('\n');
}

/** Runs one configuration in a fresh child process (this file) and returns its result. */
export function forkIngestBench(options: Partial<IngestBenchOptions>): Promise<IngestBenchResult> {
  const label = ingestLabel({ ...INGEST_BENCH_DEFAULTS, ...options });
  return runInChild<IngestBenchResult>(`ingest bench [${label}]`, __filename, options, [
    '--expose-gc',
    '--max-old-space-size=2048',
  ]);
}

if (require.main === module && !serveChild(runIngestBench)) {
  runIngestBench(JSON.parse(process.argv[2] ?? '{}') as Partial<IngestBenchOptions>)
    .then((result) => {
      console.log(formatIngestBench(result));
      process.exit(ingestPassed(result) ? 0 : 1);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
