import type { SimAggregate } from '../../src/ingest/simulator/generator';
import {
  IDEAL_FEED,
  MassiveSimulator,
  type SimulatorOptions,
} from '../../src/ingest/simulator/massive-simulator';
import { fromAggregate } from '../../src/ingest/tick-validation';

const T0 = Date.UTC(2025, 0, 2, 14, 30);
const MINUTE = 60_000;
const WINDOW = 15 * MINUTE;

interface Broadcast {
  event: SimAggregate;
  broadcastMs: number;
}

/** A manual-clock simulator (no sockets) and every event it broadcast, in order. */
function simulate(options: Partial<SimulatorOptions> = {}) {
  const broadcasts: Broadcast[] = [];
  const sim = new MassiveSimulator({
    clock: 'manual',
    startMs: T0,
    symbolCount: 40,
    eventsPerSecond: 40,
    seed: 9,
    retainMinutes: 120,
    onEventsGenerated: (events, broadcastMs) => {
      for (const event of events) broadcasts.push({ event, broadcastMs });
    },
    ...options,
  });
  return { sim, broadcasts };
}

const keyOf = (event: SimAggregate) => `${event.sym}|${event.s}`;

describe('simulator corrections', () => {
  it('re-broadcasts about correctionRate of the seconds, later, within the window, changed', () => {
    const { sim, broadcasts } = simulate({ correctionRate: 0.02 });
    sim.advance(T0 + 40 * MINUTE);
    const firsts = new Map<string, SimAggregate>();
    const previous = new Map<string, SimAggregate>();
    const versions = new Map<string, number>();
    let corrections = 0;
    const problems: string[] = [];
    for (const { event, broadcastMs } of broadcasts) {
      const key = keyOf(event);
      const before = previous.get(key);
      const problem = (what: string) => problems.push(`${key} @${broadcastMs}: ${what}`);
      if (before === undefined) {
        // A first version goes out at the end of its own second.
        if (broadcastMs !== event.e) problem('first version not at the end of its second');
        firsts.set(key, event);
      } else {
        corrections++;
        if (broadcastMs < event.e + 2_000) problem('correction too early');
        if (broadcastMs > event.s + WINDOW) problem('correction after the window');
        // Late trades: more volume, a high that only rises, a low that only falls.
        if (!(event.v > before.v)) problem(`v ${before.v} -> ${event.v}`);
        if (!(event.av > before.av)) problem(`av ${before.av} -> ${event.av}`);
        if (event.h < before.h) problem(`h ${before.h} -> ${event.h}`);
        if (event.l > before.l) problem(`l ${before.l} -> ${event.l}`);
        const checked = fromAggregate({ ...event }, 'A', {
          source: 'simulator',
          receivedAtMs: broadcastMs,
          maxFutureMs: 0,
        });
        if (!checked.ok) problem(`${checked.reason}: ${checked.detail}`);
      }
      previous.set(key, event);
      versions.set(key, (versions.get(key) ?? 0) + 1);
    }
    expect(problems.slice(0, 5)).toEqual([]);
    expect(sim.status().correctionsGenerated).toBe(corrections);
    expect(sim.status().eventsGenerated).toBe(broadcasts.length);
    // Seconds old enough for their whole window: the corrected share is close to the rate.
    const settled = [...firsts.values()].filter((e) => e.s + WINDOW <= T0 + 40 * MINUTE);
    const corrected = settled.filter((e) => versions.get(keyOf(e))! > 1).length;
    expect(corrected / settled.length).toBeGreaterThan(0.015);
    expect(corrected / settled.length).toBeLessThan(0.025);
    // Some seconds are corrected more than once, and some change the bar's high or low.
    expect([...versions.values()].some((n) => n > 2)).toBe(true);
    const widened = broadcasts.filter(({ event }) => {
      const first = firsts.get(keyOf(event))!;
      return event !== first && (event.h > first.h || event.l < first.l);
    });
    expect(widened.length).toBeGreaterThan(0);
  });

  it('is deterministic from the seed, whatever the steps of the clock', () => {
    const a = simulate({ seed: 5 });
    const b = simulate({ seed: 5 });
    const c = simulate({ seed: 6 });
    a.sim.advance(T0 + 20 * MINUTE);
    for (let t = T0; t < T0 + 20 * MINUTE; t += 7_000) b.sim.advance(t);
    b.sim.advance(T0 + 20 * MINUTE);
    c.sim.advance(T0 + 20 * MINUTE);
    const text = (x: { broadcasts: Broadcast[] }) => JSON.stringify(x.broadcasts);
    expect(text(b) === text(a)).toBe(true);
    expect(a.sim.status().correctionsGenerated).toBeGreaterThan(0);
    expect(text(c) === text(a)).toBe(false);
  });

  it('leaves the first versions as they are (corrections have their own random stream)', () => {
    const correcting = simulate({ correctionRate: 0.05 });
    const ideal = simulate(IDEAL_FEED);
    correcting.sim.advance(T0 + 10 * MINUTE);
    ideal.sim.advance(T0 + 10 * MINUTE);
    const firsts = correcting.broadcasts.filter((b) => b.broadcastMs === b.event.e);
    expect(JSON.stringify(firsts) === JSON.stringify(ideal.broadcasts)).toBe(true);
    expect(ideal.sim.status().correctionsGenerated).toBe(0);
  });

  it('can model trades later than the window (correctionMaxDelayMs)', () => {
    const { sim, broadcasts } = simulate({
      correctionRate: 0.05,
      correctionMinDelayMs: 20 * MINUTE,
      correctionMaxDelayMs: 30 * MINUTE,
    });
    sim.advance(T0 + 40 * MINUTE);
    const late = broadcasts.filter((b) => b.broadcastMs > b.event.e);
    expect(late.length).toBeGreaterThan(0);
    for (const { event, broadcastMs } of late) {
      expect(broadcastMs - event.e).toBeGreaterThanOrEqual(20 * MINUTE);
      expect(broadcastMs - event.s).toBeLessThanOrEqual(30 * MINUTE);
    }
  });

  it('refuses options that cannot work, naming them', () => {
    expect(() => simulate({ correctionRate: 0.9 })).toThrow(/correctionRate/);
    expect(() => simulate({ correctionMinDelayMs: 0 })).toThrow(/correctionMinDelayMs/);
    expect(() => simulate({ restLagMinMs: 5, restLagMaxMs: 1 })).toThrow(/restLag/);
  });
});
