/**
 * `npm run soak`: the fault drill of issue 3 §5, bounded (SOAK_MINUTES, default 3, plus a hard
 * stop). An external MassiveSimulator (realtime clock, accelerated, started far enough in the
 * past that feed time never passes the wall clock) feeds the real app (startApp, 3 sockets,
 * REST backfill from the simulator), its database behind a TCP proxy (PostgreSQL when reachable,
 * else PGlite on a temp dir), while the drill repeatedly drops sockets, stalls the feed, sends
 * malformed frames and kills database connections. Finally the feed is frozen, the database cut,
 * and app.stop() (the SIGTERM path) must drain through the outage. Then every stored bar in
 * the compared range (see soak-coverage.ts) is checked against an independent roll-up of what
 * the simulator generated, value by value. Exits 1 on any mismatch.
 *
 * Knobs (env): SOAK_MINUTES (3), SOAK_SYMBOLS (200), SOAK_EVENTS_PER_SECOND (150, per feed
 * second), SOAK_ACCELERATION (30), SOAK_FAULT_INTERVAL_S (8), SOAK_LOG_LEVEL (warn; app logs go
 * to bench-results/soak-app.log), SOAK_DATABASE=postgres|pglite, BENCH_DATABASE_URL.
 */
import 'reflect-metadata';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import pino from 'pino';
import { openDatabase } from '../ormconfig';
import { startApp, type RunningApp } from '../src/app';
import { loadConfig, type LogLevel } from '../src/config';
import { MassiveSimulator } from '../src/ingest/simulator/massive-simulator';
import type { IngestStatusSnapshot } from '../src/domain/status';
import { rssMb } from './lib/percentile';
import {
  createScratchDatabase,
  dropScratchDatabases,
  isPostgresReachable,
  postgresAdminUrl,
  type ScratchDatabase,
} from './lib/scratch-postgres';
import {
  comparatorSelfCheck,
  compareBars,
  readStoredBars,
  type BarComparison,
} from './lib/stored-bars';
import { TcpProxy } from './lib/tcp-proxy';
import { sleep, waitFor } from './lib/wait';
import { SoakCoverage } from './soak-coverage';
import { FaultDrill, MALFORMED_FRAMES, type FaultKind } from './soak-faults';

function envNumber(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max)
    throw new Error(`${name} must be a number in ${min}..${max} (got "${raw}")`);
  return value;
}

