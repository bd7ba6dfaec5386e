/** The soak's phases after start-up: faults, settling, the SIGTERM drill, the comparison. */
import type { RunningApp } from '../src/app';
import type { IngestStatusSnapshot } from '../src/domain/status';
import type { MassiveSimulator } from '../src/ingest/simulator/massive-simulator';
import { comparatorSelfCheck, compareBars, type BarComparison } from '../testkit/stored-bars';
import { sleep, waitFor } from '../testkit/wait';
import type { SoakCoverage } from './soak-coverage';
import type { SoakDatabase } from './soak-database';
import { FaultDrill } from './soak-faults';
import type { MemorySampler } from './soak-report';
import { log, NO_DATA_TIMEOUT_MS, PING_INTERVAL_MS, SOAK_API_KEY, type Knobs } from './soak-setup';

/** The drill over the running app; database faults only on PostgreSQL (through the proxy). */
export function newDrill(
  sim: MassiveSimulator,
  app: RunningApp,
  db: SoakDatabase,
  adminUrl: string,
  wsUrl: string,
): FaultDrill {
  return new FaultDrill({
    sim,
    wsUrl,
    apiKey: SOAK_API_KEY,
    app,
    proxy: db.proxy,
    adminUrl: db.kind === 'postgres' ? adminUrl : null,
    databaseName: db.scratch?.name ?? null,
    stallMs: PING_INTERVAL_MS * 3 + NO_DATA_TIMEOUT_MS,
    dbOutageMs: 3_000,
    recoveryTimeoutMs: 90_000,
    log,
  });
}

/** One fault every interval, in rotation, until the fault minutes are used up. */
export async function injectFaults(
  drill: FaultDrill,
  knobs: Knobs,
  startedAt: number,
  problems: string[],
) {
  const kinds = drill.kinds();
  const faultsUntil = startedAt + knobs.minutes * 60_000;
  for (let i = 0; Date.now() + knobs.faultIntervalMs < faultsUntil; i++) {
    await sleep(knobs.faultIntervalMs);
    try {
      await drill.inject(kinds[i % kinds.length]);
    } catch (error) {
      problems.push(`fault ${kinds[i % kinds.length]} did not recover: ${String(error)}`);
      log(problems[problems.length - 1]);
      break;
    }
  }
}

/** Polls `read` until two reads `pauseMs` apart agree (and `also` holds). */
async function untilStable(
  read: () => number,
  what: string,
  timeoutMs: number,
  pauseMs: number,
  also: () => boolean = () => true,
) {
  let last: number | null = null;
  await waitFor(
    async () => {
      const now = read();
      const stable = now === last && also();
      last = now;
      if (!stable) await sleep(pauseMs);
      return stable;
    },
    what,
    timeoutMs,
    0,
  );
}

/**
 * Every socket live, then enough feed time for every pending gap to close and be fetched, and
 * for every minute the faults touched to leave the correction window and be re-checked from REST.
 */
export async function settle(drill: FaultDrill, sim: MassiveSimulator, app: RunningApp) {
  await drill.waitFeedRecovered(Date.now());
  const settleUntilFeed = sim.now() + 3 * 60_000;
  await waitFor(() => sim.now() >= settleUntilFeed, 'feed time to pass the last gap', 120_000, 100);
  await untilStable(() => app.status().backfill.runs, 'backfill to settle', 60_000, 2_000);
  await waitFor(
    () => app.status().reconcile.pending === 0,
    () => `REST re-checks of the faulted minutes: ${JSON.stringify(app.status().reconcile)}`,
    240_000,
    500,
  );
}

/**
 * The SIGTERM drill: database cut (PostgreSQL), feed frozen with every socket live, then stop()
 * must drain the bars in memory through the outage.
 */
export async function sigtermDrill(
  ctx: { app: RunningApp; sim: MassiveSimulator; coverage: SoakCoverage; drill: FaultDrill },
  db: SoakDatabase,
  memory: MemorySampler,
  problems: string[],
): Promise<{ description: string; finalStatus: IngestStatusSnapshot }> {
  const { app, sim, coverage, drill } = ctx;
  const proxy = db.proxy;
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
  await untilStable(
    () => app.status().ingest.ticksReceived,
    'the last delivered frames to be processed',
    30_000,
    100,
    () => sim.bufferedAmount() === 0,
  );
  if (drill.reconnects() !== reconnectsAtFreeze)
    problems.push(
      'a socket reconnected between the freeze and stop: the end of the compared range is not exact',
    );
  const backlogAtStop = app.status().writer.backlog;
  memory.stop();
  const stopStarted = Date.now();
  const stopping = app.stop();
  let description: string;
  if (proxy !== null) {
    await sleep(2_000);
    proxy.restore();
    description = `database cut 1.5 s before the freeze, app.stop() with ${backlogAtStop} bar updates unwritten, database restored 2 s into stop`;
  } else {
    description = `feed frozen, app.stop() with ${backlogAtStop} bar updates unwritten`;
  }
  await stopping;
  description += `; stop() took ${Date.now() - stopStarted} ms`;
  return { description, finalStatus: app.status() };
}

/** Every stored bar in the compared range against the independent roll-up of what was generated. */
export async function compare(
  db: SoakDatabase,
  coverage: SoakCoverage,
  symbols: readonly string[],
) {
  const stored = await db.readAllBars();
  const comparison: BarComparison = compareBars(stored, coverage.expected(), {
    inScope: coverage.inScope,
  });
  let outside = 0;
  for (const bar of stored.values())
    if (!coverage.inScope(bar.symbol, bar.minuteStartMs)) outside++;
  const firstMinutes = symbols
    .map((s) => coverage.firstMinute(s))
    .filter((m): m is number => m !== null);
  return {
    comparison,
    selfCheckOk: comparatorSelfCheck(stored),
    outside,
    from: Math.min(...firstMinutes),
  };
}

export type Compared = Awaited<ReturnType<typeof compare>>;
