import {
  extendedHoursOpen,
  fromNewYorkWall,
  isRegularSessionMinute,
  newYorkMidnight,
  newYorkOffsetMs,
} from '../../src/domain/new-york-clock';
import type { Timeframe } from '../../src/domain/timeframe';
import { InvalidInputError } from '../../src/services/domain-errors';
import {
  bucketRule,
  bucketStarts,
  firstStartAtOrAfter,
} from '../../src/services/timeframe-buckets';

const iso = (ms: number) => new Date(ms).toISOString();
const at = (text: string) => Date.parse(text);
const tf = (multiplier: number, unit: Timeframe['unit']): Timeframe => ({ multiplier, unit });
const HOUR = 3_600_000;

describe('New York clock', () => {
  it('knows EST and EDT and the switch instants', () => {
    expect(newYorkOffsetMs(at('2025-01-15T12:00:00Z'))).toBe(-5 * HOUR);
    expect(newYorkOffsetMs(at('2025-07-15T12:00:00Z'))).toBe(-4 * HOUR);
    // 2025-03-09 02:00 EST → 03:00 EDT at 07:00Z; 2025-11-02 02:00 EDT → 01:00 EST at 06:00Z.
    expect(newYorkOffsetMs(at('2025-03-09T06:59:00Z'))).toBe(-5 * HOUR);
    expect(newYorkOffsetMs(at('2025-03-09T07:00:00Z'))).toBe(-4 * HOUR);
    expect(newYorkOffsetMs(at('2025-11-02T05:59:00Z'))).toBe(-4 * HOUR);
    expect(newYorkOffsetMs(at('2025-11-02T06:00:00Z'))).toBe(-5 * HOUR);
  });

  it('maps wall readings back: skipped hour read as standard time, repeated hour takes daylight time', () => {
    expect(iso(fromNewYorkWall(Date.UTC(2025, 2, 9, 2, 0)))).toBe('2025-03-09T07:00:00.000Z');
    expect(iso(fromNewYorkWall(Date.UTC(2025, 2, 9, 2, 30)))).toBe('2025-03-09T07:30:00.000Z');
    expect(iso(fromNewYorkWall(Date.UTC(2025, 10, 2, 1, 30)))).toBe('2025-11-02T05:30:00.000Z');
    expect(iso(newYorkMidnight(2025, 11, 3))).toBe('2025-11-03T05:00:00.000Z');
    expect(iso(newYorkMidnight(2025, 7, 4))).toBe('2025-07-04T04:00:00.000Z');
  });

  it('regular session is 09:30 ≤ t < 16:00 New York in both EST and EDT', () => {
    expect(isRegularSessionMinute(at('2025-01-15T14:29:00Z'))).toBe(false); // 09:29 EST
    expect(isRegularSessionMinute(at('2025-01-15T14:30:00Z'))).toBe(true); // 09:30 EST
    expect(isRegularSessionMinute(at('2025-01-15T20:59:00Z'))).toBe(true); // 15:59 EST
    expect(isRegularSessionMinute(at('2025-01-15T21:00:00Z'))).toBe(false); // 16:00 EST
    expect(isRegularSessionMinute(at('2025-07-15T13:30:00Z'))).toBe(true); // 09:30 EDT
    expect(isRegularSessionMinute(at('2025-07-15T14:29:00Z'))).toBe(true); // 10:29 EDT
    expect(isRegularSessionMinute(at('2025-07-15T20:00:00Z'))).toBe(false); // 16:00 EDT
  });
});

