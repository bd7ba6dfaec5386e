import { ALL_SYMBOLS_SCOPE, CommitGenerations } from '../../src/services/cache/commit-generations';
import { LruMap } from '../../src/services/cache/lru-map';
import { ReadCache } from '../../src/services/cache/read-cache';

/** A promise the test resolves by hand: the "database" answers when the test says so. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('ReadCache generations', () => {
  it('serves a hit until a write of its scope, then loads again', async () => {
    const commits = new CommitGenerations();
    const cache = new ReadCache(commits);
    let loads = 0;
    const load = async () => `v${++loads}`;
    expect((await cache.read('AAPL', 'k', load, () => 1)).value).toBe('v1');
    expect((await cache.read('AAPL', 'k', load, () => 1)).value).toBe('v1');
    await commits.around(['MSFT'], async () => undefined);
    expect((await cache.read('AAPL', 'k', load, () => 1)).value).toBe('v1');
    await commits.around(['AAPL'], async () => undefined);
    expect((await cache.read('AAPL', 'k', load, () => 1)).value).toBe('v2');
    expect(cache.stats()).toMatchObject({ hits: 2, misses: 2 });
  });

  it('a load that started before a commit never populates the cache after it', async () => {
    const commits = new CommitGenerations();
    const cache = new ReadCache(commits);
    const db = deferred<string>();
    const stale = cache.read(
      'AAPL',
      'k',
      () => db.promise,
      () => 1,
    );
    // The write commits while the read is in flight; the read then returns pre-commit rows.
    await commits.around(['AAPL'], async () => undefined);
    db.resolve('before-commit');
    expect(await stale).toEqual({ value: 'before-commit', tag: null });
    const fresh = await cache.read(
      'AAPL',
      'k',
      async () => 'after-commit',
      () => 1,
    );
    expect(fresh.value).toBe('after-commit');
    expect(fresh.tag).not.toBeNull();
  });

  it('during a write, reads bypass the cache and carry no tag; a write that fails still invalidates', async () => {
    const commits = new CommitGenerations();
    const cache = new ReadCache(commits);
    await cache.read(
      'AAPL',
      'k',
      async () => 'old',
      () => 1,
    );
    const tagBefore = cache.tag('AAPL');
    const write = deferred<void>();
    const writing = commits.around(['AAPL'], () =>
      write.promise.then(() => Promise.reject(new Error('reply lost'))),
    );
    expect(cache.tag('AAPL')).toBeNull();
    const during = await cache.read(
      'AAPL',
      'k',
      async () => 'maybe-committed',
      () => 1,
    );
    expect(during).toEqual({ value: 'maybe-committed', tag: null });
    write.resolve();
    await expect(writing).rejects.toThrow('reply lost');
    // Failed ambiguously: the commit may have happened, so the old answer is gone.
    expect(
      (
        await cache.read(
          'AAPL',
          'k',
          async () => 'reread',
          () => 1,
        )
      ).value,
    ).toBe('reread');
    expect(cache.tag('AAPL')).not.toBe(tagBefore);
    expect(cache.stats().bypassed).toBe(1);
  });

  it('concurrent misses of one key share one load', async () => {
    const cache = new ReadCache(new CommitGenerations());
    const db = deferred<string>();
    let loads = 0;
    const load = () => {
      loads++;
      return db.promise;
    };
    const reads = Array.from({ length: 10 }, () => cache.read('AAPL', 'k', load, () => 1));
    db.resolve('rows');
    expect((await Promise.all(reads)).map((r) => r.value)).toEqual(Array(10).fill('rows'));
    expect(loads).toBe(1);
    expect(cache.stats().coalesced).toBe(9);
  });

  it('every write also moves the all-symbols scope; tags differ per process epoch', async () => {
    const a = new CommitGenerations();
    const b = new CommitGenerations();
    expect(a.epoch).not.toBe(b.epoch);
    const before = a.generation(ALL_SYMBOLS_SCOPE);
    await a.around(['X'], async () => undefined);
    expect(a.generation(ALL_SYMBOLS_SCOPE)).toBe(before + 2);
  });
});

describe('memory bound', () => {
  it('never holds more than its entry cap or its byte cap, however many symbols are read', async () => {
    const cache = new ReadCache(new CommitGenerations(), { maxEntries: 500, maxBytes: 200_000 });
    let maxEntries = 0;
    let maxBytes = 0;
    for (let i = 0; i < 20_000; i++) {
      const symbol = `S${i}`;
      await cache.read(
        symbol,
        'rows|60|',
        async () => 'x'.repeat(100 + (i % 700)),
        (v) => v.length,
      );
      const { entries, bytes } = cache.stats();
      maxEntries = Math.max(maxEntries, entries);
      maxBytes = Math.max(maxBytes, bytes);
    }
    const stats = cache.stats();
    expect(maxEntries).toBeLessThanOrEqual(500);
    expect(maxBytes).toBeLessThanOrEqual(200_000);
    expect(stats.evictions).toBeGreaterThan(19_000);
  });

  it('LruMap drops the least recently used first and skips values larger than the cap', () => {
    const lru = new LruMap<string, number>(2, 100);
    lru.set('a', 1, 10);
    lru.set('b', 2, 10);
    lru.get('a');
    lru.set('c', 3, 10);
    expect(lru.get('b')).toBeUndefined();
    expect(lru.get('a')).toBe(1);
    lru.set('huge', 4, 101);
    expect(lru.get('huge')).toBeUndefined();
    expect(lru.size).toBe(2);
  });
});

describe('ReadCache primitives of the HTTP fast path', () => {
  it('hit() serves only an entry at the current, idle generation and counts only hits', async () => {
    const commits = new CommitGenerations();
    const cache = new ReadCache(commits);
    const tag = cache.tag('AAPL')!;
    expect(cache.storeAtTag('AAPL', 'k', tag, 'answer', 10)).toBe(true);
    expect(cache.hit('AAPL', 'k')).toBe('answer');
    expect(cache.hit('AAPL', 'other')).toBeUndefined();
    const write = deferred<void>();
    const writing = commits.around(['AAPL'], () => write.promise);
    expect(cache.hit('AAPL', 'k')).toBeUndefined();
    write.resolve();
    await writing;
    expect(cache.hit('AAPL', 'k')).toBeUndefined();
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 0, bypassed: 0 });
  });

  it('storeAtTag() refuses an answer once a write of its scope began or ended after the tag', async () => {
    const commits = new CommitGenerations();
    const cache = new ReadCache(commits);
    const tag = cache.tag('AAPL')!;
    const write = deferred<void>();
    const writing = commits.around(['AAPL'], () => write.promise);
    expect(cache.tag('AAPL')).toBeNull();
    expect(cache.storeAtTag('AAPL', 'k', tag, 'before', 10)).toBe(false);
    write.resolve();
    await writing;
    expect(cache.storeAtTag('AAPL', 'k', tag, 'before', 10)).toBe(false);
    expect(cache.storeAtTag('AAPL', 'k', cache.tag('AAPL')!, 'after', 10)).toBe(true);
    expect(cache.hit('AAPL', 'k')).toBe('after');
  });

  it('whenIdle() resolves once every write of the scope has ended, at once when none runs', async () => {
    const commits = new CommitGenerations();
    await commits.whenIdle('AAPL');
    const first = deferred<void>();
    const second = deferred<void>();
    const writes = [
      commits.around(['AAPL'], () => first.promise),
      commits.around(['AAPL', 'MSFT'], () => second.promise),
    ];
    const order: string[] = [];
    const idle = commits.whenIdle('AAPL').then(() => order.push('idle'));
    first.resolve();
    await writes[0];
    order.push('first ended');
    second.resolve();
    await writes[1];
    await idle;
    expect(order).toEqual(['first ended', 'idle']);
    expect(commits.busy('AAPL')).toBe(false);
  });
});
