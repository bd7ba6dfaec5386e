import type { BarDelta } from '../domain/bar-delta';
import type { MinuteBar } from '../domain/minute-bar';
import type { WriteFailure } from '../domain/write-failure';
import { HALF_MASK, maskToText } from '../domain/seconds-mask';
import { decimalText } from '../domain/tick';

/** What every ohlcv_1min write shares: the error it throws and its unnest parameters. */

/**
 * A bar write failed; `sqlState` is PostgreSQL's error code when the server gave one. Permanent
 * (see WriteFailure) for the classes a retry cannot fix: cardinality (21), data (22) and
 * integrity (23) violations, except a foreign-key violation, which this repository repairs by
 * re-registering symbols.
 */
export class OhlcvWriteError extends Error implements WriteFailure {
  readonly sqlState: string | undefined;
  readonly permanent: boolean;
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = 'OhlcvWriteError';
    this.sqlState = sqlStateOf(options.cause);
    this.permanent =
      this.sqlState !== undefined &&
      this.sqlState !== FOREIGN_KEY_VIOLATION &&
      /^(21|22|23)/.test(this.sqlState);
  }
}

/** The SQLSTATE of a pg / PGlite / TypeORM error, if any. */
export function sqlStateOf(error: unknown): string | undefined {
  for (
    let e: unknown = error, depth = 0;
    e !== null && typeof e === 'object' && depth < 4;
    depth++
  ) {
    const record = e as {
      code?: unknown;
      sqlState?: unknown;
      driverError?: unknown;
      cause?: unknown;
    };
    if (typeof record.sqlState === 'string') return record.sqlState;
    if (typeof record.code === 'string' && /^[0-9A-Z]{5}$/.test(record.code)) return record.code;
    e = record.driverError ?? record.cause;
  }
  return undefined;
}

/** Beyond this a replace is split into several statements, to bound one statement's memory. */
export const REPLACE_CHUNK = 5_000;
export const FOREIGN_KEY_VIOLATION = '23503';

export const keyOf = (symbol: string, ms: number) => `${symbol}\u0000${ms}`;

/** One array per column, in COLUMNS order, for the unnest statement. */
export function columnParams(rows: readonly BarDelta[]): unknown[] {
  const n = rows.length;
  const symbol = new Array<string>(n);
  const timestamp = new Array<string>(n);
  const open = new Array<string>(n);
  const high = new Array<string>(n);
  const low = new Array<string>(n);
  const close = new Array<string>(n);
  const volume = new Array<string>(n);
  const vwap = new Array<string | null>(n);
  const openSecond = new Array<number>(n);
  const closeSecond = new Array<number>(n);
  const mask = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const d = rows[i];
    symbol[i] = d.symbol;
    timestamp[i] = new Date(d.minuteStartMs).toISOString();
    open[i] = decimalText(d.open);
    high[i] = decimalText(d.high);
    low[i] = decimalText(d.low);
    close[i] = decimalText(d.close);
    volume[i] = String(d.volume);
    vwap[i] = d.vwap === null ? null : decimalText(d.vwap);
    openSecond[i] = d.openSecond;
    closeSecond[i] = d.closeSecond;
    mask[i] = maskToText(d.maskLo, d.maskHi);
  }
  return [symbol, timestamp, open, high, low, close, volume, vwap, openSecond, closeSecond, mask];
}

/** A whole minute as a delta covering all sixty seconds. */
export function wholeMinute(bar: MinuteBar): BarDelta {
  return { ...bar, openSecond: 0, closeSecond: 59, maskLo: HALF_MASK, maskHi: HALF_MASK };
}
