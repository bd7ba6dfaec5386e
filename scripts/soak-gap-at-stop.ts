/**
 * Reproduction of a data-loss path the main soak steps around: SIGTERM while a feed gap is
 * still waiting in the GapFiller (within ~1 feed minute + settle after a reconnect).
 *
 *   1. app live on the simulator (4× real time, PGlite on a temp dir);
 *   2. sockets dropped at second ≥ 45 of a minute → reconnect → a gap ending in that minute;
 *   3. app.stop() once the next minute has begun but before the gap's settle point
 *      (gap end minute + 60 s + settleMs of feed time): GapFiller.stop() drops the pending gap;
 *   4. a second lifetime starts, backfills from each symbol's NEWEST stored minute (enqueueUntilLive),
 *      which is after the hole, and stops;
 *   5. the whole minutes from the first full one up to the second stop are compared with the
 *      simulator's own roll-up.
 * Exit 0 when every compared minute is exact; 1 when the drop minute stayed short (the bug).
 * Run: `npm run build:tools && node dist/scripts/soak-gap-at-stop.js` (about a minute).
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../ormconfig';
import { startApp, type RunningApp } from '../src/app';
import { loadConfig } from '../src/config';
import { IDEAL_FEED, MassiveSimulator } from '../src/ingest/simulator/massive-simulator';
import { BarOracle, fromSimAggregate } from '../testkit/bar-oracle';
import { compareBars, readStoredBars } from '../testkit/stored-bars';
import { sleep, waitFor } from '../testkit/wait';

const MINUTE = 60_000;

async function main(): Promise<number> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tickstock-gap-at-stop-'));
  const rollup = new BarOracle();
  const sim = new MassiveSimulator({
    clock: 'realtime',
    acceleration: 4,
    symbolCount: 20,
    eventsPerSecond: 20,
    seed: 1,
    startMs: Math.floor((Date.now() - 3 * 3_600_000) / MINUTE) * MINUTE,
    apiKey: 'k',
    ...IDEAL_FEED,
    onEventsGenerated: (events) => {
      for (const event of events) rollup.add(fromSimAggregate(event));
    },
  });
  let app: RunningApp | null = null;
  try {
    const { wsUrl, restUrl } = await sim.start(0);
    const config = () =>
      loadConfig({
        MASSIVE_API_KEY: 'k',
        MASSIVE_WS_URL: wsUrl,
        MASSIVE_REST_URL: restUrl,
        DATABASE_URL: `pglite://${dir}`,
        PORT: '0',
        SYMBOLS: sim.symbols.join(','),
        LOG_LEVEL: 'silent',
        FEED_PING_INTERVAL_MS: '1000',
      });
    app = await startApp(config());
    const first = app;
    await waitFor(() => first.status().ingest.ticksProcessed > 0, 'first data', 60_000);
    const firstFull = Math.floor(sim.now() / MINUTE) * MINUTE + MINUTE;
    await waitFor(
      () => sim.now() >= firstFull + 45_000,
      'second 45 of the first full minute',
      60_000,
    );
    const dropAt = sim.now();
    sim.dropConnections();
    await waitFor(
      () => first.status().connections.every((c) => c.state === 'live' && c.reconnects >= 1),
      'reconnected',
      60_000,
    );
    const before = first.status().ingest.ticksProcessed;
    await waitFor(
      () => first.status().ingest.ticksProcessed > before,
      'data after the reconnect',
      60_000,
    );
    const reconnectMinute = Math.floor(sim.now() / MINUTE) * MINUTE;
    // A tick of the next minute processed (so the newest stored minute is past the hole), and
    // still before the gap filler's settle point.
    const lastTickEnd = () =>
      Date.parse(first.status().ingest.lastTickAt ?? '1970-01-01T00:00:00Z');
    await waitFor(
      () => lastTickEnd() >= reconnectMinute + MINUTE + 1000,
      'a tick of the next minute',
      60_000,
      5,
    );
    const runsAtStop = first.status().backfill.runs;
    await first.stop();
    app = null;

    app = await startApp(config());
    const second = app;
    await waitFor(() => second.status().backfill.runs > 0, 'restart backfill', 120_000);
    await sleep(3_000);
    const fills = second.status().backfill;
    // Compare only minutes that ended before this second stop (the minute it cuts is partial).
    const to = Math.floor(sim.now() / MINUTE) * MINUTE;
    await second.stop();
    app = null;

    const dataSource = await openDatabase({ kind: 'pglite', dataDir: dir });
    const stored = await readStoredBars((sql) => dataSource.query<unknown[]>(sql));
    await dataSource.destroy();
    const inScope = (_symbol: string, minute: number) => minute >= firstFull && minute < to;
    const result = compareBars(
      stored,
      rollup.bars((bar) => inScope(bar.symbol, bar.minuteStartMs)),
      { inScope },
    );
    console.log(
      `drop at feed ${new Date(dropAt).toISOString()}; gap fills before stop: ${runsAtStop}; restart backfill: ${fills.minutesFilled} minutes in ${fills.runs} runs\n` +
        `whole minutes ${new Date(firstFull).toISOString()} → ${new Date(to).toISOString()}: ${result.compared} bars compared, ${result.mismatches} mismatches`,
    );
    for (const line of result.examples.slice(0, 6)) console.log(`  ${line}`);
    console.log(
      result.mismatches === 0
        ? 'OK: the pending gap survived the stop'
        : 'REPRODUCED: a gap pending at stop() is never filled',
    );
    return result.mismatches === 0 && result.compared > 0 ? 0 : 1;
  } finally {
    await app?.stop();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main()
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    console.error(error);
    process.exit(2);
  });