const ROOT = path.resolve(__dirname, '..', '..');
const log = (line: string) =>
  console.log(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}`);

/** Heartbeat knobs for the app: a stall is noticed in ~2–4 s instead of ~30 s. */
const PING_INTERVAL_MS = 1000;
const RSS_SAMPLE_MS = 5000;
const NO_DATA_TIMEOUT_MS = 3000;

interface SoakReport {
  ok: boolean;
  database: 'postgres' | 'pglite';
  minutes: number;
  symbols: number;
  acceleration: number;
  faults: Record<FaultKind, number>;
  faultLog: FaultDrill['records'];
  sigtermDrill: string;
  reconnects: number;
  simulatorConnectionsAccepted: number;
  backfill: IngestStatusSnapshot['backfill'];
  writer: IngestStatusSnapshot['writer'];
  rejects: { injectedBadEvents: number; counted: number; byReason: Record<string, number> };
  dbConnectionsKilled: number;
  eventsGenerated: number;
  eventsSent: number;
  ticksProcessed: number;
  comparedRange: { from: string; to: string; definition: string };
  symbolMinutesCompared: number;
  comparison: BarComparison;
  storedRowsOutsideRange: number;
  /** Sampled every 5 s from "live" to stop; secondHalfMbPerMin: least-squares slope over the later half. */
  rss: {
    startMb: number;
    endMb: number;
    minMb: number;
    maxMb: number;
    secondHalfMbPerMin: number;
    samples: number[];
  };
  heapUsedMb: { start: number; end: number };
  durationSeconds: number;
  problems: string[];
}

async function main(): Promise<number> {
  const started = Date.now();
  const minutes = envNumber('SOAK_MINUTES', 3, 0.25, 120);
  const symbolCount = envNumber('SOAK_SYMBOLS', 200, 3, 5000);
  const eventsPerSecond = envNumber(
    'SOAK_EVENTS_PER_SECOND',
    Math.round(symbolCount * 0.75),
    1,
    100_000,
  );
  const acceleration = envNumber('SOAK_ACCELERATION', 30, 1, 600);
  const faultIntervalMs = envNumber('SOAK_FAULT_INTERVAL_S', 8, 1, 600) * 1000;
  const logLevel = (process.env.SOAK_LOG_LEVEL ?? 'warn') as LogLevel;
  const budgetMs = minutes * 60_000 + 180_000;
  const hardStop = setTimeout(() => {
    console.error(`soak: hard stop after ${Math.round(budgetMs / 1000)} s`);
    void dropScratchDatabases().finally(() => process.exit(3));
  }, budgetMs);
  hardStop.unref();

  const adminUrl = postgresAdminUrl();
  const wantPg = process.env.SOAK_DATABASE !== 'pglite';
  const usePg = wantPg && (await isPostgresReachable(adminUrl));
  const problems: string[] = [];
  let scratch: ScratchDatabase | null = null;
  let proxy: TcpProxy | null = null;
  let pgliteDir: string | null = null;
  let app: RunningApp | null = null;
  let sim: MassiveSimulator | null = null;
  const resultsDir = path.join(ROOT, 'bench-results');
  mkdirSync(resultsDir, { recursive: true });
  const appLogFile = path.join(resultsDir, 'soak-app.log');
  const appLogger = pino(
    {
      level: logLevel,
      base: { service: 'tickstock' },
      redact: { paths: ['apiKey', 'params', '*.apiKey', '*.params'], censor: '***' },
    },
    pino.destination({ dest: appLogFile, sync: false }),
  );

  try {
    let databaseUrl: string;
    if (usePg) {
      scratch = await createScratchDatabase(adminUrl, 'tickstock_soak');
      const target = new URL(scratch.url);
      proxy = await TcpProxy.start(target.hostname || '127.0.0.1', Number(target.port || 5432));
      target.hostname = '127.0.0.1';
      target.port = String(proxy.port);
      databaseUrl = target.toString();
    } else {
      pgliteDir = mkdtempSync(path.join(os.tmpdir(), 'tickstock-soak-'));
      databaseUrl = `pglite://${pgliteDir}`;
    }

    // Feed time runs `acceleration`× the wall clock; starting this far back keeps it in the past for the whole budget.
    const startMs =
      Math.floor((Date.now() - (budgetMs / 1000) * (acceleration - 1) * 1000) / 60_000) * 60_000 -
      60_000;
    let coverage: SoakCoverage | null = null;
    sim = new MassiveSimulator({
      clock: 'realtime',
      acceleration,
      symbolCount,
      eventsPerSecond,
      seed: 2024,
      startMs,
      apiKey: 'soak',
      maxConnections: 3,
      retainMinutes: 90,
      onEventsGenerated: (events) => coverage?.onGenerated(events),
      onEventsSent: (client, events) => coverage?.onSent(client, events),
    });
    coverage = new SoakCoverage(sim.symbols);
    const { wsUrl, restUrl } = await sim.start(0);
    const config = loadConfig({
      NODE_ENV: 'production',
      MASSIVE_API_KEY: 'soak',
      MASSIVE_WS_URL: wsUrl,
      MASSIVE_REST_URL: restUrl,
      DATABASE_URL: databaseUrl,
      PORT: '0',
      MAX_CONNECTIONS: '3',
      SYMBOLS: sim.symbols.join(','),
      LOG_LEVEL: logLevel,
      FEED_PING_INTERVAL_MS: String(PING_INTERVAL_MS),
      FEED_NO_DATA_TIMEOUT_MS: String(NO_DATA_TIMEOUT_MS),
    });
    log(
      `database ${usePg ? `PostgreSQL ${scratch!.name} via TCP proxy :${proxy!.port}` : `PGlite ${pgliteDir}`}; ` +
        `${symbolCount} symbols, ${eventsPerSecond} events per feed second, ${acceleration}× real time, feed from ${new Date(startMs).toISOString()}; ` +
        `${minutes} min of faults; app logs → ${path.relative(process.cwd(), appLogFile)}`,
    );
    app = await startApp(config, { logger: appLogger });
    const running = app;
    await waitFor(
      () =>
        running.status().connections.every((c) => c.state === 'live') &&
        running.status().ingest.ticksProcessed > 0,
      'app live with data',
      60_000,
      50,
    );
    const rssSamples: number[] = [];
    const heapStart = Math.round(process.memoryUsage().heapUsed / 1_048_576);
    const rssStart = rssMb();
    rssSamples.push(rssStart);
    const rssTimer = setInterval(() => rssSamples.push(rssMb()), RSS_SAMPLE_MS);
    log(`app live on ${running.url}; RSS ${rssStart} MB`);

    const drill = new FaultDrill({
      sim,
      app: running,
      proxy,
      adminUrl: usePg ? adminUrl : null,
      databaseName: scratch?.name ?? null,
      stallMs: PING_INTERVAL_MS * 3 + NO_DATA_TIMEOUT_MS,
      dbOutageMs: 3_000,
      recoveryTimeoutMs: 90_000,
      log,
    });
    const kinds = drill.kinds();
    const faultsUntil = started + minutes * 60_000;
    for (let i = 0; Date.now() + faultIntervalMs < faultsUntil; i++) {
      await sleep(faultIntervalMs);
      try {
        await drill.inject(kinds[i % kinds.length]);
      } catch (error) {
        problems.push(`fault ${kinds[i % kinds.length]} did not recover: ${String(error)}`);
        log(problems[problems.length - 1]);
        break;
      }
    }

    // Settle: every socket live, then enough feed time for every pending gap to close and be fetched.
    await drill.waitFeedRecovered(Date.now());
    const settleUntilFeed = sim.now() + 3 * 60_000;
    await waitFor(
      () => sim!.now() >= settleUntilFeed,
      'feed time to pass the last gap',
      120_000,
      100,
    );
    let runs = -1;
    await waitFor(
      async () => {
        const now = running.status().backfill.runs;
        const stable = now === runs;
        runs = now;
        if (!stable) await sleep(2_000);
        return stable;
      },
      'backfill to settle',
      60_000,
      0,
    );

    // SIGTERM drill: database cut (PostgreSQL), feed frozen with every socket live, then stop()
    // must drain the bars in memory through the outage.
    let sigtermDrill = 'feed frozen, app.stop()';
    if (proxy !== null) {
      proxy.cut();
      await sleep(1_500);
    }
    await waitFor(() => drill.allLive(), 'sockets live before the freeze', 60_000, 20);
    const reconnectsAtFreeze = drill.reconnects();
    sim.stall(true);
    coverage.freeze(sim.now());
    // Sim and app share this process and talk over loopback: once the simulator's send buffers
    // are empty and nothing new arrived for 100 ms, every delivered frame has been processed
    // (short enough that the writer still holds dirty bars for stop() to drain).
    let last = -1;
    await waitFor(
      async () => {
        const now = running.status().ingest.ticksReceived;
        const stable = now === last && sim!.bufferedAmount() === 0;
        last = now;
        if (!stable) await sleep(100);
        return stable;
      },
      'the last delivered frames to be processed',
      30_000,
      0,
    );
    if (drill.reconnects() !== reconnectsAtFreeze)
      problems.push(
        'a socket reconnected between the freeze and stop: the end of the compared range is not exact',
      );
    const backlogAtStop = running.status().writer.backlog;
    const rssEnd = rssMb();
    const heapEnd = Math.round(process.memoryUsage().heapUsed / 1_048_576);
    clearInterval(rssTimer);
    const stopStarted = Date.now();
    const stopping = running.stop();
    if (proxy !== null) {
      await sleep(2_000);
      proxy.restore();
      sigtermDrill = `database cut 1.5 s before the freeze, app.stop() with ${backlogAtStop} bar updates unwritten, database restored 2 s into stop`;
    } else {
      sigtermDrill = `feed frozen, app.stop() with ${backlogAtStop} bar updates unwritten`;
    }
    await stopping;
    sigtermDrill += `; stop() took ${Date.now() - stopStarted} ms`;
    const finalStatus = running.status();
    app = null;
    log(`app stopped (${sigtermDrill})`);

    // Compare.
    const stored = await readAllBars(usePg ? scratch!.url : null, pgliteDir);
    const expected = coverage.expected();
    const comparison = compareBars(stored, expected, { inScope: coverage.inScope });
    if (!comparatorSelfCheck(stored))
      problems.push('comparator self-check failed: a nudged bar was not flagged');
    let outside = 0;
    for (const bar of stored.values())
      if (!coverage.inScope(bar.symbol, bar.minuteStartMs)) outside++;
    const firstMinutes = sim.symbols
      .map((s) => coverage.firstMinute(s))
      .filter((m): m is number => m !== null);
    const from = Math.min(...firstMinutes);
    const rejectsCounted = finalStatus.ingest.ticksRejected;
    if (comparison.compared === 0) problems.push('nothing was compared');
    if (comparison.mismatches > 0) problems.push(`${comparison.mismatches} mismatching bars`);
    if (rejectsCounted > drill.badEventsSent)
      problems.push(
        `more rejects (${rejectsCounted}) than bad events injected (${drill.badEventsSent}): real data was rejected`,
      );

    const report: SoakReport = {
      ok: problems.length === 0,
      database: usePg ? 'postgres' : 'pglite',
      minutes,
      symbols: symbolCount,
      acceleration,
      faults: drill.counts,
      faultLog: drill.records,
      sigtermDrill,
      reconnects: finalStatus.connections.reduce((sum, c) => sum + c.reconnects, 0),
      simulatorConnectionsAccepted: sim.status().connectionsAccepted,
      backfill: finalStatus.backfill,
      writer: finalStatus.writer,
      rejects: {
        injectedBadEvents: drill.badEventsSent,
        counted: rejectsCounted,
        byReason: Object.fromEntries(
          Object.entries(finalStatus.ingest.rejectedByReason).filter(([, n]) => n > 0),
        ),
      },
      dbConnectionsKilled: drill.dbConnectionsKilled,
      eventsGenerated: sim.status().eventsGenerated,
      eventsSent: coverage.eventsSent,
      ticksProcessed: finalStatus.ingest.ticksProcessed,
      comparedRange: {
        from: new Date(from).toISOString(),
        to: new Date(coverage.endMinute()).toISOString(),
        definition:
          'per symbol: from the first whole minute after its first delivered second, up to (excluding) the minute cut by the final freeze; see scripts/soak-coverage.ts',
      },
      symbolMinutesCompared: coverage.symbolMinutes(),
      comparison,
      storedRowsOutsideRange: outside,
      rss: {
        startMb: rssStart,
        endMb: rssEnd,
        minMb: Math.min(...rssSamples),
        maxMb: Math.max(...rssSamples),
        secondHalfMbPerMin: slopePerMinute(
          rssSamples.slice(Math.floor(rssSamples.length / 2)),
          RSS_SAMPLE_MS,
        ),
        samples: rssSamples,
      },
      heapUsedMb: { start: heapStart, end: heapEnd },
      durationSeconds: Math.round((Date.now() - started) / 1000),
      problems,
    };
    writeFileSync(
      path.join(resultsDir, 'soak-latest.json'),
      `${JSON.stringify(report, null, 2)}\n`,
    );
    printReport(report);
    return report.ok ? 0 : 1;
  } finally {
    await app?.stop().catch((error: unknown) => console.error('app stop failed', error));
    await sim?.close();
    await proxy?.close();
    await scratch?.drop();
    if (pgliteDir !== null) rmSync(pgliteDir, { recursive: true, force: true });
    appLogger.flush();
  }
}

