/**
 * What the soak compares, defined precisely.
 *
 * Expected: an independent roll-up of every event the simulator BROADCAST for the app's symbols
 * up to the final freeze — first versions and corrections alike, the latest version of a second
 * being its truth (live delivery and the REST backfill come from the same generator, so a minute
 * the socket missed, or whose corrections it missed, must still end up equal to it). What is
 * broadcast after the freeze was never delivered and is not expected.
 *
 * Compared minutes, per symbol X:
 *   from ceil_to_minute(s0(X)), where s0(X) is the window start of the first event of X the
 *        simulator wrote to any socket: seconds of X before its socket first subscribed were
 *        never delivered, and nothing backfills the very first connection (there is no "before"),
 *        so the minute holding s0 is complete only when s0 is its first second;
 *   to   the last minute that ended at or before the final freeze: right before SIGTERM the feed
 *        is frozen (sim.stall) with every socket live, so every second before `freezeFeedMs` was
 *        delivered and every second after it was not — the minute cut by the freeze is partial by
 *        construction and excluded.
 * Every expected bar in that range must be stored, equal value by value, and every stored row in
 * that range must be expected.
 */
import type { SimAggregate } from '../src/ingest/simulator/generator';
import { BarOracle, fromSimAggregate, type OracleBar } from '../testkit/bar-oracle';

const MINUTE = 60_000;

export function ceilToMinute(ms: number): number {
  return Math.ceil(ms / MINUTE) * MINUTE;
}

export class SoakCoverage {
  /** Independent roll-up of everything generated for the subscribed symbols. */
  readonly generated: BarOracle;
  private readonly firstSentS = new Map<string, number>();
  private freezeFeedMs: number | null = null;
  eventsSent = 0;

  constructor(symbols: readonly string[]) {
    this.generated = new BarOracle({ symbols: new Set(symbols) });
  }

  /** simulator onEventsGenerated */
  onGenerated = (events: readonly SimAggregate[], broadcastMs: number): void => {
    if (this.freezeFeedMs !== null && broadcastMs > this.freezeFeedMs) return;
    for (const event of events) this.generated.add(fromSimAggregate(event));
  };

  /** simulator onEventsSent */
  onSent = (_clientId: number, events: readonly SimAggregate[]): void => {
    this.eventsSent += events.length;
    for (const event of events) {
      if (!this.firstSentS.has(event.sym)) this.firstSentS.set(event.sym, event.s);
    }
  };

  /** The feed time at which delivery was frozen for good (the simulator's `now()` at stall). */
  freeze(feedMs: number): void {
    this.freezeFeedMs = feedMs;
  }

  /** First compared minute of a symbol, null if it was never delivered. */
  firstMinute(symbol: string): number | null {
    const s0 = this.firstSentS.get(symbol);
    return s0 === undefined ? null : ceilToMinute(s0);
  }

  /** Exclusive end of the compared range: minutes starting before it are compared. */
  endMinute(): number {
    if (this.freezeFeedMs === null)
      throw new Error('coverage end unknown: freeze() was not called');
    return Math.floor(this.freezeFeedMs / MINUTE) * MINUTE;
  }

  inScope = (symbol: string, minuteStartMs: number): boolean => {
    const first = this.firstMinute(symbol);
    // minuteStartMs < endMinute() ⟺ the whole minute [M, M + 60 s) lies before the freeze.
    return first !== null && minuteStartMs >= first && minuteStartMs < this.endMinute();
  };

  expected(): Map<string, OracleBar> {
    return this.generated.bars((bar) => this.inScope(bar.symbol, bar.minuteStartMs));
  }

  /** Minutes compared, summed over symbols (whether or not the symbol traded in each). */
  symbolMinutes(): number {
    let total = 0;
    const end = this.endMinute();
    for (const symbol of this.firstSentS.keys()) {
      const first = this.firstMinute(symbol)!;
      if (end > first) total += (end - first) / MINUTE;
    }
    return total;
  }
}
