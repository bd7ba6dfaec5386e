import { SYMBOL_PATTERN } from '../domain/symbol';
import type { AggregateEventType, RejectReason, TickData, TickSource } from '../domain/tick';

export type TickValidation =
  { ok: true; tick: TickData } | { ok: false; reason: RejectReason; detail: string };

export interface TickValidationOptions {
  source: TickSource;
  receivedAtMs: number;
  /** How far ahead of the local clock a window may start (simulators run time faster). */
  maxFutureMs: number;
}

/** 2000-01-01: nothing older is a live aggregate. */
const EARLIEST_PLAUSIBLE_MS = 946_684_800_000;
const MAX_WINDOW_MS = 60_000;

const REQUIRED_FIELDS = ['o', 'h', 'l', 'c', 'v', 's', 'e'] as const;
const INVALID = -1;

function firstMissing(...values: unknown[]): number {
  for (let i = 0; i < values.length; i++)
    if (values[i] === undefined || values[i] === null) return i;
  return -1;
}

function firstNonFinite(...values: unknown[]): number {
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (typeof value !== 'number' || !Number.isFinite(value)) return i;
  }
  return -1;
}

/** An optional non-negative number: null when absent, INVALID when present but not usable. */
function optionalNumber(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : INVALID;
}

const reject = (reason: RejectReason, detail: string): TickValidation => ({
  ok: false,
  reason,
  detail,
});

/**
 * Validates one raw `A`/`AM` event object and turns it into TickData. Pure; never throws.
 * Field names follow Massive's (ex-Polygon's) aggregate schema.
 */
export function fromAggregate(
  raw: Record<string, unknown>,
  eventType: AggregateEventType,
  options: TickValidationOptions,
): TickValidation {
  const symbol = raw.sym;
  if (typeof symbol !== 'string') return reject('missing_field', 'sym');
  if (!SYMBOL_PATTERN.test(symbol)) return reject('bad_symbol', symbol.slice(0, 30));

  // Field by field, without intermediate objects: this runs once per event on the hot path.
  const o = raw.o,
    h = raw.h,
    l = raw.l,
    c = raw.c,
    v = raw.v,
    s = raw.s,
    e = raw.e;
  const missing = firstMissing(o, h, l, c, v, s, e);
  if (missing >= 0) return reject('missing_field', REQUIRED_FIELDS[missing]);
  const invalid = firstNonFinite(o, h, l, c, v, s, e);
  if (invalid >= 0) return reject('invalid_number', REQUIRED_FIELDS[invalid]);
  const open = o as number,
    high = h as number,
    low = l as number,
    close = c as number;
  const volume = v as number,
    start = s as number,
    end = e as number;
  if (open <= 0 || high <= 0 || low <= 0 || close <= 0)
    return reject('negative_value', 'price <= 0');
  if (volume < 0) return reject('negative_value', 'v');
  if (!Number.isInteger(volume)) return reject('invalid_number', 'v not an integer');
  if (high < low || open < low || open > high || close < low || close > high) {
    return reject('inconsistent_prices', `o=${open} h=${high} l=${low} c=${close}`);
  }
  if (!Number.isInteger(start) || !Number.isInteger(end)) return reject('invalid_number', 's/e');
  if (start < EARLIEST_PLAUSIBLE_MS || start > options.receivedAtMs + options.maxFutureMs) {
    return reject('absurd_timestamp', `s=${start}`);
  }
  if (end < start || end - start > MAX_WINDOW_MS)
    return reject('absurd_timestamp', `s=${start} e=${end}`);

  const vwap = optionalNumber(raw.vw);
  const accumulatedVolume = optionalNumber(raw.av);
  const dayOpen = optionalNumber(raw.op);
  const dayVwap = optionalNumber(raw.a);
  const averageTradeSize = optionalNumber(raw.z);
  if (vwap === INVALID) return reject('invalid_number', 'vw');
  if (accumulatedVolume === INVALID) return reject('invalid_number', 'av');
  if (dayOpen === INVALID) return reject('invalid_number', 'op');
  if (dayVwap === INVALID) return reject('invalid_number', 'a');
  if (averageTradeSize === INVALID) return reject('invalid_number', 'z');

  return {
    ok: true,
    tick: {
      symbol,
      eventType,
      startMs: start,
      endMs: end,
      open,
      high,
      low,
      close,
      volume,
      vwap,
      accumulatedVolume,
      dayOpen,
      dayVwap,
      averageTradeSize,
      source: options.source,
      receivedAtMs: options.receivedAtMs,
    },
  };
}
