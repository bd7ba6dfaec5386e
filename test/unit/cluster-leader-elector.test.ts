import { FencedStore, FencedWriteError } from '../../src/cluster/fenced-store';
import { LeaderElector, type LeaderLock } from '../../src/cluster/leader-elector';
import type { IngestBarStore } from '../../src/ingest/create-ingest';
import { createQuietLogger } from '../../src/logger';
import { waitFor } from '../../testkit/wait';

/**
 * The election state machine over a lock whose answers the test decides. The real lock (a
 * PostgreSQL advisory lock on its own session) is exercised by the real-process tests in
 * test/integration/cluster-failover.test.ts; this pins the transitions.
 */
class ScriptedLock implements LeaderLock {
  lost: string | null = null;
  free = true;
  held = true;
  constructor(private readonly onLost: () => void) {}
  connect(): Promise<void> {
    return Promise.resolve();
  }
  tryAcquire(): Promise<boolean> {
    return Promise.resolve(this.free);
  }
  stillHeld(): Promise<boolean> {
    return Promise.resolve(this.held);
  }
  close(): Promise<void> {
    this.lost ??= 'closed';
    return Promise.resolve();
  }
  breakSession(): void {
    this.lost = 'terminated';
    this.onLost();
  }
}

function elector(newLock: ((onLost: () => void) => LeaderLock) | null) {
  const calls: string[] = [];
  const e = new LeaderElector({
    newLock,
    pollMs: 20,
    leaseMs: 200,
    logger: createQuietLogger(),
    onElected: () => {
      calls.push('elected');
      return Promise.resolve();
    },
    onDeposed: (reason) => {
      calls.push(`deposed: ${reason}`);
      return Promise.resolve();
    },
  });
  return { e, calls };
}

describe('LeaderElector', () => {
  it('single process (PGlite): always the leader, no lock', async () => {
    const { e, calls } = elector(null);
    e.start();
    await waitFor(() => e.isLeader, 'leadership');
    expect(e.status()).toMatchObject({ election: 'single-process', elections: 1, takeovers: 0 });
    await e.stop();
    expect(calls).toEqual(['elected']);
    expect(e.status().state).toBe('stopped');
  });

  it('stands by while another holds the lock, then takes over (counted as a takeover)', async () => {
    const locks: ScriptedLock[] = [];
    const { e, calls } = elector((onLost) => {
      const lock = new ScriptedLock(onLost);
      lock.free = false;
      locks.push(lock);
      return lock;
    });
    e.start();
    await waitFor(() => locks.length > 0, 'a lock session');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(e.status().state).toBe('standby');
    locks[0].free = true;
    await waitFor(() => e.isLeader, 'takeover');
    expect(e.status()).toMatchObject({ elections: 1, takeovers: 1, election: 'advisory-lock' });
    e.recordLive();
    expect(e.status().lastTakeoverMs).not.toBeNull();
    await e.stop();
    expect(calls).toEqual(['elected']);
  });

  it('steps down when the heartbeat finds the lock gone, and when the session breaks', async () => {
    const locks: ScriptedLock[] = [];
    const { e, calls } = elector((onLost) => {
      const lock = new ScriptedLock(onLost);
      locks.push(lock);
      return lock;
    });
    e.start();
    await waitFor(() => e.isLeader, 'leadership');
    locks[0].held = false;
    await waitFor(() => e.status().depositions === 1, 'deposition by heartbeat');
    expect(calls[1]).toBe('deposed: the lock is no longer held by this session');
    // A new session is opened and wins again; then its connection breaks.
    await waitFor(() => e.isLeader && locks.length === 2, 're-election on a new session');
    locks[1].breakSession();
    await waitFor(() => e.status().depositions === 2, 'deposition by a broken session');
    expect(e.status().lastDeposedReason).toBe('terminated');
    await e.stop();
  });

  it('steps down when the lease runs out without a confirmation', async () => {
    let hang = false;
    const { e } = elector((onLost) => {
      const lock = new ScriptedLock(onLost);
      lock.stillHeld = () =>
        hang
          ? new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 400))
          : Promise.resolve(true);
      return lock;
    });
    e.start();
    await waitFor(() => e.isLeader, 'leadership');
    hang = true;
    await waitFor(() => e.status().depositions === 1, 'deposition by lease');
    expect(e.status().lastDeposedReason).toBe('lock not confirmed for 200 ms');
    await e.stop();
  });

  it('the write fence: a leader frozen past its lease refuses writes before any timer has run', async () => {
    const { e } = elector((onLost) => new ScriptedLock(onLost));
    let writes = 0;
    const store = new FencedStore(
      {
        upsertDeltas: () => {
          writes++;
          return Promise.resolve({ written: [], duplicates: 0, conflicts: [] });
        },
      } as unknown as IngestBarStore,
      () => e.holdsLease(),
    );
    expect(e.holdsLease()).toBe(false); // not elected yet
    e.start();
    await waitFor(() => e.isLeader, 'leadership');
    await store.upsertDeltas([]);
    expect(writes).toBe(1);
    // A freeze (SIGSTOP, a stalled loop): no heartbeat can run, the lease runs out meanwhile.
    const frozenUntil = Date.now() + 300;
    while (Date.now() < frozenUntil);
    expect(e.isLeader).toBe(true); // the heartbeat has not noticed yet …
    await expect(store.upsertDeltas([])).rejects.toBeInstanceOf(FencedWriteError); // … the fence has
    expect(writes).toBe(1);
    expect(store.fencedWrites).toBe(1);
    await e.stop();
  });
});
