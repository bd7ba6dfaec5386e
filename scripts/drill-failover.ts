/**
 * `npm run drill:failover`: the scale-out deployment on this machine, and the ingest leader
 * killed mid-stream. Starts a Massive simulator (one socket per key, evicting the older one,
 * like the real feed), a self-contained PostgreSQL primary + streaming replica (initdb +
 * pg_basebackup under a temp dir), Redis, two ROLE=ingest and two ROLE=api instances (the
 * built service, as `npm start` runs it). Then: kill -9 the leader while the feed runs, and
 * report the takeover time, the evictions the feed saw (must be 0), the bar events a
 * subscriber on the other API instance received, the API's answers during the takeover, and
 * every stored bar compared with the independent oracle (0 mismatches). Exits 1 on a failure.
 *
 * Knobs (env): DRILL_SYMBOLS (50), DRILL_MINUTES_BEFORE (2) / DRILL_MINUTES_AFTER (3) feed
 * minutes around the kill, DRILL_SPEED (40 feed seconds per wall second).
 */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { minuteStart, MINUTE_MS } from '../src/domain/minute-bar';
import { IDEAL_FEED, MassiveSimulator } from '../src/ingest/simulator/massive-simulator';
import type { SimAggregate } from '../src/ingest/simulator/generator';
import { BarOracle, fromSimAggregate } from '../testkit/bar-oracle';
import { DEFAULT_REDIS_URL } from '../testkit/reachability';
import { replicaClusterUnavailable, startReplicaCluster } from '../testkit/replica-cluster';
import { comparatorSelfCheck, compareBars, readStoredBars } from '../testkit/stored-bars';
import { sleep, waitFor } from '../testkit/wait';
import { openDatabase } from '../ormconfig';
import { envInt } from './lib/env';
import { MemberProcess } from './lib/member-process';
import { startPrivateRedis } from '../testkit/private-redis';
import { subscribeBars, type BarSubscription } from './drill-subscriber';

const ROOT = path.resolve(__dirname, '..', '..');
const KEY = 'drill-key';
const TAKEOVER_BOUND_MS = 15_000;

