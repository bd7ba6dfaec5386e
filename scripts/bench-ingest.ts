/**
 * End-to-end ingest bench, one configuration per process: simulator → real WebSocket on
 * loopback → the app's ingest graph (createIngest: pool → pipeline (→ pattern engine when on) →
 * aggregator → BarWriter → database), as fast as the pipeline takes it, for a fixed number of
 * feed seconds; then every stored bar is compared value by value with the feed's own roll-up of
 * what it sent.
 *
 * One process per run because PGlite allows one instance per process and because RSS is only
 * meaningful per configuration. `npm run bench` forks this file (forkIngestBench); standalone:
 * `node dist/scripts/bench-ingest.js '{"database":"postgres","engine":true}'`.
 */
import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import type { DataSource } from 'typeorm';
import { openDatabase } from '../ormconfig';
import { createIngest, type Ingest } from '../src/ingest/create-ingest';
import { createLogger, type Logger } from '../src/logger';
import { createPatternModule, type PatternModule } from '../src/patterns/pattern-module';
import { createOhlcvRepository } from '../src/repositories/ohlcv.repository';
import {
  startChildFeed,
  startInProcessFeed,
  type BenchFeed,
  type BenchFeedDone,
} from './bench-feed';
import { IngestBenchProbe } from './bench-ingest-probe';
import {
  formatIngestBench,
  INGEST_BENCH_DEFAULTS,
  ingestLabel,
  ingestPassed,
  type IngestBenchOptions,
  type IngestBenchResult,
} from './bench-ingest-report';
import { runInChild, serveChild } from './lib/child-run';
import { rssMb } from './lib/rss';
import {
  createScratchDatabase,
  postgresAdminUrl,
  type ScratchDatabase,
} from '../testkit/scratch-database';
import { barKey, type OracleBar as ExpectedBar } from '../testkit/bar-oracle';
import { comparatorSelfCheck, compareBars, readStoredBars } from '../testkit/stored-bars';
import { waitFor } from '../testkit/wait';

/** What one run holds open; closed in reverse by closeRun. */
interface BenchRun {
  scratch: ScratchDatabase | null;
  dataSource: DataSource | null;
  feed: BenchFeed | null;
  ingest: Ingest | null;
  patterns: PatternModule | null;
}

/** Samples RSS from start() until stop(): start, peak and end, MB. */
class RssWatch {
  readonly startMb: number;
  peakMb: number;
  endMb = 0;
  private readonly timer: NodeJS.Timeout;

  constructor() {
    if (global.gc) global.gc();
    this.startMb = rssMb();
    this.peakMb = this.startMb;
    this.timer = setInterval(() => (this.peakMb = Math.max(this.peakMb, rssMb())), 250);
  }

  stop(): void {
    clearInterval(this.timer);
    this.peakMb = Math.max(this.peakMb, rssMb());
    this.endMb = rssMb();
  }
}

/** Runs one configuration in this process. */
export async function runIngestBench(
  partial: Partial<IngestBenchOptions> = {},
): Promise<IngestBenchResult> {
  const options: IngestBenchOptions = { ...INGEST_BENCH_DEFAULTS, ...partial };
  const logger = createLogger((process.env.BENCH_LOG_LEVEL as 'warn' | undefined) ?? 'warn');
  const run: BenchRun = {
    scratch: null,
    dataSource: null,
    feed: null,
    ingest: null,
    patterns: null,
  };
  try {
    const dataSource = await openBenchDatabase(options, run);
    const feed = (run.feed = await startFeed(options));
    const probe = new IngestBenchProbe(options);
    const ingest = await buildIngest(options, dataSource, feed, probe, logger, run);

    const rss = new RssWatch();
    ingest.start();
    await waitFor(() => ingest.feedLive(), 'pool live', 60_000);
    const done = await feed.run();
    await waitFor(
      () => ingest.stats.ticksProcessed + ingest.stats.ticksRejected >= done.eventsSent,
      () => `all ${done.eventsSent} events received`,
      600_000,
      5,
    );
    await ingest.writer.drain({ timeoutMs: 300_000 });
    const storedAt = performance.now();
    rss.stop();

    await ingest.pool?.close();
    if (run.patterns) await run.patterns.drain(60_000);
    return await collectResult(options, run, done, { probe, rss, storedAt });
  } finally {
    await closeRun(run);
  }
}

