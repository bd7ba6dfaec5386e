import { MinuteSeconds, priceBaseOf } from '../../src/ingest/bars/minute-seconds';
import type { OhlcvValues } from '../../src/domain/minute-bar';

const values = (high: number, low: number, volume: number, vwap: number | null): OhlcvValues => ({
  open: low,
  high,
  low,
  close: high,
  volume,
  vwap,
});

describe('MinuteSeconds (per-second values of the correction window)', () => {
  it('gives back exactly what was kept, near the price base and far from it', () => {
    const store = new MinuteSeconds();
    const first = values(187.23, 187.2, 1200, 187.2153);
    const base = priceBaseOf(first);
    const kept: [number, OhlcvValues][] = [
      [0, first],
      [1, values(190.5, 184.0, 0, null)], // 3.27 away: the widest that fits 16 bits
      [2, values(195.0, 180.0, 10, 191.1234)], // further: kept wide
      [3, values(187.25, 187.2, 4_294_967_295, 187.23)], // the largest 32-bit volume
      [4, values(187.25, 187.2, 4_294_967_296, 187.23)], // larger: kept wide
      [5, values(187.123456, 187.1, 5, 187.1)], // more than 4 decimals: kept wide
    ];
    let head = -1;
    for (const [second, v] of kept) head = store.append(head, second, v, base);
    expect(store.size).toBe(kept.length);
    for (const [second, v] of kept) {
      const entry = store.find(head, second);
      expect(store.read(entry, base)).toEqual({
        high: v.high,
        low: v.low,
        volume: v.volume,
        vwap: v.vwap,
      });
      expect(store.same(entry, v, base)).toBe(true);
    }
    expect([...store.chain(head, base)].map((r) => r.volume)).toEqual(
      kept.map(([, v]) => v.volume).reverse(),
    );
    expect(store.find(head, 59)).toBe(-1);
  });

  it('a replaced second reads back as its new version, fitting or not', () => {
    const store = new MinuteSeconds();
    const base = priceBaseOf(values(50, 50, 1, 50));
    const head = store.append(-1, 7, values(50.01, 49.99, 3, 50), base);
    store.replace(head, values(80, 49.99, 4, 60.5), base);
    expect(store.read(head, base)).toEqual({ high: 80, low: 49.99, volume: 4, vwap: 60.5 });
    store.replace(head, values(50.02, 49.98, 5, 50.0001), base);
    expect(store.read(head, base)).toEqual({ high: 50.02, low: 49.98, volume: 5, vwap: 50.0001 });
  });

  it('bars of different prices share one store without mixing', () => {
    const store = new MinuteSeconds();
    const bases = [0.0123, 12.5, 4999.99].map((p) => priceBaseOf(values(p, p, 1, p)));
    const heads = bases.map((b, i) => store.append(-1, i, values(b / 1e4, b / 1e4, i, null), b));
    heads.forEach((h, i) =>
      expect(store.read(h, bases[i])).toEqual({
        high: bases[i] / 1e4,
        low: bases[i] / 1e4,
        volume: i,
        vwap: null,
      }),
    );
  });
});
