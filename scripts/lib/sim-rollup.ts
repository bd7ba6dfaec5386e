import type { SimAggregate } from '../../src/ingest/simulator/generator';

/** A minute bar the scripts compute themselves from what the simulator emitted. */
export interface ExpectedBar {
  symbol: string;
  /** Minute start, Unix ms. */
  minuteStartMs: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  /** Σ(vw·v) / Σv of the seconds. */
  vwap: number;
  /** Seconds rolled in. */
  seconds: number;
}

interface Accumulator extends ExpectedBar {
  openS: number;
  closeS: number;
  value: number;
}

const MINUTE = 60_000;

export function barKey(symbol: string, minuteStartMs: number): string {
  return `${symbol}|${minuteStartMs}`;
}

/**
 * Independent streaming roll-up of per-second aggregates, written from the bar definition and
 * nothing else (it shares no code with the aggregator, the writer or the simulator's MinuteBook):
 * open of the earliest second, max high, min low, close of the latest second, sum of volume.
 * Order-insensitive (open/close are chosen by second, not by arrival) and a second seen twice
 * is counted once, so it can be fed straight from simulator callbacks.
 */
export class SimRollup {
  private readonly bars = new Map<string, Accumulator>();
  private readonly seenSeconds = new Set<string>();
  /** Events offered that repeated a (symbol, second) already counted. */
  duplicates = 0;
  events = 0;

  constructor(
    private readonly options: {
      /** Only these symbols (default: all). */
      symbols?: ReadonlySet<string>;
      /** Track (symbol, second) pairs to ignore repeats (costs memory; off when the source cannot repeat). */
      dedupe?: boolean;
    } = {},
  ) {}

  add(events: readonly SimAggregate[]): void {
    const only = this.options.symbols;
    for (let i = 0; i < events.length; i++) {
      const event = events[i];
      if (only !== undefined && !only.has(event.sym)) continue;
      if (this.options.dedupe === true) {
        const second = `${event.sym}|${event.s}`;
        if (this.seenSeconds.has(second)) {
          this.duplicates++;
          continue;
        }
        this.seenSeconds.add(second);
      }
      this.events++;
      const minute = event.s - (event.s % MINUTE);
      const key = barKey(event.sym, minute);
      const bar = this.bars.get(key);
      if (bar === undefined) {
        this.bars.set(key, {
          symbol: event.sym,
          minuteStartMs: minute,
          open: event.o,
          high: event.h,
          low: event.l,
          close: event.c,
          volume: event.v,
          vwap: 0,
          seconds: 1,
          openS: event.s,
          closeS: event.s,
          value: event.vw * event.v,
        });
        continue;
      }
      if (event.s < bar.openS) {
        bar.openS = event.s;
        bar.open = event.o;
      }
      if (event.s > bar.closeS) {
        bar.closeS = event.s;
        bar.close = event.c;
      }
      if (event.h > bar.high) bar.high = event.h;
      if (event.l < bar.low) bar.low = event.l;
      bar.volume += event.v;
      bar.value += event.vw * event.v;
      bar.seconds++;
    }
  }

  get size(): number {
    return this.bars.size;
  }

  /** The expected bars, keyed by barKey(); `keep` filters (e.g. to the compared minutes). */
  expected(keep: (bar: ExpectedBar) => boolean = () => true): Map<string, ExpectedBar> {
    const out = new Map<string, ExpectedBar>();
    for (const [key, bar] of this.bars) {
      const result: ExpectedBar = {
        symbol: bar.symbol,
        minuteStartMs: bar.minuteStartMs,
        open: bar.open,
        high: bar.high,
        low: bar.low,
        close: bar.close,
        volume: bar.volume,
        vwap: bar.volume === 0 ? 0 : bar.value / bar.volume,
        seconds: bar.seconds,
      };
      if (keep(result)) out.set(key, result);
    }
    return out;
  }
}
