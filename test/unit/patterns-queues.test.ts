import { BoundedQueue } from '../../src/patterns/bounded-queue';
import { RollingWindow } from '../../src/patterns/ring-buffer';

describe('RollingWindow', () => {
  it('keeps the last N values with an exact running sum and mean', () => {
    const window = new RollingWindow(3);
    expect(window.mean).toBe(0);
    for (const v of [1, 2, 3, 4, 5]) window.push(v);
    expect(window.toArray()).toEqual([3, 4, 5]);
    expect(window.count).toBe(3);
    expect(window.sum).toBe(12);
    expect(window.mean).toBe(4);
  });

  it('matches a naive recomputation over a long random run', () => {
    const window = new RollingWindow(100);
    const all: number[] = [];
    for (let i = 0; i < 10_000; i++) {
      const v = Math.floor(Math.random() * 1_000_000);
      window.push(v);
      all.push(v);
    }
    const last = all.slice(-100);
    expect(window.toArray()).toEqual(last);
    expect(window.sum).toBe(last.reduce((a, b) => a + b, 0));
  });

  it('rejects a bad capacity', () => expect(() => new RollingWindow(0)).toThrow(RangeError));
});

describe('BoundedQueue', () => {
  it('is FIFO and drops the oldest when full, counting drops', () => {
    const queue = new BoundedQueue<number>(3);
    expect([1, 2, 3].map((n) => queue.push(n))).toEqual([true, true, true]);
    expect(queue.push(4)).toBe(false);
    expect(queue.push(5)).toBe(false);
    expect(queue.dropped).toBe(2);
    expect(queue.length).toBe(3);
    expect(queue.take(2)).toEqual([3, 4]);
    queue.push(6);
    queue.push(7);
    expect(queue.take(10)).toEqual([5, 6, 7]);
    expect(queue.length).toBe(0);
    expect(queue.take(5)).toEqual([]);
  });
});
