/**
 * The America/New_York wall clock, from the runtime's own time-zone database (Intl), so bars
 * follow the same DST rules as PostgreSQL's `AT TIME ZONE` without a time-zone library.
 *
 * A "wall" time is the New York clock reading encoded as if it were UTC milliseconds
 * (`Date.UTC(y, m, d, h, mi)` of what the clock shows), which lets calendar arithmetic run on
 * plain numbers and `new Date(wall).getUTC*()` read the fields back.
 */

export const NEW_YORK = 'America/New_York';
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

const formatter = new Intl.DateTimeFormat('en-US', {
  timeZone: NEW_YORK,
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});

// New York's offset only changes on whole UTC hours (02:00 local = 07:00Z / 06:00Z), so one
// lookup per UTC hour is exact; the cache is bounded because ranges are unbounded.
const offsetByHour = new Map<number, number>();
const MAX_CACHED_HOURS = 200_000;

/** Wall minus UTC at `utcMs`: -5 h (EST) or -4 h (EDT). */
export function newYorkOffsetMs(utcMs: number): number {
  const hour = Math.floor(utcMs / HOUR_MS);
  const cached = offsetByHour.get(hour);
  if (cached !== undefined) return cached;
  const field: Record<string, number> = {};
  for (const part of formatter.formatToParts(new Date(hour * HOUR_MS)))
    if (part.type !== 'literal') field[part.type] = Number(part.value);
  const wall = Date.UTC(field.year, field.month - 1, field.day, field.hour, field.minute);
  const offset = wall - hour * HOUR_MS;
  if (offsetByHour.size >= MAX_CACHED_HOURS) offsetByHour.clear();
  offsetByHour.set(hour, offset);
  return offset;
}

export function toNewYorkWall(utcMs: number): number {
  return utcMs + newYorkOffsetMs(utcMs);
}

/**
 * The instant at which the New York clock shows `wallMs`. In the repeated hour of a fall-back
 * day the earlier instant (daylight time); in the skipped hour of a spring-forward day the
 * reading taken as standard time (02:30 → 03:30 EDT), as PostgreSQL does, so a bucket
 * boundary at 02:00 falls on the jump itself (03:00 EDT).
 */
export function fromNewYorkWall(wallMs: number): number {
  // The instant lies 4–5 h after the wall reading; offsets 3 h and 6 h after bracket it.
  const before = newYorkOffsetMs(wallMs + 3 * HOUR_MS);
  const after = newYorkOffsetMs(wallMs + 6 * HOUR_MS);
  for (const offset of [before, after]) {
    const utc = wallMs - offset;
    if (toNewYorkWall(utc) === wallMs) return utc;
  }
  return wallMs - before;
}

/** Minutes since New York midnight of the clock reading at `utcMs`. */
export function newYorkMinuteOfDay(utcMs: number): number {
  const wall = toNewYorkWall(utcMs);
  return Math.floor((wall - Math.floor(wall / DAY_MS) * DAY_MS) / 60_000);
}

/** 09:30 and 16:00 New York, in minutes since midnight. */
export const REGULAR_OPEN_MINUTE = 9 * 60 + 30;
export const REGULAR_CLOSE_MINUTE = 16 * 60;
/** The feed's extended day: 04:00–20:00 New York. */
export const EXTENDED_OPEN_MINUTE = 4 * 60;
export const EXTENDED_CLOSE_MINUTE = 20 * 60;

/** True when the minute starting at `utcMs` is in the regular session (09:30 ≤ t < 16:00 NY). */
export function isRegularSessionMinute(utcMs: number): boolean {
  const minute = newYorkMinuteOfDay(utcMs);
  return minute >= REGULAR_OPEN_MINUTE && minute < REGULAR_CLOSE_MINUTE;
}

/** `YYYY-MM-DD` New York date → the instant of its midnight. */
export function newYorkMidnight(year: number, month: number, day: number): number {
  return fromNewYorkWall(Date.UTC(year, month - 1, day));
}

/**
 * True while the feed's extended day is open: a weekday, 04:00 ≤ New York time < 20:00 (US
 * exchange holidays are not modelled). Outside it a quiet feed is the market closed, not a fault.
 */
export function extendedHoursOpen(utcMs: number): boolean {
  const wall = toNewYorkWall(utcMs);
  const weekday = new Date(wall).getUTCDay();
  if (weekday === 0 || weekday === 6) return false;
  const minute = newYorkMinuteOfDay(utcMs);
  return minute >= EXTENDED_OPEN_MINUTE && minute < EXTENDED_CLOSE_MINUTE;
}