describe('bucket rules', () => {
  it('a day is the New York calendar day: 23 hours in March, 25 in November, not UTC midnight', () => {
    const day = bucketRule(tf(1, 'day'));
    expect(iso(day.start(at('2025-11-04T03:00:00Z')))).toBe('2025-11-03T05:00:00.000Z'); // 22:00 EST on the 3rd
    expect(iso(day.start(at('2025-11-04T05:00:00Z')))).toBe('2025-11-04T05:00:00.000Z');
    const spring = day.start(at('2025-03-09T12:00:00Z'));
    expect(iso(spring)).toBe('2025-03-09T05:00:00.000Z');
    expect(day.next(spring) - spring).toBe(23 * HOUR);
    const fall = day.start(at('2025-11-02T12:00:00Z'));
    expect(iso(fall)).toBe('2025-11-02T04:00:00.000Z');
    expect(day.next(fall) - fall).toBe(25 * HOUR);
    expect(day.fixedStepMs).toBeNull();
  });

  it('1 hour: on the hour, the repeated hour of a fall-back day is two bars, the skipped one none', () => {
    const hour = bucketRule(tf(1, 'hour'));
    expect(hour.fixedStepMs).toBe(HOUR);
    const fall = bucketStarts(hour, at('2025-11-02T04:00:00Z'), at('2025-11-02T08:00:00Z'), 99);
    expect(fall.map(iso)).toEqual([
      '2025-11-02T04:00:00.000Z', // 00:00 EDT
      '2025-11-02T05:00:00.000Z', // 01:00 EDT
      '2025-11-02T06:00:00.000Z', // 01:00 EST
      '2025-11-02T07:00:00.000Z', // 02:00 EST
    ]);
    const spring = bucketStarts(hour, at('2025-03-09T05:00:00Z'), at('2025-03-09T08:00:00Z'), 99);
    expect(spring.map(iso)).toEqual([
      '2025-03-09T05:00:00.000Z', // 00:00 EST
      '2025-03-09T06:00:00.000Z', // 01:00 EST
      '2025-03-09T07:00:00.000Z', // 03:00 EDT (02:00 never shows)
    ]);
  });

  it('4 hours start at 00/04/08… New York; the bar holding a switch is 3 or 5 hours', () => {
    const four = bucketRule(tf(4, 'hour'));
    const july = bucketStarts(four, at('2025-07-15T04:00:00Z'), at('2025-07-16T04:00:00Z'), 99);
    expect(july.map((ms) => new Date(ms + newYorkOffsetMs(ms)).getUTCHours())).toEqual([
      0, 4, 8, 12, 16, 20,
    ]);
    const fall = bucketStarts(four, at('2025-11-02T04:00:00Z'), at('2025-11-02T14:00:00Z'), 99);
    expect(fall.map(iso)).toEqual([
      '2025-11-02T04:00:00.000Z', // 00:00 EDT … 04:00 EST = 5 h
      '2025-11-02T09:00:00.000Z', // 04:00 EST
      '2025-11-02T13:00:00.000Z', // 08:00 EST
    ]);
    const spring = bucketStarts(four, at('2025-03-09T05:00:00Z'), at('2025-03-09T13:00:00Z'), 99);
    expect(spring.map(iso)).toEqual([
      '2025-03-09T05:00:00.000Z', // 00:00 EST … 04:00 EDT = 3 h
      '2025-03-09T08:00:00.000Z', // 04:00 EDT
      '2025-03-09T12:00:00.000Z', // 08:00 EDT
    ]);
    // 2 h on the spring day: the 02:00 bucket starts when the clock jumps over 02:00.
    const two = bucketRule(tf(2, 'hour'));
    expect(iso(two.start(at('2025-03-09T07:30:00Z')))).toBe('2025-03-09T07:00:00.000Z');
    expect(iso(two.start(at('2025-03-09T06:59:00Z')))).toBe('2025-03-09T05:00:00.000Z');
  });

  it('5 and 15 minutes are clock-aligned in EST and EDT', () => {
    const five = bucketRule(tf(5, 'minute'));
    expect(iso(five.start(at('2025-07-15T13:34:59Z')))).toBe('2025-07-15T13:30:00.000Z');
    const fifteen = bucketRule(tf(15, 'minute'));
    expect(iso(fifteen.start(at('2025-01-15T14:44:00Z')))).toBe('2025-01-15T14:30:00.000Z');
    expect(fifteen.next(at('2025-01-15T14:30:00Z'))).toBe(at('2025-01-15T14:45:00Z'));
  });

  it('weeks start Monday 00:00 New York, months are calendar months', () => {
    const week = bucketRule(tf(1, 'week'));
    // Sunday 2025-11-09 23:30 EST is still the week of Monday 2025-11-03.
    expect(iso(week.start(at('2025-11-10T04:30:00Z')))).toBe('2025-11-03T05:00:00.000Z');
    expect(iso(week.start(at('2025-11-10T05:00:00Z')))).toBe('2025-11-10T05:00:00.000Z');
    // The week holding the fall-back Sunday starts on EDT Monday 2025-10-27.
    const w = week.start(at('2025-11-02T12:00:00Z'));
    expect(iso(w)).toBe('2025-10-27T04:00:00.000Z');
    expect(week.next(w) - w).toBe(7 * 24 * HOUR + HOUR);
    const month = bucketRule(tf(1, 'month'));
    // 2025-11-01 02:00Z is still October 31 in New York.
    expect(iso(month.start(at('2025-11-01T02:00:00Z')))).toBe('2025-10-01T04:00:00.000Z');
    expect(iso(month.next(at('2025-11-15T00:00:00Z')))).toBe('2025-12-01T05:00:00.000Z');
    expect(iso(month.next(at('2025-12-15T00:00:00Z')))).toBe('2026-01-01T05:00:00.000Z');
    const quarter = bucketRule(tf(3, 'month'));
    expect(iso(quarter.start(at('2025-05-20T12:00:00Z')))).toBe('2025-04-01T04:00:00.000Z');
    expect(iso(quarter.next(at('2025-05-20T12:00:00Z')))).toBe('2025-07-01T04:00:00.000Z');
  });

  it('bucket starts are strictly increasing and contiguous over a year of every rule', () => {
    for (const timeframe of [
      tf(30, 'minute'),
      tf(2, 'hour'),
      tf(6, 'hour'),
      tf(1, 'day'),
      tf(2, 'week'),
      tf(1, 'month'),
    ]) {
      const rule = bucketRule(timeframe);
      const starts = bucketStarts(
        rule,
        at('2025-01-01T00:00:00Z'),
        at('2026-01-01T00:00:00Z'),
        1e6,
      );
      for (let i = 1; i < starts.length; i++) {
        expect(starts[i]).toBeGreaterThan(starts[i - 1]);
        expect(rule.next(starts[i - 1])).toBe(starts[i]);
        expect(rule.start(starts[i] - 1)).toBe(starts[i - 1]);
        expect(rule.start(starts[i])).toBe(starts[i]);
      }
    }
  });

  it('firstStartAtOrAfter keeps a boundary and rounds anything else up', () => {
    const day = bucketRule(tf(1, 'day'));
    expect(firstStartAtOrAfter(day, at('2025-11-03T05:00:00Z'))).toBe(at('2025-11-03T05:00:00Z'));
    expect(firstStartAtOrAfter(day, at('2025-11-03T05:01:00Z'))).toBe(at('2025-11-04T05:00:00Z'));
  });

  it('rejects sizes with no clock alignment, unknown units and bad multipliers', () => {
    for (const bad of [
      tf(7, 'minute'),
      tf(90, 'minute'),
      tf(5, 'hour'),
      tf(0, 'day'),
      tf(1.5, 'minute'),
      tf(5, 'month'),
      tf(25, 'hour'),
    ])
      expect(() => bucketRule(bad)).toThrow(InvalidInputError);
    expect(() => bucketRule({ multiplier: 1, unit: 'year' as Timeframe['unit'] })).toThrow(/unit/);
    expect(() => bucketRule(tf(120, 'minute'))).not.toThrow();
  });
});

describe('market hours', () => {
  it('the extended day is 04:00–20:00 New York on weekdays; weekends are closed', () => {
    expect(extendedHoursOpen(at('2025-11-03T08:59:00Z'))).toBe(false); // Mon 03:59 EST
    expect(extendedHoursOpen(at('2025-11-03T09:00:00Z'))).toBe(true); // Mon 04:00 EST
    expect(extendedHoursOpen(at('2025-11-04T00:59:00Z'))).toBe(true); // Mon 19:59 EST
    expect(extendedHoursOpen(at('2025-11-04T01:00:00Z'))).toBe(false); // Mon 20:00 EST
    expect(extendedHoursOpen(at('2025-07-15T08:00:00Z'))).toBe(true); // Tue 04:00 EDT
    expect(extendedHoursOpen(at('2025-11-08T15:00:00Z'))).toBe(false); // Saturday
  });
});
