import { CommitPublisher } from '../../src/cluster/commit-publisher';
import { COMMIT_LEASE_MS, RemoteCommits } from '../../src/cluster/remote-commits';
import { ReadCache } from '../../src/services/cache/read-cache';

/**
 * The commit stream between an ingest leader (CommitPublisher) and an API instance
 * (RemoteCommits), wired directly (the Redis hop is tested in test/integration/cluster-cache):
 * the cache is on only while the stream is unbroken, and voided whenever it may have had a gap.
 */
function harness(options: { replica?: () => number } = {}) {
  let now = 1_000_000;
  const remote = new RemoteCommits({
    replicaCurrentThroughMs: options.replica ?? null,
    now: () => now,
  });
  const wire: string[] = [];
  let deliver = true;
  const leader = new CommitPublisher(
    'ingest-a',
    (m) => {
      if (deliver) remote.receive(m);
      wire.push(m);
    },
    () => true,
  );
  const cache = new ReadCache(remote.generations);
  let loads = 0;
  const read = (scope: string) =>
    cache.read(
      scope,
      'q',
      () => Promise.resolve(`v${++loads}`),
      () => 8,
    );
  const beat = () => leader.beat();
  return {
    remote,
    leader,
    cache,
    read,
    beat,
    wire,
    advance: (ms: number) => (now += ms),
    setDelivery: (on: boolean) => (deliver = on),
    nowMs: () => now,
  };
}

describe('remote commit stream → read cache', () => {
  it('is off until the stream is heard, then caches and invalidates on every commit', async () => {
    const h = harness();
    expect(h.remote.state().state).toBe('off');
    await h.read('AAPL');
    await h.read('AAPL');
    expect(h.cache.stats().hits).toBe(0);
    h.beat();
    expect(h.remote.state()).toMatchObject({ state: 'on', resets: 1 });
    expect((await h.read('AAPL')).value).toBe('v3');
    expect((await h.read('AAPL')).value).toBe('v3');
    let during: string | null = null;
    await h.leader.around(['AAPL'], async () => {
      during = (await h.read('AAPL')).value;
    });
    expect(during).toBe('v4'); // a write in flight: read through, not cached
    expect((await h.read('AAPL')).value).toBe('v5');
    expect((await h.read('MSFT')).value).toBe('v6');
    await h.leader.around(['AAPL'], () => Promise.resolve());
    expect((await h.read('MSFT')).value).toBe('v6'); // other symbols keep their answers
  });

  it('a gap in the stream voids every answer; silence past the lease turns the cache off', async () => {
    const h = harness();
    h.beat();
    await h.read('AAPL');
    expect((await h.read('AAPL')).value).toBe('v1');
    h.setDelivery(false);
    await h.leader.around(['AAPL'], () => Promise.resolve()); // missed by the API instance
    h.setDelivery(true);
    h.beat();
    expect(h.remote.state().resets).toBe(2);
    expect((await h.read('AAPL')).value).toBe('v2');

    h.advance(COMMIT_LEASE_MS + 1);
    expect(h.remote.state()).toMatchObject({ state: 'off' });
    expect((await h.read('AAPL')).value).toBe('v3');
    h.beat();
    expect(h.remote.state().state).toBe('on');
  });

  it('a lost subscription turns the cache off until a reset; a new writer resets too', async () => {
    const h = harness();
    h.beat();
    await h.read('AAPL');
    h.remote.lost();
    expect(h.remote.state()).toMatchObject({ state: 'off', reason: 'redis subscription lost' });
    expect((await h.read('AAPL')).value).toBe('v2');
    h.beat();
    expect(h.remote.state()).toMatchObject({ state: 'on', resets: 2 });
    expect((await h.read('AAPL')).value).toBe('v3');
    const other = new CommitPublisher(
      'ingest-b',
      (m) => h.remote.receive(m),
      () => true,
    );
    await other.around(['MSFT'], () => Promise.resolve());
    expect(h.remote.state().resets).toBe(3);
    expect((await h.read('AAPL')).value).toBe('v4');
  });

  it('an end whose begin preceded a reset still invalidates its symbols', async () => {
    const h = harness();
    h.beat();
    let release: () => void = () => undefined;
    const write = h.leader.around(['AAPL'], () => new Promise<void>((r) => (release = r)));
    h.remote.lost();
    h.beat(); // the reset forgets the write in flight
    expect((await h.read('AAPL')).value).toBe('v1');
    expect((await h.read('AAPL')).value).toBe('v1');
    release();
    await write;
    expect((await h.read('AAPL')).value).toBe('v2');
  });

  it('with a replica, a symbol is not cached until the replica is current past its last commit', async () => {
    let currentThrough = 0;
    const h = harness({ replica: () => currentThrough });
    h.beat();
    currentThrough = h.nowMs() + 1; // the replica has replayed everything up to after the reset
    await h.read('AAPL');
    expect((await h.read('AAPL')).value).toBe('v1');
    h.advance(10);
    await h.leader.around(['AAPL'], () => Promise.resolve());
    expect((await h.read('AAPL')).value).toBe('v2'); // replica may predate the commit: uncached
    expect((await h.read('AAPL')).value).toBe('v3');
    expect((await h.read('MSFT')).value).toBe('v4');
    expect((await h.read('MSFT')).value).toBe('v4');
    currentThrough = h.nowMs() + 1;
    expect((await h.read('AAPL')).value).toBe('v5');
    expect((await h.read('AAPL')).value).toBe('v5');
  });
});
