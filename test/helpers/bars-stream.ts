import { fromAggregate } from '../../src/ingest/tick-validation';
import { type TickData } from '../../src/domain/tick';
import { seededRandom } from '../../testkit/random';

export interface RecordedStreamOptions {
  symbols: string[];
  /** First second of the stream (Unix ms, a multiple of 1000). */
  startMs: number;
  seconds: number;
  seed?: number;
  /** Share of events sent a second time, a few events later. */
  duplicateRate?: number;
  /** Events are shuffled within windows of this many events (out-of-order delivery). */
  shuffleWindow?: number;
  /** Share of (symbol, second) pairs with no trade at all. */
  skipRate?: number;
}

const price4 = (value: number) => Math.round(value * 10_000) / 10_000;

/**
 * A recorded Massive `A` stream (raw event objects, as the socket delivers them), with
 * duplicates and out-of-order delivery, turned into TickData through the real validator.
 */
export function recordedStream(options: RecordedStreamOptions): TickData[] {
  const random = seededRandom(options.seed ?? 7);
  const { duplicateRate = 0.05, shuffleWindow = 8, skipRate = 0.2 } = options;
  const last = new Map<string, number>(options.symbols.map((s, i) => [s, 50 + i * 13.37]));
  const raw: Record<string, unknown>[] = [];
  for (let sec = 0; sec < options.seconds; sec++) {
    const s = options.startMs + sec * 1000;
    for (const sym of options.symbols) {
      if (random() < skipRate) continue;
      const prev = last.get(sym)!;
      const o = price4(prev * (1 + (random() - 0.5) * 0.002));
      const c = price4(o * (1 + (random() - 0.5) * 0.002));
      const h = price4(Math.max(o, c) + random() * 0.05);
      const l = price4(Math.min(o, c) - random() * 0.05);
      const vw = price4(l + (h - l) * random());
      last.set(sym, c);
      raw.push({
        ev: 'A',
        sym,
        v: 1 + Math.floor(random() * 5000),
        vw,
        o,
        h,
        l,
        c,
        a: vw,
        z: 50,
        s,
        e: s + 1000,
      });
    }
  }
  // Local shuffles: delivery order differs from feed time order, also across minute boundaries.
  for (let i = 0; i < raw.length; i += shuffleWindow) {
    const end = Math.min(raw.length, i + shuffleWindow);
    for (let j = end - 1; j > i; j--) {
      const k = i + Math.floor(random() * (j - i + 1));
      [raw[j], raw[k]] = [raw[k], raw[j]];
    }
  }
  const delivered: Record<string, unknown>[] = [];
  const delayed: { at: number; event: Record<string, unknown> }[] = [];
  raw.forEach((event, i) => {
    delivered.push(event);
    if (random() < duplicateRate)
      delayed.push({ at: i + 1 + Math.floor(random() * 20), event: { ...event } });
    for (let d = delayed.length - 1; d >= 0; d--) {
      if (delayed[d].at <= i) delivered.push(delayed.splice(d, 1)[0].event);
    }
  });
  for (const rest of delayed) delivered.push(rest.event);

  return delivered.map((event) => {
    const result = fromAggregate(event, 'A', {
      source: 'simulator',
      receivedAtMs: (event.e as number) + 5,
      maxFutureMs: 60_000,
    });
    if (!result.ok)
      throw new Error(`recorded stream has an invalid event: ${result.reason} ${result.detail}`);
    return result.tick;
  });
}
