import { fromNewYorkWall, toNewYorkWall } from '../domain/new-york-clock';
import { timeframeLabel, TIME_UNITS, type Timeframe } from '../domain/timeframe';
import { InvalidInputError } from './domain-errors';

/**
 * Where bars of a timeframe start, on the America/New_York clock (pure; no I/O).
 *
 * - Minutes/hours whose size divides an hour (1, 5, 15, 30 minutes, 1 hour): New York's UTC
 *   offset is a whole number of hours, so these buckets are the same on the UTC and the New
 *   York clock; they are fixed-width and the repository bins them with `date_bin`. The repeated
 *   hour of a fall-back day is two 1-hour bars (01:00 EDT, 01:00 EST), as the clock shows it.
 * - Whole hours dividing a day (2, 3, 4, 6, 8, 12, 24 h): from New York midnight on its clock,
 *   so a 4-hour bar starts at 00/04/08… New York; the bar holding a DST switch is an hour
 *   shorter or longer (the clock skipped or repeated it).
 * - day: a New York calendar day (23 or 25 hours on switch days); week: from Monday 00:00;
 *   month: calendar months (3/month = quarters from January). Multi-day bars count days from
 *   1970-01-01, multi-week bars Mondays from 1970-01-05.
 * Other sizes (7 minutes, 5 hours…) have no clock-aligned meaning and are rejected.
 */
export interface BucketRule {
  readonly timeframe: Timeframe;
  /** Start of the bucket holding instant `ms`. */
  start(ms: number): number;
  /** Start of the bucket after the one starting at (or holding) `ms`. */
  next(ms: number): number;
  /** Width in ms when every bucket has the same width (SQL can bin it alone), else null. */
  readonly fixedStepMs: number | null;
  /** Every bucket is whole New York days (days, weeks, months, 24 hours). */
  readonly dayAligned: boolean;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** 1970-01-01 was a Thursday; the first Monday is day 4. */
const FIRST_MONDAY_DAY = 4;

export const MAX_MULTIPLIER: Readonly<Record<Timeframe['unit'], number>> = {
  minute: 1440,
  hour: 24,
  day: 31,
  week: 52,
  month: 12,
};

/** Validates a timeframe (InvalidInputError naming `field`) and returns its bucket rule. */
export function bucketRule(timeframe: Timeframe, field = 'timeframe'): BucketRule {
  const { multiplier, unit } = timeframe;
  if (!TIME_UNITS.includes(unit))
    throw new InvalidInputError(`${field} unit must be one of ${TIME_UNITS.join(', ')}`, field);
  if (!Number.isInteger(multiplier) || multiplier < 1 || multiplier > MAX_MULTIPLIER[unit]) {
    throw new InvalidInputError(
      `${field} multiplier for ${unit} must be an integer between 1 and ${MAX_MULTIPLIER[unit]} (got ${String(multiplier)})`,
      field,
    );
  }
  const label = timeframeLabel(timeframe);
  if (unit === 'minute' || unit === 'hour') {
    const minutes = unit === 'hour' ? multiplier * 60 : multiplier;
    if (60 % minutes === 0) return fixedRule(timeframe, minutes * MINUTE_MS);
    if (minutes % 60 === 0 && 1440 % minutes === 0)
      return wallRule(
        timeframe,
        (wall) => floorTo(wall, minutes * MINUTE_MS),
        minutes * MINUTE_MS,
        minutes === 1440,
      );
    throw new InvalidInputError(
      `${field} ${label} is not aligned to the clock: use minutes dividing an hour (1, 2, 3, 5, 10, 15, 20, 30, 60) or hours dividing a day (1, 2, 3, 4, 6, 8, 12, 24)`,
      field,
    );
  }
  if (unit === 'day') {
    const width = multiplier * DAY_MS;
    return wallRule(timeframe, (wall) => floorTo(wall, width), width, true);
  }
  if (unit === 'week') {
    const width = multiplier * 7 * DAY_MS;
    const origin = FIRST_MONDAY_DAY * DAY_MS;
    return wallRule(timeframe, (wall) => origin + floorTo(wall - origin, width), width, true);
  }
  if (12 % multiplier !== 0)
    throw new InvalidInputError(
      `${field} ${label}: months must divide a year (1, 2, 3, 4, 6, 12)`,
      field,
    );
  return monthRule(timeframe);
}

function floorTo(value: number, step: number): number {
  return Math.floor(value / step) * step;
}

function fixedRule(timeframe: Timeframe, stepMs: number): BucketRule {
  return {
    timeframe,
    fixedStepMs: stepMs,
    dayAligned: false,
    start: (ms) => floorTo(ms, stepMs),
    next: (ms) => floorTo(ms, stepMs) + stepMs,
  };
}

/** Buckets of a fixed width on the New York clock (the instants between vary with DST). */
function wallRule(
  timeframe: Timeframe,
  wallStart: (wallMs: number) => number,
  wallWidthMs: number,
  dayAligned: boolean,
): BucketRule {
  return {
    timeframe,
    fixedStepMs: null,
    dayAligned,
    start: (ms) => fromNewYorkWall(wallStart(toNewYorkWall(ms))),
    next: (ms) => fromNewYorkWall(wallStart(toNewYorkWall(ms)) + wallWidthMs),
  };
}

function monthRule(timeframe: Timeframe): BucketRule {
  const n = timeframe.multiplier;
  const monthIndex = (ms: number) => {
    const wall = new Date(toNewYorkWall(ms));
    return floorTo(wall.getUTCFullYear() * 12 + wall.getUTCMonth(), n);
  };
  const instantOf = (index: number) =>
    fromNewYorkWall(Date.UTC(Math.floor(index / 12), index % 12, 1));
  return {
    timeframe,
    fixedStepMs: null,
    dayAligned: true,
    start: (ms) => instantOf(monthIndex(ms)),
    next: (ms) => instantOf(monthIndex(ms) + n),
  };
}

/** Bucket starts from the bucket holding `fromMs`, in order, below `toMs`, at most `max`. */
export function bucketStarts(
  rule: BucketRule,
  fromMs: number,
  toMs: number,
  max: number,
): number[] {
  const starts: number[] = [];
  for (let at = rule.start(fromMs); at < toMs && starts.length < max; at = rule.next(at))
    starts.push(at);
  return starts;
}

/** The first bucket start at or after `ms` (ms itself when it is one). */
export function firstStartAtOrAfter(rule: BucketRule, ms: number): number {
  const start = rule.start(ms);
  return start === ms ? ms : rule.next(ms);
}
