import type { OhlcvValues } from '../../domain/minute-bar';

/** Entries per chunk: columns grow a chunk at a time, never by copying what is held. */
const CHUNK_BITS = 14;
const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;
/** Prices and VWAPs are held as integers of 1/10,000 (Massive sends at most 4 decimals). */
const SCALE = 10_000;
/** ... and as offsets from the bar's price base, in 16 bits: within ±3.2767 of it. */
const OFFSET_MAX = 32767;
const NO_VWAP = -32768;
const INT32_MAX = 2147483647;

/** One chunk of columns. */
interface Chunk {
  next: Int32Array;
  second: Uint8Array;
  high: Int16Array;
  low: Int16Array;
  volume: Uint32Array;
  vwap: Int16Array;
}

/** The per-second values a correction needs to replace one second's contribution exactly. */
export interface SecondRecord {
  high: number;
  low: number;
  volume: number;
  vwap: number | null;
}

const scaled = (value: number): number | null => {
  const n = Math.round(value * SCALE);
  return n > -INT32_MAX && n <= INT32_MAX && n / SCALE === value ? n : null;
};

/** `value` as a 16-bit offset from `base` (both in 1/10,000), or null when it does not fit. */
const offset = (value: number, base: number): number | null => {
  const n = scaled(value);
  if (n === null) return null;
  const d = n - base;
  return d >= -OFFSET_MAX && d <= OFFSET_MAX ? d : null;
};

/** A bar's price base: its first price in 1/10,000 (0 when that does not fit: all go wide). */
export function priceBaseOf(tick: OhlcvValues): number {
  return scaled(tick.close) ?? 0;
}

/**
 * The per-second values of every bar of one feed minute, kept while the minute is inside the
 * correction window, in shared column chunks (15 bytes a second: no object, no typed array per
 * bar or per second). A bar holds the index of its newest entry; entries of one bar are chained.
 * Only high, low, volume and VWAP are kept: a correction brings its own open and close, and
 * those of other seconds never change the bar's open or close. Prices are 16-bit offsets in
 * 1/10,000 from the bar's price base (see priceBaseOf): within a minute a price rarely moves 3.27
 * away from its first. A second that does not fit exactly (a wider move, more decimals, a
 * volume above 2^32) is kept as doubles on the side, so nothing is ever rounded.
 */
export class MinuteSeconds {
  private readonly chunks: Chunk[] = [];
  private readonly wide = new Map<number, SecondRecord>();
  private count = 0;

  /** Seconds held. */
  get size(): number {
    return this.count;
  }

  /** Appends `second` of the bar whose newest entry is `head` (-1: none); returns the new head. */
  append(head: number, second: number, tick: OhlcvValues, base: number): number {
    const index = this.count++;
    if ((index & MASK) === 0) this.chunks.push(newChunk());
    const chunk = this.chunks[index >>> CHUNK_BITS];
    const at = index & MASK;
    chunk.next[at] = head;
    chunk.second[at] = second;
    this.write(index, tick, base);
    return index;
  }

  /** Entry of `second` in the chain from `head`, or -1. */
  find(head: number, second: number): number {
    for (let i = head; i >= 0;) {
      const chunk = this.chunks[i >>> CHUNK_BITS];
      const at = i & MASK;
      if (chunk.second[at] === second) return i;
      i = chunk.next[at];
    }
    return -1;
  }

  /** True when `tick` carries exactly the kept values of entry `index` (an identical re-broadcast). */
  same(index: number, tick: OhlcvValues, base: number): boolean {
    const r = this.read(index, base);
    return (
      r.high === tick.high && r.low === tick.low && r.volume === tick.volume && r.vwap === tick.vwap
    );
  }

  /** The later version of a second replaces the earlier one. */
  replace(index: number, tick: OhlcvValues, base: number): void {
    this.wide.delete(index);
    this.write(index, tick, base);
  }

  read(index: number, base: number): SecondRecord {
    const wide = this.wide.get(index);
    if (wide !== undefined) return wide;
    const chunk = this.chunks[index >>> CHUNK_BITS];
    const at = index & MASK;
    const vwap = chunk.vwap[at];
    return {
      high: (base + chunk.high[at]) / SCALE,
      low: (base + chunk.low[at]) / SCALE,
      volume: chunk.volume[at],
      vwap: vwap === NO_VWAP ? null : (base + vwap) / SCALE,
    };
  }

  /** Every entry of the chain from `head`, newest first. */
  *chain(head: number, base: number): Generator<SecondRecord> {
    for (let i = head; i >= 0; i = this.chunks[i >>> CHUNK_BITS].next[i & MASK])
      yield this.read(i, base);
  }

  private write(index: number, tick: OhlcvValues, base: number): void {
    const chunk = this.chunks[index >>> CHUNK_BITS];
    const at = index & MASK;
    const high = offset(tick.high, base);
    const low = offset(tick.low, base);
    const vwap = tick.vwap === null ? NO_VWAP : offset(tick.vwap, base);
    const volume = tick.volume;
    if (
      high === null ||
      low === null ||
      vwap === null ||
      !Number.isInteger(volume) ||
      volume < 0 ||
      volume > 0xffffffff
    ) {
      this.wide.set(index, { high: tick.high, low: tick.low, volume, vwap: tick.vwap });
      return;
    }
    chunk.high[at] = high;
    chunk.low[at] = low;
    chunk.volume[at] = volume;
    chunk.vwap[at] = vwap;
  }
}

function newChunk(): Chunk {
  return {
    next: new Int32Array(CHUNK),
    second: new Uint8Array(CHUNK),
    high: new Int16Array(CHUNK),
    low: new Int16Array(CHUNK),
    volume: new Uint32Array(CHUNK),
    vwap: new Int16Array(CHUNK),
  };
}
