import type { OhlcvValues } from '../../domain/minute-bar';
import { highBit, lowBit } from '../../domain/seconds-mask';
import type { Rollup } from './rollup';

/** open, high, low, close, volume, vwap (NaN = none). */
const FIELDS = 6;
const INITIAL_CAPACITY = 4;

/**
 * The per-second values of one bar, kept while the bar is inside the correction window so a
 * re-broadcast second can replace exactly its own contribution. Sparse and packed: one byte of
 * second index plus six doubles per second that arrived, in typed arrays that grow by doubling
 * (most bars of a real feed hold a few seconds, not sixty), never an object per second.
 */
export class SecondValues {
  private seconds = new Uint8Array(INITIAL_CAPACITY);
  private values = new Float64Array(INITIAL_CAPACITY * FIELDS);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Bytes held by the typed arrays (for the memory figures). */
  get bytes(): number {
    return this.seconds.byteLength + this.values.byteLength;
  }

  /** Slot of `second`, or -1 when it is not held. */
  find(second: number): number {
    const { seconds, count } = this;
    for (let slot = 0; slot < count; slot++) if (seconds[slot] === second) return slot;
    return -1;
  }

  /** Keeps a second not held yet. */
  append(second: number, tick: OhlcvValues): void {
    if (this.count === this.seconds.length) this.grow();
    const slot = this.count++;
    this.seconds[slot] = second;
    this.write(slot, tick);
  }

  /** True when `tick` carries exactly the values held in `slot` (an identical re-broadcast). */
  same(slot: number, tick: OhlcvValues): boolean {
    const v = this.values;
    const at = slot * FIELDS;
    return (
      v[at] === tick.open &&
      v[at + 1] === tick.high &&
      v[at + 2] === tick.low &&
      v[at + 3] === tick.close &&
      v[at + 4] === tick.volume &&
      (tick.vwap === null ? Number.isNaN(v[at + 5]) : v[at + 5] === tick.vwap)
    );
  }

  /** The later version of a second replaces the earlier one. */
  replace(slot: number, tick: OhlcvValues): void {
    this.write(slot, tick);
  }

  /** Adds every held second to `into` (which must not count any of them yet). */
  rollInto(into: Rollup): void {
    const v = this.values;
    const value: OhlcvValues = { open: 0, high: 0, low: 0, close: 0, volume: 0, vwap: null };
    for (let slot = 0; slot < this.count; slot++) {
      const second = this.seconds[slot];
      const at = slot * FIELDS;
      value.open = v[at];
      value.high = v[at + 1];
      value.low = v[at + 2];
      value.close = v[at + 3];
      value.volume = v[at + 4];
      value.vwap = Number.isNaN(v[at + 5]) ? null : v[at + 5];
      into.add(value, second, second, lowBit(second), highBit(second));
    }
  }

  private write(slot: number, tick: OhlcvValues): void {
    const v = this.values;
    const at = slot * FIELDS;
    v[at] = tick.open;
    v[at + 1] = tick.high;
    v[at + 2] = tick.low;
    v[at + 3] = tick.close;
    v[at + 4] = tick.volume;
    v[at + 5] = tick.vwap ?? Number.NaN;
  }

  private grow(): void {
    const capacity = Math.min(60, this.seconds.length * 2);
    const seconds = new Uint8Array(capacity);
    seconds.set(this.seconds);
    const values = new Float64Array(capacity * FIELDS);
    values.set(this.values);
    this.seconds = seconds;
    this.values = values;
  }
}
