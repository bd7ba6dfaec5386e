import { decimalsFor, roundTo, tradeCount, type SimAggregate } from './generator';
import { seededRandom } from './random';

export interface CorrectionOptions {
  seed: number;
  /** Fraction of first versions that get a correction. */
  rate: number;
  minDelayMs: number;
  maxDelayMs: number;
  /** Chance that a correction is followed by another one of the same second. */
  repeatRate: number;
}

/** One re-broadcast: the version it supersedes and the new one. */
export interface Correction {
  previous: SimAggregate;
  next: SimAggregate;
}

/** Keeps the stream apart from the price walks', so corrections never change the first versions. */
const STREAM_SALT = 0x5bd1e995;

/**
 * Massive's corrections: a second's aggregate is re-broadcast (same `sym`, same `s`) when late
 * trades change it. Picks a `rate` of the first versions (geometric gaps: one draw per
 * correction, not per event), holds each in a ring of due seconds, and when one falls due
 * derives the next version from the latest one: late volume added, the high or the low
 * sometimes widened, `vw` moved by the late trades' price, `o`/`c` occasionally replaced.
 * Highs only rise and lows only fall, so a minute's high/low can be kept as a running max/min.
 * Deterministic: the same seed and sequence of calls give the same corrections.
 */
export class CorrectionSchedule {
  private readonly random: () => number;
  /** Events still to skip before the next one to correct. */
  private skip: number;
  private readonly ring: SimAggregate[][];
  private readonly logKeep: number;
  pending = 0;

  constructor(private readonly options: CorrectionOptions) {
    this.random = seededRandom((options.seed ^ STREAM_SALT) >>> 0);
    this.logKeep = Math.log(1 - options.rate);
    this.ring = Array.from(
      { length: Math.ceil(options.maxDelayMs / 1000) + 2 },
      (): SimAggregate[] => [],
    );
    this.skip = this.gap();
  }

  get enabled(): boolean {
    return this.options.rate > 0;
  }

  /** Offers the first versions just generated; some are scheduled for a later correction. */
  offer(events: readonly SimAggregate[]): void {
    if (!this.enabled) return;
    let i = this.skip;
    for (; i < events.length; i += 1 + this.gap()) {
      const event = events[i];
      this.schedule(event, event.e);
    }
    this.skip = i - events.length;
  }

  /** Appends to `out` the corrections due at feed time `nowMs` (a whole second, visited once). */
  take(nowMs: number, out: Correction[]): void {
    if (this.pending === 0) return;
    const slot = this.ring[this.slotOf(nowMs)];
    if (slot.length === 0) return;
    this.ring[this.slotOf(nowMs)] = [];
    this.pending -= slot.length;
    for (let i = 0; i < slot.length; i++) {
      const previous = slot[i];
      const next = this.nextVersion(previous);
      out.push({ previous, next });
      if (this.random() < this.options.repeatRate) this.schedule(next, nowMs);
    }
  }

  /** Schedules a correction of `event` after feed time `afterMs`, if its window allows one. */
  private schedule(event: SimAggregate, afterMs: number): void {
    const lo = Math.ceil((afterMs + this.options.minDelayMs) / 1000);
    const hi = Math.floor((event.s + this.options.maxDelayMs) / 1000);
    if (hi < lo) return;
    // Skewed early: most late trades are reported within seconds to a few minutes.
    const u = this.random();
    const dueSecond = lo + Math.floor(u * u * (hi - lo + 1));
    this.ring[this.slotOf(dueSecond * 1000)].push(event);
    this.pending++;
  }

  private slotOf(ms: number): number {
    return (ms / 1000) % this.ring.length;
  }

  /** Events to skip before the next correction: geometric with success probability `rate`. */
  private gap(): number {
    if (!this.enabled) return Number.POSITIVE_INFINITY;
    return Math.floor(Math.log(1 - this.random()) / this.logKeep);
  }

  private nextVersion(p: SimAggregate): SimAggregate {
    const random = this.random;
    const decimals = decimalsFor(p.l);
    const tick = decimals === 4 ? 0.0001 : 0.01;
    const trades = 1 + Math.floor(random() * 3);
    const lateVolume = Math.max(trades, Math.round(trades * p.z * (0.3 + random())));
    const where = random();
    let price: number;
    if (where < 0.15) price = p.h + tick * (1 + Math.floor(random() * 3));
    else if (where < 0.3) price = p.l - tick * (1 + Math.floor(random() * 3));
    else price = p.l + (p.h - p.l) * random();
    price = Math.max(roundTo(price, decimals), tick);
    const high = Math.max(p.h, price);
    const low = Math.min(p.l, price);
    const volume = p.v + lateVolume;
    const vwap = Math.min(
      high,
      Math.max(low, roundTo((p.vw * p.v + price * lateVolume) / volume, 4)),
    );
    const shape = random();
    return {
      ev: 'A',
      sym: p.sym,
      v: volume,
      av: p.av + lateVolume,
      op: p.op,
      vw: vwap,
      o: shape < 0.05 ? price : p.o,
      c: shape > 0.9 ? price : p.c,
      h: high,
      l: low,
      a: p.a,
      z: Math.max(1, Math.round(volume / (tradeCount(p) + trades))),
      s: p.s,
      e: p.e,
      otc: p.otc,
    };
  }
}
