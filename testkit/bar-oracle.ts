import type { MinuteBar } from '../src/domain/minute-bar';
import type { TickData } from '../src/domain/tick';
import type { SimAggregate } from '../src/ingest/simulator/generator';

/**
 * The one independent bar roll-up every test and drill checks stored bars against. It is written
 * from the bar definition alone and shares no code with the aggregator, the writer or the
 * simulator's MinuteBook: a bar is the fold of its minute's seconds taken in second order (open
 * of the earliest, close of the latest, max high, min low, summed volume, volume-weighted VWAP),
 * whatever order they arrived in. A (symbol, second) offered again is a re-broadcast: by
 * default the latest version is the truth (Massive re-sends a second when late trades change
 * it), with `repeats: 'first'` the first copy counts.
 */

/** One per-second aggregate, the oracle's only input (adapters below). */
export type OracleSecond = Pick<
  TickData,
  'symbol' | 'startMs' | 'open' | 'high' | 'low' | 'close' | 'volume' | 'vwap'
>;

/**
 * A minute bar as the oracle expects it to be stored; vwap is Σ(vwap·volume) / Σvolume over the
 * seconds that carry a VWAP (null when none does).
 */
export type OracleBar = MinuteBar & {
  /** Seconds rolled in. */
  seconds: number;
};

export interface BarOracleOptions {
  /** Only these symbols (default: all). */
  symbols?: ReadonlySet<string>;
  /** Which copy of a second offered twice counts (default `latest`). */
  repeats?: 'latest' | 'first';
}

const MINUTE_MS = 60_000;
/** Per second: open, high, low, close, volume, vwap (NaN = none). */
const FIELDS = 6;

/** The key of a bar in every map the test kit returns. */
export function barKey(symbol: string, minuteStartMs: number): string {
  return `${symbol}|${minuteStartMs}`;
}

/** A per-second `A` tick; anything else is not a second and has no place in a minute roll-up. */
export function fromTick(tick: TickData): OracleSecond {
  if (tick.eventType !== 'A') throw new Error('the bar oracle takes per-second (A) ticks only');
  const { symbol, startMs, open, high, low, close, volume, vwap } = tick;
  return { symbol, startMs, open, high, low, close, volume, vwap };
}

export function fromSimAggregate(event: SimAggregate): OracleSecond {
  return {
    symbol: event.sym,
    startMs: event.s,
    open: event.o,
    high: event.h,
    low: event.l,
    close: event.c,
    volume: event.v,
    vwap: event.vw,
  };
}

/** The seconds of one (symbol, minute) the oracle keeps, one slot each. */
interface MinuteSeconds {
  symbol: string;
  minuteStartMs: number;
  filled: Uint8Array;
  values: Float64Array;
  count: number;
}

/**
 * Streaming and order-insensitive: seconds can be added as they are sent or generated, in any
 * order, and `bars()` asked at any time. Each second is kept in its own slot (typed arrays, so a
 * long soak stays cheap), which is what lets the choice of the copy that counts live in one line.
 */
export class BarOracle {
  private readonly minutes = new Map<string, MinuteSeconds>();
  /** Seconds rolled in, and repeats of a (symbol, second) already rolled in (ignored). */
  seconds = 0;
  repeats = 0;

  constructor(private readonly options: BarOracleOptions = {}) {}

  add(second: OracleSecond): void {
    if (this.options.symbols !== undefined && !this.options.symbols.has(second.symbol)) return;
    const offset = second.startMs % MINUTE_MS;
    const minuteStartMs = second.startMs - offset;
    const key = barKey(second.symbol, minuteStartMs);
    let minute = this.minutes.get(key);
    if (minute === undefined) {
      minute = {
        symbol: second.symbol,
        minuteStartMs,
        filled: new Uint8Array(60),
        values: new Float64Array(60 * FIELDS),
        count: 0,
      };
      this.minutes.set(key, minute);
    }
    const slot = Math.floor(offset / 1000);
    if (minute.filled[slot] === 1) {
      this.repeats++;
      if (this.options.repeats === 'first') return;
    } else {
      minute.filled[slot] = 1;
      minute.count++;
      this.seconds++;
    }
    const at = slot * FIELDS;
    minute.values[at] = second.open;
    minute.values[at + 1] = second.high;
    minute.values[at + 2] = second.low;
    minute.values[at + 3] = second.close;
    minute.values[at + 4] = second.volume;
    minute.values[at + 5] = second.vwap ?? Number.NaN;
  }

  addAll(seconds: Iterable<OracleSecond>): this {
    for (const second of seconds) this.add(second);
    return this;
  }

  /** Bars with at least one second so far. */
  get size(): number {
    return this.minutes.size;
  }

  /** The bar of one (symbol, minute) from the seconds seen so far. */
  bar(symbol: string, minuteStartMs: number): OracleBar | undefined {
    const minute = this.minutes.get(barKey(symbol, minuteStartMs));
    return minute === undefined ? undefined : fold(minute);
  }

  /** Every bar, keyed by barKey(); `keep` filters (e.g. to the compared minutes). */
  bars(keep: (bar: OracleBar) => boolean = () => true): Map<string, OracleBar> {
    const out = new Map<string, OracleBar>();
    for (const [key, minute] of this.minutes) {
      const bar = fold(minute);
      if (keep(bar)) out.set(key, bar);
    }
    return out;
  }
}

/** Rolls up a finished set of seconds. */
export function rollUp(
  seconds: Iterable<OracleSecond>,
  options: BarOracleOptions = {},
): Map<string, OracleBar> {
  return new BarOracle(options).addAll(seconds).bars();
}

function fold(minute: MinuteSeconds): OracleBar {
  const { values, filled } = minute;
  let first = -1;
  let last = -1;
  let high = Number.NEGATIVE_INFINITY;
  let low = Number.POSITIVE_INFINITY;
  let volume = 0;
  let notional = 0;
  let vwapVolume = 0;
  let anyVwap = false;
  for (let slot = 0; slot < 60; slot++) {
    if (filled[slot] === 0) continue;
    if (first < 0) first = slot;
    last = slot;
    const at = slot * FIELDS;
    high = Math.max(high, values[at + 1]);
    low = Math.min(low, values[at + 2]);
    volume += values[at + 4];
    const vwap = values[at + 5];
    if (!Number.isNaN(vwap)) {
      anyVwap = true;
      notional += vwap * values[at + 4];
      vwapVolume += values[at + 4];
    }
  }
  return {
    symbol: minute.symbol,
    minuteStartMs: minute.minuteStartMs,
    open: values[first * FIELDS],
    high,
    low,
    close: values[last * FIELDS + 3],
    volume,
    vwap: anyVwap && vwapVolume > 0 ? notional / vwapVolume : null,
    seconds: minute.count,
  };
}
