import { newYorkMidnight } from '../domain/new-york-clock';
import type { Timeframe } from '../domain/timeframe';
import { InvalidInputError } from './domain-errors';

/**
 * Parsing of Massive's aggregates request (`/v2/aggs/ticker/{t}/range/{m}/{timespan}/{from}/{to}`
 * with `adjusted`, `sort`, `limit`), pure, so the REST edge only translates. Every failure is
 * an InvalidInputError naming the parameter.
 */

export const DEFAULT_AGGREGATES_LIMIT = 5_000;
export const MAX_AGGREGATES_LIMIT = 50_000;

const DAY_MS = 86_400_000;

/** Massive's timespans; quarter and year are months in TickStock's terms. */
export function parseTimespan(multiplierText: string, timespan: string): Timeframe {
  if (!/^\d{1,6}$/.test(multiplierText))
    throw new InvalidInputError('multiplier must be a positive integer', 'multiplier');
  const multiplier = Number(multiplierText);
  switch (timespan) {
    case 'minute':
    case 'hour':
    case 'day':
    case 'week':
    case 'month':
      return { multiplier, unit: timespan };
    case 'quarter':
      return { multiplier: multiplier * 3, unit: 'month' };
    case 'year':
      return { multiplier: multiplier * 12, unit: 'month' };
    case 'second':
      throw new InvalidInputError(
        'timespan second is not served: TickStock stores minute bars',
        'timespan',
      );
    default:
      throw new InvalidInputError(
        'timespan must be one of minute, hour, day, week, month, quarter, year',
        'timespan',
      );
  }
}

/**
 * `from`/`to`: Unix milliseconds, or a `YYYY-MM-DD` New York date (from: its midnight; to: the
 * last millisecond of that day), as Massive reads them.
 */
export function parseAggregatesBound(raw: string, field: 'from' | 'to'): Date {
  if (/^\d{1,15}$/.test(raw)) return new Date(Number(raw));
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw);
  if (match) {
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const civil = new Date(Date.UTC(year, month - 1, day));
    if (
      civil.getUTCFullYear() === year &&
      civil.getUTCMonth() === month - 1 &&
      civil.getUTCDate() === day &&
      year >= 1970 &&
      year < 2200
    ) {
      const midnight = newYorkMidnight(year, month, day);
      if (field === 'from') return new Date(midnight);
      const next = new Date(civil.getTime() + DAY_MS);
      return new Date(
        newYorkMidnight(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate()) - 1,
      );
    }
  }
  throw new InvalidInputError(
    `${field} must be Unix milliseconds or a YYYY-MM-DD date (got ${JSON.stringify(raw.slice(0, 32))})`,
    field,
  );
}

export function parseSort(raw: string | undefined): 'asc' | 'desc' {
  if (raw === undefined || raw === 'asc') return 'asc';
  if (raw === 'desc') return 'desc';
  throw new InvalidInputError('sort must be asc or desc', 'sort');
}

export function parseAdjusted(raw: string | undefined): boolean {
  if (raw === undefined || raw === 'true') return true;
  if (raw === 'false') return false;
  throw new InvalidInputError('adjusted must be true or false', 'adjusted');
}

export function parseAggregatesLimit(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_AGGREGATES_LIMIT;
  if (!/^\d{1,6}$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_AGGREGATES_LIMIT)
    throw new InvalidInputError(
      `limit must be an integer between 1 and ${MAX_AGGREGATES_LIMIT}`,
      'limit',
    );
  return Number(raw);
}
