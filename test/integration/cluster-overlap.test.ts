import { MINUTE_MS } from '../../src/domain/minute-bar';
import { diffBars, readStoredBars } from '../../testkit/stored-bars';
import { waitFor } from '../../testkit/wait';
import { createAppDatabase, type AppDatabase } from '../helpers/app-database';
import { startExternalFeed, type ExternalFeed } from '../helpers/app-feed';
import { builtService, type BuiltService } from '../helpers/app-process';
import { fetchStats, waitForAllReceived, waitForSubscribed } from '../helpers/app-run';
import {
  ingestEnv,
  killAll,
  leadership,
  startMember,
  waitForLeadership,
  watchSockets,
  type ClusterMember,
} from '../helpers/cluster-run';
import { testPostgresUrl } from '../helpers/test-databases';

/**
 * Two writers overlap: the leader A is frozen (SIGSTOP) with its socket open, PostgreSQL ends
 * its silent lock session (idle_session_timeout), the standby B takes over and writes, and A is
 * thawed (SIGCONT) with seconds still buffered on its socket and bars in memory. The key allows
 * two sockets here, so nothing evicts A's: on a one-socket key B's connect would evict the frozen
 * socket (Massive's rule, and a frozen process cannot close it), and the overlap would be
 * narrower. A must fence itself on waking — socket closed, not one more bar written — and every
 * stored bar must equal the independent oracle's.
 */
let service: BuiltService;
beforeAll(async () => {
  service = await builtService();
}, 240_000);
afterAll(() => service?.cleanup());

(testPostgresUrl() ? describe : describe.skip)('two writers overlap (SIGSTOP/SIGCONT)', () => {
  let db: AppDatabase;
  let feed: ExternalFeed;
  const members: ClusterMember[] = [];

  beforeEach(async () => {
    db = await createAppDatabase('postgres');
    feed = await startExternalFeed({ maxConnections: 2 });
  });

  afterEach(async () => {
    for (const { proc } of members) proc.signal('SIGCONT');
    await killAll(members);
    await feed?.close();
    await db?.drop();
  });

  it('a frozen leader thawed after the takeover writes nothing more, closes its socket, and every bar is exact', async () => {
    const sockets = watchSockets(feed);
    const a = await startMember(service, 'ingest-a', ingestEnv(feed, db.url));
    members.push(a);
    await waitForLeadership(a, 'leader');
    await waitForSubscribed(() => fetchStats(a.url), feed);
    const b = await startMember(service, 'ingest-b', ingestEnv(feed, db.url));
    members.push(b);
    await waitForLeadership(b, 'standby');

    await feed.driver.runUntil(feed.startMs + 30_000);
    await waitForAllReceived(async () => (await fetchStats(a.url)).ingest.ticksReceived, feed);
    // Quiet: nothing pending and no flush in flight (the count holds over several flush periods),
    // so what A has written when it freezes is known exactly.
    let writtenByA = -1;
    await waitFor(async () => {
      const before = (await fetchStats(a.url)).writer;
      await new Promise((resolve) => setTimeout(resolve, 500));
      const after = (await fetchStats(a.url)).writer;
      writtenByA = after.barsWritten;
      return after.backlog === 0 && after.flushes === before.flushes;
    }, 'A to write all it received');
    expect(writtenByA).toBeGreaterThan(0);
    const [clientA] = feed.recorder.clientIds();

    // Frozen mid-stream: the feed runs on into A's socket; its lock session goes silent.
    const takenInByA = feed.recorder.sent.length;
    a.proc.signal('SIGSTOP');
    feed.driver.run();
    await waitForLeadership(b, 'leader');
    // Both sockets are subscribed now (A's frozen one too): B's own must be live.
    await waitFor(
      async () => (await fetchStats(b.url)).connections.every((c) => c.state === 'live'),
      'B live',
    );
    await waitFor(async () => (await fetchStats(b.url)).writer.barsWritten > 0, 'B to write');
    await waitFor(
      () => feed.recorder.sentCount(clientA) > 0 && feed.sim.clients().length === 2,
      'both sockets open',
    );

    // Thawed: A holds buffered seconds and an expired lease; it must fence itself at once.
    a.proc.signal('SIGCONT');
    const deposed = await waitForLeadership(a, 'standby');
    expect(deposed.depositions).toBe(1);
    // Which of the two stopped the writes first is up to the order A's overdue timers run in:
    // the heartbeat (deposed, writer stopped) or a flush (refused by the lease fence).
    expect(deposed.fencedWrites).toBeGreaterThanOrEqual(0);
    await waitFor(() => feed.sim.clients().length === 1, 'A to close its socket');
    const afterThaw = await fetchStats(a.url);
    expect(afterThaw.connections.every((c) => c.state === 'closed')).toBe(true);
    expect(afterThaw.writer.barsWritten).toBe(writtenByA);
    expect(a.proc.lines.map((line) => line.msg)).toContain(
      'lost ingest leadership: stopping the feed and writes',
    );

    // The feed runs on; B backfills the minutes A left unwritten, A stays silent.
    await feed.driver.runUntil(feed.sim.now() + MINUTE_MS + 23_000);
    const clientB = feed.recorder.clientIds().at(-1)!;
    expect(clientB).not.toBe(clientA);
    await waitForAllReceived(
      async () => (await fetchStats(b.url)).ingest.ticksReceived,
      feed,
      feed.recorder.sentCount() - feed.recorder.sentCount(clientB),
    );
    await waitFor(
      async () => (await fetchStats(b.url)).backfill.minutesFilled > 0,
      'B to backfill the minutes A left',
    );
    expect((await fetchStats(a.url)).writer.barsWritten).toBe(writtenByA);
    expect((await leadership(a)).state).toBe('standby');

    a.proc.signal('SIGKILL');
    await a.proc.exited;
    b.proc.signal('SIGTERM');
    expect(await b.proc.waitForExit()).toEqual({ code: 0, signal: null });
    sockets.stop();
    expect(sockets.max()).toBe(2);
    expect(feed.sim.status().evictions).toBe(0);
    // The oracle of what A and B took in: A's frames up to the freeze (the ones after it were
    // never processed), all of B's, and the minutes between backfilled whole from REST. OHLCV
    // exact; VWAP within REST's 4-decimal rounding, because B's gap ends at the feed time its
    // filler first runs, which may be one minute past its first frame: that minute then comes
    // from REST whole (the truth, with REST's VWAP) rather than from B's live seconds.
    const frames = feed.recorder.sent.filter(
      (frame, i) => frame.clientId !== clientA || i < takenInByA,
    );
    expect(frames.length).toBeLessThan(feed.recorder.sent.length);
    const expected = feed.recorder.expectedBars(frames);
    const stored = await db.read((dataSource) => readStoredBars(dataSource));
    expect(diffBars(stored, expected, { vwapTolerance: 1e-4 })).toEqual([]);
    expect(stored.size).toBe(expected.size);
  }, 240_000);
});