async function main(): Promise<number> {
  const symbolCount = envInt('DRILL_SYMBOLS', 50, 1, 5000);
  const before = envInt('DRILL_MINUTES_BEFORE', 2, 1, 60);
  const after = envInt('DRILL_MINUTES_AFTER', 3, 2, 60);
  const speed = envInt('DRILL_SPEED', 40, 1, 400);
  const unavailable = replicaClusterUnavailable();
  if (unavailable !== null) {
    console.error(`drill: cannot start a primary + replica here: ${unavailable}`);
    return 2;
  }
  const results = path.join(ROOT, 'bench-results');
  mkdirSync(results, { recursive: true });
  const log = (text: string) =>
    console.log(`[drill ${new Date().toISOString().slice(11, 19)}] ${text}`);
  const cleanups: (() => Promise<void>)[] = [];
  const members: MemberProcess[] = [];
  let closeSubscriber: (() => Promise<void>) | null = null;

  try {
    log('starting PostgreSQL primary + streaming replica');
    const cluster = await startReplicaCluster();
    cleanups.push(() => cluster.close());
    const redis = await startPrivateRedis(process.env.REDIS_URL ?? DEFAULT_REDIS_URL);
    cleanups.push(() => redis.stop());
    log(`redis ${redis.origin} at ${redis.url}`);

    const generated: SimAggregate[] = [];
    const sentByClient = new Map<number, number>();
    const startMs = minuteStart(Date.now()) - (before + after + 10) * MINUTE_MS;
    const sim = new MassiveSimulator({
      symbolCount,
      eventsPerSecond: symbolCount,
      seed: 14,
      clock: 'manual',
      startMs,
      apiKey: KEY,
      maxConnections: 1,
      ...IDEAL_FEED,
      onEventsGenerated: (events) => void generated.push(...events),
      onEventsSent: (client, events) =>
        void sentByClient.set(client, (sentByClient.get(client) ?? 0) + events.length),
    });
    const feed = await sim.start(0);
    cleanups.push(() => sim.close());
    const symbols = [...sim.symbols];

    const common = {
      DATABASE_URL: cluster.primaryUrl,
      REDIS_URL: redis.url,
      NODE_ENV: 'production',
      FLUSH_INTERVAL_MS: '100',
    };
    const ingestEnv = {
      ...common,
      ROLE: 'ingest',
      MASSIVE_API_KEY: KEY,
      MASSIVE_WS_URL: feed.wsUrl,
      MASSIVE_REST_URL: feed.restUrl,
      SYMBOLS: symbols.join(','),
    };
    const apiEnv = { ...common, ROLE: 'api', DATABASE_READ_URL: cluster.replicaUrl };
    const member = (name: string, env: Record<string, string>) => {
      const m = new MemberProcess(name, env, path.join(results, `drill-${name}.log`));
      members.push(m);
      return m;
    };
    // Ingest first: it applies the migrations the API instances then find in place.
    const ingestA = member('ingest-a', ingestEnv);
    await waitFor(
      async () => (await ingestA.stats()).connections.some((c) => c.state === 'live'),
      'ingest-a live',
      90_000,
      50,
    );
    const ingestB = member('ingest-b', ingestEnv);
    const [api1, api2] = [member('api-1', apiEnv), member('api-2', apiEnv)];
    await Promise.all([ingestB.url(), api1.url(), api2.url()]);
    log(
      `members up: ${await Promise.all(members.map(async (m) => `${m.name} ${await m.url()}`)).then((u) => u.join(', '))}`,
    );
    const leaderOf = async () => {
      for (const m of [ingestA, ingestB])
        if (m.running && (await m.stats()).cluster?.leadership?.state === 'leader') return m;
      return null;
    };
    const leader = await waitFor(leaderOf, 'a leader', 30_000, 50);
    const standby = leader === ingestA ? ingestB : ingestA;

    const subscription: BarSubscription = await subscribeBars(await api2.url());
    closeSubscriber = () => subscription.close();

    // The feed, at `speed` feed seconds per wall second, until stopped.
    const driver = setInterval(
      () => sim.advance(sim.now() + 1000),
      Math.max(1, Math.round(1000 / speed)),
    );
    cleanups.push(() => Promise.resolve(clearInterval(driver)));
    await waitFor(
      () => subscription.received() > 0,
      'a first bar on api-2 (subscription live)',
      60_000,
      20,
    );
    const killAtMs = startMs + before * MINUTE_MS + 25_000;
    await waitFor(() => sim.now() >= killAtMs, 'feed time to reach the kill point', 600_000, 20);

    // API reads keep answering through the takeover (they only need the database).
    const reads = pollReads(await api1.url(), symbols[0]);
    const eventsBeforeKill = subscription.received();
    const clientsBeforeKill = new Set(sentByClient.keys());
    log(`kill -9 ${leader.name} at feed time ${new Date(sim.now()).toISOString()}`);
    leader.signal('SIGKILL');
    const killedAt = Date.now();
    await leader.exited;
    await waitFor(
      async () => {
        const stats = await standby.stats();
        return (
          stats.cluster?.leadership?.state === 'leader' &&
          stats.connections.length > 0 &&
          stats.connections.every((c) => c.state === 'live')
        );
      },
      `${standby.name} to take over`,
      60_000,
      20,
    );
    const takeoverMs = Date.now() - killedAt;
    log(`${standby.name} live after ${takeoverMs} ms`);
    const eventsAtTakeover = subscription.received();

    await waitFor(
      () => sim.now() >= killAtMs + after * MINUTE_MS,
      'the feed to run on',
      600_000,
      50,
    );
    clearInterval(driver);
    const readFigures = await reads.stop();
    const api1Cluster = (await api1.stats()).cluster;
    const sentTotal = [...sentByClient.values()].reduce((a, b) => a + b, 0);
    let sentToNew = 0;
    for (const [client, count] of sentByClient)
      if (!clientsBeforeKill.has(client)) sentToNew += count;
    await waitFor(
      async () => (await standby.stats()).ingest.ticksReceived >= sentToNew,
      'the new leader to take in everything sent to it',
      120_000,
      50,
    );
    const beforeStop = await standby.stats();
    await sleep(500);
    // Ingest standby has nobody to hand over to now: SIGTERM drains the new leader (fills gaps).
    // At 40× feed speed the REST backfill (rate-limited like Massive's) trails the feed; the
    // SIGTERM drain fills what is still waiting, which can take minutes for thousands of symbols.
    await standby.stop(600_000);
    const standbyExit = standby.exitDescription;

    const primary = await openDatabase({ kind: 'postgres', url: cluster.primaryUrl });
    const stored = await readStoredBars(primary);
    await primary.destroy();
    const oracle = new BarOracle();
    for (const event of generated) oracle.add(fromSimAggregate(event));
    const comparison = compareBars(stored, oracle.bars());
    const report = {
      symbols: symbolCount,
      feedMinutes: Math.round((sim.now() - startMs) / MINUTE_MS),
      killed: leader.name,
      takeoverMs,
      takeoverBoundMs: TAKEOVER_BOUND_MS,
      evictions: sim.status().evictions,
      connectionsAccepted: sim.status().connectionsAccepted,
      eventsGenerated: generated.length,
      eventsSentToSockets: sentTotal,
      eventsNotSentRecoveredByBackfill: generated.length - sentTotal,
      // Symbol-minutes the new leader filled from REST: while running, and the rest at SIGTERM.
      minutesBackfilledByNewLeader: {
        beforeStop: beforeStop.backfill.minutesFilled,
        total: standby.minutesBackfilled,
      },
      newLeader: beforeStop.cluster?.leadership,
      newLeaderExit: standbyExit,
      subscriberOnApi2: {
        barEvents: subscription.received(),
        beforeKill: eventsBeforeKill,
        duringTakeover: eventsAtTakeover - eventsBeforeKill,
        afterTakeover: subscription.received() - eventsAtTakeover,
        errors: subscription.errors(),
      },
      api1ReadsDuringDrill: readFigures,
      api1SeesLeader: api1Cluster?.leader?.instanceId ?? null,
      api1Replica: api1Cluster?.replica ?? null,
      bars: {
        compared: comparison.compared,
        stored: stored.size,
        mismatches: comparison.mismatches,
        vwapOff: comparison.vwapOff,
        comparatorSelfCheck: comparatorSelfCheck(stored),
        examples: comparison.examples.slice(0, 5),
      },
    };
    console.log(JSON.stringify(report, null, 2));
    writeFileSync(
      path.join(results, 'drill-failover.json'),
      `${JSON.stringify(report, null, 2)}\n`,
    );
    const failures = [
      report.evictions !== 0 && `the feed saw ${report.evictions} evictions`,
      takeoverMs > TAKEOVER_BOUND_MS && `takeover took ${takeoverMs} ms`,
      comparison.mismatches !== 0 && `${comparison.mismatches} bar mismatches`,
      !report.bars.comparatorSelfCheck && 'the bar comparison cannot fail (self-check)',
      report.subscriberOnApi2.afterTakeover === 0 && 'no events on api-2 after the takeover',
      readFigures.failed !== 0 && `${readFigures.failed} API reads failed`,
      standbyExit !== 'code 0, signal null' &&
        `the new leader did not drain cleanly (${standbyExit})`,
    ].filter(Boolean);
    log(failures.length === 0 ? 'PASS' : `FAIL: ${failures.join('; ')}`);
    return failures.length === 0 ? 0 : 1;
  } finally {
    // The subscriber first: its socket must not outlive the API instance it is connected to.
    await closeSubscriber?.().catch(() => undefined);
    for (const m of members) if (m.running) m.signal('SIGKILL');
    await Promise.all(members.map((m) => m.exited));
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}

/** GET /api/ticks/recent on one API instance every 50 ms; counts answers by outcome. */
function pollReads(baseUrl: string, symbol: string) {
  let ok = 0;
  let failed = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const response = await fetch(`${baseUrl}/api/ticks/recent?symbol=${symbol}&limit=5`);
        await response.arrayBuffer();
        if (response.ok) ok++;
        else failed++;
      } catch {
        failed++;
      }
      await sleep(50);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { ok, failed };
    },
  };
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('drill failed:', error);
    process.exit(1);
  },
);
