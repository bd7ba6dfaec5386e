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
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { RunningApp } from '../src/app';
import type { MassiveSimulator } from '../src/ingest/simulator/massive-simulator';
import { isPostgresReachable } from '../testkit/reachability';
import { dropScratchDatabases, postgresAdminUrl } from '../testkit/scratch-database';
import { waitFor } from '../testkit/wait';
import { SoakDatabase } from './soak-database';
import { compare, injectFaults, newDrill, settle, sigtermDrill } from './soak-phases';
import { buildReport, judge, MemorySampler, printReport, writeReport } from './soak-report';
import {
  appLoggerTo,
  log,
  readKnobs,
  ROOT,
  RSS_SAMPLE_MS,
  startSimulator,
  startSoakApp,
} from './soak-setup';

async function main(): Promise<number> {
  const started = Date.now();
  const knobs = readKnobs();
  const hardStop = setTimeout(() => {
    console.error(`soak: hard stop after ${Math.round(knobs.budgetMs / 1000)} s`);
    void dropScratchDatabases().finally(() => process.exit(3));
  }, knobs.budgetMs);
  hardStop.unref();

  const adminUrl = postgresAdminUrl();
  const wantPg = process.env.SOAK_DATABASE !== 'pglite';
  const usePg = wantPg && (await isPostgresReachable(adminUrl));
  const problems: string[] = [];
  let db: SoakDatabase | null = null;
  let app: RunningApp | null = null;
  let sim: MassiveSimulator | null = null;
  const resultsDir = path.join(ROOT, 'bench-results');
  mkdirSync(resultsDir, { recursive: true });
  const appLogFile = path.join(resultsDir, 'soak-app.log');
  const appLogger = appLoggerTo(appLogFile, knobs.logLevel);

  try {
    db = await SoakDatabase.open(adminUrl, usePg);
    const feed = await startSimulator(knobs);
    sim = feed.sim;
    const { coverage } = feed;
    log(
      `database ${db.describe()}; ` +
        `${knobs.symbolCount} symbols, ${knobs.eventsPerSecond} events per feed second, ${knobs.acceleration}× real time, feed from ${new Date(feed.startMs).toISOString()}; ` +
        `${knobs.minutes} min of faults; app logs → ${path.relative(process.cwd(), appLogFile)}`,
    );
    app = await startSoakApp(knobs, feed, db.appUrl, appLogger);
    const running = app;
    await waitFor(
      () =>
        running.status().connections.every((c) => c.state === 'live') &&
        running.status().ingest.ticksProcessed > 0,
      'app live with data',
      60_000,
      50,
    );
    const memory = new MemorySampler(RSS_SAMPLE_MS);
    log(`app live on ${running.url}; RSS ${memory.startMb} MB`);

    const drill = newDrill(sim, running, db, adminUrl, feed.wsUrl);
    await injectFaults(drill, knobs, started, problems);
    await settle(drill, sim, running);
    const stop = await sigtermDrill({ app: running, sim, coverage, drill }, db, memory, problems);
    app = null;
    log(`app stopped (${stop.description})`);

    const compared = await compare(db, coverage, sim.symbols);
    judge(compared, stop.finalStatus, drill, problems, sim.status().evictions);
    const report = buildReport({
      knobs,
      started,
      db,
      sim,
      coverage,
      drill,
      memory,
      stop,
      compared,
    });
    report.problems = problems;
    report.ok = problems.length === 0;
    writeReport(resultsDir, report);
    printReport(report);
    return report.ok ? 0 : 1;
  } finally {
    await app?.stop().catch((error: unknown) => console.error('app stop failed', error));
    await sim?.close();
    await db?.close();
    appLogger.flush();
  }
}

main()
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
