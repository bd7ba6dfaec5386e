import { createQuietLogger } from '../../src/logger';
import { WriteBehind, type WriteBehindOptions } from '../../src/lib/write-behind';

/** A list source and a scripted write: the loop's own rules, without a database. */
function machine(overrides: Partial<WriteBehindOptions<number, number>> = {}) {
  const queue: number[] = [];
  const written: number[][] = [];
  const events: string[] = [];
  let failuresLeft = 0;
  const wb = new WriteBehind<number, number>({
    name: 'test',
    logger: createQuietLogger(),
    intervalMs: 60_000,
    retry: { minMs: 60_000, maxMs: 60_000, factor: 2 },
    drainPauseMaxMs: 1,
    take: () => queue.splice(0, 3),
    write: async (batch) => {
      if (failuresLeft > 0) {
        failuresLeft--;
        throw new Error('down');
      }
      written.push(batch);
      return batch.length;
    },
    backlog: () => queue.length,
    ready: () => queue.length >= 3,
    onFailure: (_error, batch, streak) =>
      events.push(`fail ${batch?.join(',') ?? 'nothing'} #${streak}`),
    onRecovered: (failures) => events.push(`recovered after ${failures}`),
    ...overrides,
  });
  return {
    wb,
    queue,
    written,
    events,
    failNext: (n: number) => (failuresLeft = n),
  };
}

describe('WriteBehind', () => {
  it('retries a failed batch first and as-is, then takes newer items', async () => {
    const m = machine();
    m.queue.push(1, 2, 3, 4);
    m.failNext(2);
    expect(await m.wb.drain()).toBe(true);
    expect(m.written).toEqual([[1, 2, 3], [4]]);
    expect(m.events).toEqual(['fail 1,2,3 #1', 'fail 1,2,3 #2', 'recovered after 2']);
    expect(m.wb.status()).toMatchObject({ flushes: 2, failures: 2, lastError: 'down' });
  });

  it('a failed take keeps nothing and counts as a failure', async () => {
    let broken = true;
    const m = machine({
      take: () => {
        if (broken) {
          broken = false;
          throw new Error('source unavailable');
        }
        return [7];
      },
      backlog: () => (broken ? 1 : 0),
    });
    expect(await m.wb.flushNow()).toBe('failed');
    expect(m.events).toEqual(['fail nothing #1']);
    expect(m.wb.retrying).toBe(0);
    expect(await m.wb.flushNow()).toBe('flushed');
    expect(m.written).toEqual([[7]]);
  });

  it('split replaces a batch with the batches to try instead, without backing off', async () => {
    const m = machine({
      write: async (batch) => {
        if (batch.includes(2)) throw new Error('bad item');
        m.written.push(batch);
        return batch.length;
      },
      split: (batch) => (batch.length > 1 ? batch.map((item) => [item]) : []),
    });
    m.queue.push(1, 2, 3);
    expect(await m.wb.flushNow()).toBe('again');
    expect(m.wb.retrying).toBe(3);
    expect(await m.wb.drain()).toBe(true);
    expect(m.written).toEqual([[1], [3]]);
    expect(m.events).toEqual([]); // permanent failures are not a streak
    expect(m.wb.status().failures).toBe(2);
  });

  it('drain gives up, keeping the batch, when the next attempt would pass the deadline', async () => {
    const m = machine({ drainPauseMaxMs: undefined });
    m.queue.push(1);
    m.failNext(Infinity);
    expect(await m.wb.drain(1_000)).toBe(false); // the next retry is 60 s away
    expect(m.wb.pending).toBe(1);
    expect(m.wb.lastFailure).toEqual(new Error('down'));
  });

  it('runs exclusive work in turn with flushes', async () => {
    const m = machine();
    const order: string[] = [];
    m.queue.push(1);
    const flush = m.wb.flushNow().then(() => order.push('flush'));
    const other = m.wb.exclusive(async () => order.push('other'));
    await Promise.all([flush, other]);
    expect(order).toEqual(['flush', 'other']);
  });

  it('kick() flushes a full batch at once, and keeps going while full batches wait', async () => {
    const m = machine();
    m.wb.start();
    m.queue.push(1, 2, 3, 4, 5, 6, 7);
    m.wb.kick();
    while (m.written.length < 2) await new Promise((resolve) => setTimeout(resolve, 1));
    m.wb.stop();
    // The leftover item waits for the (one-minute) interval.
    expect(m.written).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(m.queue).toEqual([7]);
  });
});