async function openBenchDatabase(options: IngestBenchOptions, run: BenchRun): Promise<DataSource> {
  if (options.database === 'postgres') {
    run.scratch = await createScratchDatabase(postgresAdminUrl(), 'tickstock_bench');
    run.dataSource = await openDatabase({ kind: 'postgres', url: run.scratch.url });
  } else {
    run.dataSource = await openDatabase({ kind: 'pglite', dataDir: null });
  }
  return run.dataSource;
}

function startFeed(options: IngestBenchOptions): Promise<BenchFeed> {
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
    correctionRate: options.correctionRate,
  };
  return options.feed === 'child' ? startChildFeed(feedOptions) : startInProcessFeed(feedOptions);
}

/** The app's ingest graph over the bench feed, with the pattern engine plugged in when on. */
async function buildIngest(
  options: IngestBenchOptions,
  dataSource: DataSource,
  feed: BenchFeed,
  probe: IngestBenchProbe,
  logger: Logger,
  run: BenchRun,
): Promise<Ingest> {
  const patterns = options.engine
    ? (run.patterns = createPatternModule({
        dataSource,
        events: null,
        config: { redisUrl: null, patternChannel: 'bench' },
        logger,
      }))
    : null;
  run.ingest = await createIngest({
    store: createOhlcvRepository(dataSource),
    logger,
    tuning: { flushIntervalMs: options.flushIntervalMs, flushBatchSize: options.flushBatchSize },
    sinks: {
      barsStored: (bars) => probe.onFlushed(bars),
      flushLatency: (ms) => probe.flushMs.add(ms),
      tickListeners: patterns ? [patterns.engine.onTick] : [],
      barClosedListeners: patterns ? [patterns.engine.onBarClosed] : [],
    },
    feed: {
      wsUrl: feed.wsUrl,
      apiKey: 'bench',
      symbols: feed.symbols,
      connections: options.connections,
      source: 'simulator',
      maxFutureMs: 24 * 3_600_000,
    },
    // A fresh database: nothing stored to seed from.
    seedFromStore: false,
    probe,
  });
  return run.ingest;
}

async function collectResult(
  options: IngestBenchOptions,
  run: BenchRun,
  done: BenchFeedDone,
  measured: { probe: IngestBenchProbe; rss: RssWatch; storedAt: number },
): Promise<IngestBenchResult> {
  const { probe, rss, storedAt } = measured;
  const ingest = run.ingest!;
  const expected = new Map<string, ExpectedBar>(
    done.expected.map((bar) => [barKey(bar.symbol, bar.minuteStartMs), bar]),
  );
  const stored = await readStoredBars((sql) => run.dataSource!.query(sql));
  const elapsedMs = storedAt - probe.firstReceive;
  const status = ingest.status();
  const patternStatus = run.patterns?.status();
  return {
    label: ingestLabel(options),
    options,
    events: done.eventsSent,
    eventsPerSec: Math.round((done.eventsSent / elapsedMs) * 1000),
    receiveEventsPerSec: Math.round(
      (done.eventsSent / (probe.lastReceive - probe.firstReceive)) * 1000,
    ),
    elapsedMs: Math.round(elapsedMs),
    drainMs: Math.round(storedAt - probe.lastReceive),
    handleTickUs: probe.handleTickUs.summary(),
    eventToVisibleMs: probe.eventToVisibleMs.summary(),
    flushMs: probe.flushMs.summary(),
    flushes: status.writer.flushes,
    barsWritten: status.writer.barsWritten,
    rowsStored: stored.size,
    patternsDetected: patternStatus
      ? Object.values(patternStatus.detectedByPattern).reduce((a, b) => a + b, 0)
      : 0,
    patternsPersisted: patternStatus?.persisted ?? 0,
    reconnects: status.connections.reduce((sum, c) => sum + c.reconnects, 0),
    rejected: status.ingest.ticksRejected,
    rssStartMb: rss.startMb,
    rssPeakMb: rss.peakMb,
    rssEndMb: rss.endMb,
    zeroLoss: compareBars(stored, expected, { inScope: () => true, vwapTolerance: 1e-5 }),
    comparatorOk: comparatorSelfCheck(stored),
  };
}

async function closeRun(run: BenchRun): Promise<void> {
  await run.ingest?.pool?.close();
  run.ingest?.writer.stop();
  await run.patterns?.stop(10_000).catch(() => undefined);
  await run.feed?.close();
  if (run.dataSource?.isInitialized) await run.dataSource.destroy();
  await run.scratch?.drop();
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
