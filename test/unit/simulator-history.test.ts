import { lastSessionBefore } from '../../src/ingest/history/session-preload';
import { MassiveSimulator } from '../../src/ingest/simulator/massive-simulator';

const HOUR = 3_600_000;

describe('lastSessionBefore (04:00–20:00 New York of the last weekday that has ended)', () => {
  it.each([
    // Wednesday 11:00 EST → Tuesday's session
    ['2025-12-03T16:00:00Z', '2025-12-02', '2025-12-02T09:00:00.000Z', '2025-12-03T01:00:00.000Z'],
    // Wednesday 20:00 EST exactly → Wednesday's own session has just ended
    ['2025-12-04T01:00:00Z', '2025-12-03', '2025-12-03T09:00:00.000Z', '2025-12-04T01:00:00.000Z'],
    // Monday 03:00 EST → Friday's
    ['2025-12-08T08:00:00Z', '2025-12-05', '2025-12-05T09:00:00.000Z', '2025-12-06T01:00:00.000Z'],
    // Sunday → Friday's; EDT in summer
    ['2025-06-08T15:00:00Z', '2025-06-06', '2025-06-06T08:00:00.000Z', '2025-06-07T00:00:00.000Z'],
    // Monday after spring-forward → Friday before it (EST)
    ['2025-03-10T12:00:00Z', '2025-03-07', '2025-03-07T09:00:00.000Z', '2025-03-08T01:00:00.000Z'],
  ])('at %s: %s', (now, day, from, to) => {
    const session = lastSessionBefore(Date.parse(now));
    expect(session.day).toBe(day);
    expect(new Date(session.fromMs).toISOString()).toBe(from);
    expect(new Date(session.toMs).toISOString()).toBe(to);
  });
});

describe('simulator history (REST only, never broadcast)', () => {
  it('serves the history session over REST, broadcasts only from startMs', async () => {
    const startMs = Date.parse('2025-12-03T16:00:00Z');
    const session = lastSessionBefore(startMs);
    const broadcast: number[] = [];
    const sim = new MassiveSimulator({
      clock: 'manual',
      symbols: ['AAPL', 'MSFT'],
      startMs,
      history: { fromMs: session.fromMs, toMs: session.toMs },
      restLagMinMs: 0,
      restLagMaxMs: 0,
      onEventsGenerated: (events) => broadcast.push(...events.map((e) => e.s)),
    });
    expect(sim.historyPending()).toBe(true);
    sim.advance(startMs - HOUR); // inside the overnight gap: history done, jumped to live
    expect(sim.historyPending()).toBe(false);
    expect(sim.now()).toBe(startMs);
    expect(broadcast).toHaveLength(0);
    // 20 live minutes: longer than any correction delay, so no correction of a history second
    // is ever broadcast (they all reached REST when the history ended).
    sim.advance(startMs + 20 * 60_000);
    expect(broadcast.length).toBeGreaterThan(0);
    expect(Math.min(...broadcast)).toBe(startMs);
    const { restUrl } = await sim.start(0);
    try {
      const url = `${restUrl}/v2/aggs/ticker/AAPL/range/1/minute/${session.fromMs}/${startMs + 2 * 60_000 - 1}?apiKey=k&limit=5000`;
      const body = (await (await fetch(url)).json()) as { results: { t: number }[] };
      const times = body.results.map((r) => r.t);
      expect(times.filter((t) => t < session.toMs)).toHaveLength(960);
      expect(times.filter((t) => t >= session.toMs && t < startMs)).toHaveLength(0);
      expect(times.filter((t) => t >= startMs)).toEqual([startMs, startMs + 60_000]);
    } finally {
      await sim.close();
    }
  });

  it('refuses a history that does not end before the live start', () => {
    expect(
      () =>
        new MassiveSimulator({
          clock: 'manual',
          startMs: 1_000_000,
          history: { fromMs: 0, toMs: 2_000_000 },
        }),
    ).toThrow(/history/);
  });
});
