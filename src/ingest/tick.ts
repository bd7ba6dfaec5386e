import { SYMBOL_PATTERN } from '../config';

/** Massive aggregate event types TickStock ingests: per-second (`A`) and per-minute (`AM`). */
export type AggregateEventType = 'A' | 'AM';
export type TickSource = 'massive' | 'simulator';

/**
 * The one domain type for an aggregate window.
 *
 * Prices are JS numbers parsed from the frame's JSON. That loses nothing: every price with at
 * most 15 significant digits survives JSON text → double → `String(n)` exactly (ECMAScript's
 * shortest round-trip formatting), and TickStock never does arithmetic on prices — it only
 * compares and selects them — so the text written to NUMERIC columns (`decimalText()`) is the
 * decimal the feed sent.
 */
export interface TickData {
  symbol: string;
  eventType: AggregateEventType;
  /** Window start / end, Unix ms. */
  startMs: number;
  endMs: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Shares traded in the window. */
  volume: number;
  /** Window VWAP (`vw`), when sent. */
  vwap: number | null;
  /** Day accumulated volume (`av`), when sent. */
  accumulatedVolume: number | null;
  /** Day open (`op`), day VWAP (`a`), average trade size (`z`), when sent. */
  dayOpen: number | null;
  dayVwap: number | null;
  averageTradeSize: number | null;
  source: TickSource;
  /** Local wall-clock receive time, Unix ms (for lag and latency). */
  receivedAtMs: number;
}

/** Why an event or frame was dropped; each is counted separately in stats. */
export const REJECT_REASONS = [
  'malformed_json',
  'not_an_array',
  'not_an_object',
  'unknown_event',
  'missing_field',
  'invalid_number',
  'negative_value',
  'inconsistent_prices',
  'bad_symbol',
  'absurd_timestamp',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export type TickValidation =
  | { ok: true; tick: TickData }
  | { ok: false; reason: RejectReason; detail: string };

export interface TickValidationOptions {
  source: TickSource;
  receivedAtMs: number;
  /** How far ahead of the local clock a window may start (simulators run time faster). */
  maxFutureMs: number;
}

/** 2000-01-01: nothing older is a live aggregate. */
const EARLIEST_PLAUSIBLE_MS = 946_684_800_000;
const MAX_WINDOW_MS = 60_000;

const reject = (reason: RejectReason, detail: string): TickValidation => ({ ok: false, reason, detail });

/** Formats a price for a NUMERIC column: the exact decimal the feed sent (see TickData). */
export function decimalText(value: number): string {
  return String(value);
}

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

  const required = { o: raw.o, h: raw.h, l: raw.l, c: raw.c, v: raw.v, s: raw.s, e: raw.e };
  for (const [field, value] of Object.entries(required)) {
    if (value === undefined || value === null) return reject('missing_field', field);
    if (typeof value !== 'number' || !Number.isFinite(value)) return reject('invalid_number', field);
  }
  const { o, h, l, c, v, s, e } = required as Record<keyof typeof required, number>;
  if (o <= 0 || h <= 0 || l <= 0 || c <= 0) return reject('negative_value', 'price <= 0');
  if (v < 0) return reject('negative_value', 'v');
  if (!Number.isInteger(v)) return reject('invalid_number', 'v not an integer');
  if (h < l || o < l || o > h || c < l || c > h) {
    return reject('inconsistent_prices', `o=${o} h=${h} l=${l} c=${c}`);
  }
  if (!Number.isInteger(s) || !Number.isInteger(e)) return reject('invalid_number', 's/e');
  if (s < EARLIEST_PLAUSIBLE_MS || s > options.receivedAtMs + options.maxFutureMs) {
    return reject('absurd_timestamp', `s=${s}`);
  }
  if (e < s || e - s > MAX_WINDOW_MS) return reject('absurd_timestamp', `s=${s} e=${e}`);

  const optional = (field: string): number | null | 'invalid' => {
    const value = raw[field];
    if (value === undefined || value === null) return null;
    return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 'invalid';
  };
  const extras = { vw: optional('vw'), av: optional('av'), op: optional('op'), a: optional('a'), z: optional('z') };
  for (const [field, value] of Object.entries(extras)) {
    if (value === 'invalid') return reject('invalid_number', field);
  }
  const extra = extras as Record<keyof typeof extras, number | null>;

  return {
    ok: true,
    tick: {
      symbol,
      eventType,
      startMs: s,
      endMs: e,
      open: o,
      high: h,
      low: l,
      close: c,
      volume: v,
      vwap: extra.vw,
      accumulatedVolume: extra.av,
      dayOpen: extra.op,
      dayVwap: extra.a,
      averageTradeSize: extra.z,
      source: options.source,
      receivedAtMs: options.receivedAtMs,
    },
  };
}