/** Least-squares slope of evenly spaced samples, per minute (0 with fewer than 2 samples). */
function slopePerMinute(samples: readonly number[], intervalMs: number): number {
  const n = samples.length;
  if (n < 2) return 0;
  const meanX = (n - 1) / 2;
  const meanY = samples.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  samples.forEach((y, x) => {
    num += (x - meanX) * (y - meanY);
    den += (x - meanX) ** 2;
  });
  return Math.round((num / den) * (60_000 / intervalMs) * 10) / 10;
}

/** Reads the bars straight from the database (not through the proxy), after the app has stopped. */
async function readAllBars(pgUrl: string | null, pgliteDir: string | null) {
  if (pgUrl !== null) {
    const client = new Client({ connectionString: pgUrl });
    await client.connect();
    try {
      return await readStoredBars(async (sql) => (await client.query(sql)).rows as unknown[]);
    } finally {
      await client.end();
    }
  }
  const dataSource = await openDatabase({ kind: 'pglite', dataDir: pgliteDir });
  try {
    return await readStoredBars((sql) => dataSource.query<unknown[]>(sql));
  } finally {
    await dataSource.destroy();
  }
}

function printReport(r: SoakReport): void {
  const c = r.comparison;
  const lines = [
    '',
    `== Soak report (${r.database}, ${r.minutes} min of faults, ${r.symbols} symbols, ${r.acceleration}× real time, ${r.durationSeconds} s total)`,
    `faults injected: ${Object.entries(r.faults)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
    `final SIGTERM drill: ${r.sigtermDrill}`,
    `reconnects ${r.reconnects} (simulator accepted ${r.simulatorConnectionsAccepted} connections); database connections killed ${r.dbConnectionsKilled}`,
    `backfill: ${r.backfill.minutesFilled} minutes filled in ${r.backfill.runs} runs (${r.backfill.requests} requests, ${r.backfill.failures} failures)`,
    `writer: ${r.writer.barsWritten} bar writes in ${r.writer.flushes} flushes, ${r.writer.flushFailures} failed flushes retried, backlog ${r.writer.backlog}`,
    `rejects: ${r.rejects.counted} counted for ${r.rejects.injectedBadEvents} bad events injected (${MALFORMED_FRAMES.length} kinds) ${JSON.stringify(r.rejects.byReason)}`,
    `events: ${r.eventsGenerated} generated, ${r.eventsSent} sent, ${r.ticksProcessed} processed`,
    `compared range: ${r.comparedRange.from} → ${r.comparedRange.to} (exclusive), ${r.symbolMinutesCompared} symbol-minutes`,
    `rows compared ${c.compared}, mismatches ${c.mismatches} (missing ${c.missing}, unexpected ${c.unexpected}), vwap beyond 1e-4: ${c.vwapOff}; stored rows outside the range ${r.storedRowsOutsideRange}`,
    ...c.examples.slice(0, 10).map((line) => `  ${line}`),
    `RSS MB: start ${r.rss.startMb}, end ${r.rss.endMb} (min ${r.rss.minMb}, max ${r.rss.maxMb}); second half ${r.rss.secondHalfMbPerMin} MB/min; heap used MB ${r.heapUsedMb.start} → ${r.heapUsedMb.end}`,
    `  RSS every 20 s: ${r.rss.samples.filter((_, i) => i % 4 === 0).join(' ')} (this process also holds the simulator and the roll-up)`,
    r.ok ? 'RESULT: OK (0 mismatches)' : `RESULT: FAILED — ${r.problems.join('; ')}`,
    `report: bench-results/soak-latest.json`,
  ];
  console.log(lines.join('\n'));
}

main()
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
