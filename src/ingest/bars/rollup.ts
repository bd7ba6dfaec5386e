import type { OhlcvValues } from '../../domain/minute-bar';
import { roundVwap } from '../../domain/bar-delta';

/**
 * A roll-up of some seconds of one minute: the whole in-memory bar, or the delta pending since
 * the last flush. Open and close are chosen by second index, not arrival order, so an
 * out-of-order second lands where it belongs. Mutable on purpose: it sits on the hot path.
 */
export class Rollup {
  maskLo = 0;
  maskHi = 0;
  open = 0;
  openSecond = 60;
  high = 0;
  low = 0;
  close = 0;
  closeSecond = -1;
  volume = 0;
  private vwapNotional = 0;
  private vwapVolume = 0;
  private vwapLast: number | null = null;

  get isEmpty(): boolean {
    return this.maskLo === 0 && this.maskHi === 0;
  }

  /**
   * Adds one aggregate covering seconds `first..last` of the minute (one second for `A`, all
   * sixty for `AM`, the stored span for a stored row), whose bits are `lo`/`hi`. The caller
   * guarantees they are not counted yet.
   */
  add(tick: OhlcvValues, first: number, last: number, lo: number, hi: number): void {
    if (this.isEmpty) {
      this.open = tick.open;
      this.openSecond = first;
      this.high = tick.high;
      this.low = tick.low;
      this.close = tick.close;
      this.closeSecond = last;
    } else {
      if (first < this.openSecond) {
        this.open = tick.open;
        this.openSecond = first;
      }
      if (last > this.closeSecond) {
        this.close = tick.close;
        this.closeSecond = last;
      }
      if (tick.high > this.high) this.high = tick.high;
      if (tick.low < this.low) this.low = tick.low;
    }
    this.volume += tick.volume;
    this.maskLo |= lo;
    this.maskHi |= hi;
    if (tick.vwap !== null) {
      this.vwapNotional += tick.vwap * tick.volume;
      this.vwapVolume += tick.volume;
      this.vwapLast = tick.vwap;
    }
  }

  /** Volume-weighted VWAP of the seconds that carried one (6 decimals), null when none did. */
  vwap(): number | null {
    if (this.vwapLast === null) return null;
    return roundVwap(this.vwapVolume > 0 ? this.vwapNotional / this.vwapVolume : this.vwapLast);
  }

  /** Sets every value but the seconds covered (a recomputation after a correction). */
  restore(values: {
    open: number;
    close: number;
    high: number;
    low: number;
    volume: number;
    notional: number;
    vwapVolume: number;
    vwapLast: number | null;
  }): void {
    this.open = values.open;
    this.close = values.close;
    this.high = values.high;
    this.low = values.low;
    this.volume = values.volume;
    this.vwapNotional = values.notional;
    this.vwapVolume = values.vwapVolume;
    this.vwapLast = values.vwapLast;
  }

  reset(): void {
    this.maskLo = 0;
    this.maskHi = 0;
    this.openSecond = 60;
    this.closeSecond = -1;
    this.volume = 0;
    this.vwapNotional = 0;
    this.vwapVolume = 0;
    this.vwapLast = null;
  }
}
