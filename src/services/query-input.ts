import { SYMBOL_PATTERN } from '../domain/symbol';
import { InvalidInputError } from './domain-errors';

/**
 * Pure validation of read-side inputs, shared by GraphQL and REST so both reject the same
 * things with the same messages. Every failure is an InvalidInputError naming the field.
 */

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;
export const MAX_SEARCH_LENGTH = 100;
export const MAX_SUBSCRIBED_SYMBOLS = 1000;

/** Echoes user input in messages without reflecting megabytes of it. */
function quote(raw: string): string {
  return JSON.stringify(raw.length > 32 ? `${raw.slice(0, 32)}…` : raw);
}

/**
 * What a ticker argument may look like: Massive's alphabet (SYMBOL_PATTERN) in any case, since
 * a legacy client may send `aapl`. The case is kept: SymbolLookupService decides what it means.
 */
const TICKER_INPUT_PATTERN = /^[A-Za-z][A-Za-z0-9.-]{0,19}$/;

/** Trims a ticker argument and checks its alphabet (any case); never changes its case. */
export function checkTicker(raw: unknown, field = 'symbol'): string {
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw new InvalidInputError(`${field} is required`, field);
  }
  const symbol = raw.trim();
  if (!TICKER_INPUT_PATTERN.test(symbol)) {
    throw new InvalidInputError(
      `${field} ${quote(raw)} is not a valid ticker (1-20 characters: letters, digits, '.' or '-', starting with a letter)`,
      field,
    );
  }
  return symbol;
}

/** True when `ticker` can be a stored ticker as written (uppercase first letter, e.g. `BCpC`). */
export function isExactTicker(ticker: string): boolean {
  return SYMBOL_PATTERN.test(ticker);
}

/** Validates a subscription filter list (deduplicated, case kept); null/undefined means "every symbol". */
export function checkTickerList(
  raw: readonly string[] | null | undefined,
  field = 'symbols',
): string[] | null {
  if (raw === null || raw === undefined) return null;
  if (raw.length > MAX_SUBSCRIBED_SYMBOLS) {
    throw new InvalidInputError(
      `${field} may list at most ${MAX_SUBSCRIBED_SYMBOLS} tickers`,
      field,
    );
  }
  return [...new Set(raw.map((symbol) => checkTicker(symbol, field)))];
}

export function checkLimit(limit: number, field = 'limit', max = MAX_LIMIT): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > max) {
    throw new InvalidInputError(
      `${field} must be an integer between 1 and ${max} (got ${String(limit)})`,
      field,
    );
  }
  return limit;
}

/** The clock `since` is checked against. */
export interface SinceOptions {
  /** Clock for "since is in the future" checks (tests pin it). */
  now?: () => number;
  /**
   * How far ahead of the local clock a `since` may be before it is rejected as "in the future".
   * Absorbs clock skew between a client and this box (default 5 minutes).
   */
  futureSinceToleranceMs?: number;
}

export const DEFAULT_FUTURE_TOLERANCE_MS = 5 * 60_000;

/** checkSince bound to a clock and tolerance, for a service to call per query. */
export function sinceChecker(
  options: SinceOptions = {},
): (since: Date | null | undefined) => Date | null {
  const now = options.now ?? Date.now;
  const toleranceMs = options.futureSinceToleranceMs ?? DEFAULT_FUTURE_TOLERANCE_MS;
  return (since) => checkSince(since, now(), toleranceMs);
}

/** Rejects a `since` later than now + tolerance: a client asking for the future has a bug. */
export function checkSince(
  since: Date | null | undefined,
  nowMs: number,
  toleranceMs: number,
): Date | null {
  if (since === null || since === undefined) return null;
  const ms = since.getTime();
  if (Number.isNaN(ms)) throw new InvalidInputError('since is not a valid time', 'since');
  if (ms > nowMs + toleranceMs) {
    throw new InvalidInputError(`since ${since.toISOString()} is in the future`, 'since');
  }
  return since;
}

export function checkSearch(raw: string | null | undefined): string | null {
  if (raw === null || raw === undefined) return null;
  const search = raw.trim();
  if (search === '') return null;
  if (search.length > MAX_SEARCH_LENGTH) {
    throw new InvalidInputError(`search must be at most ${MAX_SEARCH_LENGTH} characters`, 'search');
  }
  return search;
}

const UNIX_SECONDS = /^\d{1,12}(\.\d{1,6})?$/;
// Date, or date-time with optional seconds/fraction/offset. A '+' offset arrives as ' ' when a
// client forgot to URL-encode it; that case is repaired before matching.
const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * Parses the legacy `since` query parameter: Unix seconds (what the old service took) or
 * ISO-8601. A date-time without an offset is read as UTC, so the answer never depends on the
 * server's time zone.
 */
export function parseSinceParam(raw: string): Date {
  const text = raw.trim().replace(/ (\d{2}:?\d{2})$/, '+$1');
  if (UNIX_SECONDS.test(text)) return new Date(Math.round(Number(text) * 1000));
  const match = ISO_8601.exec(text);
  if (match) {
    const [, year, month, day, hour, minute, second = '00', fraction = '', offset = 'Z'] = match;
    const zone = offset.toUpperCase() === 'Z' ? 'Z' : `${offset.slice(0, 3)}:${offset.slice(-2)}`;
    const iso =
      hour === undefined
        ? `${year}-${month}-${day}T00:00:00Z`
        : `${year}-${month}-${day}T${hour}:${minute}:${second}${fraction.slice(0, 4)}${zone}`;
    const date = new Date(iso);
    // Date() rolls 2024-02-30 over to March: a calendar-invalid date must not pass silently.
    const calendarOk =
      !Number.isNaN(date.getTime()) &&
      Number(month) >= 1 &&
      Number(month) <= 12 &&
      Number(day) >= 1 &&
      Number(day) <= daysInMonth(Number(year), Number(month)) &&
      Number(hour ?? 0) <= 23 &&
      Number(minute ?? 0) <= 59 &&
      Number(second) <= 59;
    if (calendarOk) return date;
  }
  throw new InvalidInputError(
    `since ${quote(raw)} is neither Unix seconds nor an ISO-8601 time (e.g. 1735732800 or 2025-01-01T12:00:00Z)`,
    'since',
  );
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Parses the legacy `limit` query parameter: a plain integer 1..max, default 100. */
export function parseLimitParam(raw: string | undefined, max = MAX_LIMIT): number {
  if (raw === undefined || raw.trim() === '') return DEFAULT_LIMIT;
  const text = raw.trim();
  if (!/^\d{1,7}$/.test(text)) {
    throw new InvalidInputError(
      `limit must be an integer between 1 and ${max} (got ${quote(raw)})`,
      'limit',
    );
  }
  return checkLimit(Number(text), 'limit', max);
}
