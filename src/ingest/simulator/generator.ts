import { gaussian, hashString, seededRandom } from './random';
import { isOtcTicker, referencePrice } from './universe';

/** A per-second aggregate exactly as the simulator puts it on the wire (Massive's `A` schema). */
export interface SimAggregate {
  ev: 'A';
  sym: string;
  /** Shares in the window (integer). */
  v: number;
  /** Day accumulated volume. */
  av: number;
  /** Day open. */
  op: number;
  /** Window VWAP (4 decimals). */
  vw: number;
  o: number;
  c: number;
  h: number;
  l: number;
  /** Day VWAP (4 decimals). */
  a: number;
  /** Average trade size. */
  z: number;
  /** Window start / end, Unix ms. */
  s: number;
  e: number;
  /** Present (true) only for OTC tickers, as on Massive's wire (undefined is left out of the JSON). */
  otc?: true;
}

/**
 * Trades in a second as its aggregate implies them (volume / average trade size, at least one):
 * what the simulator's REST `n` sums, so `n` is derived from the wire values alone.
 */
export function tradeCount(event: Pick<SimAggregate, 'v' | 'z'>): number {
  return Math.max(1, Math.round(event.v / event.z));
}

export interface GeneratorOptions {
  seed: number;
  symbols: readonly string[];
  /** Events per feed second across all symbols; capped at one per symbol per second. */
  eventsPerSecond: number;
}

interface SymbolWalk {
  symbol: string;
  reference: number;
  /** Unrounded walk level. */
  level: number;
  /** Last close as sent (rounded), the next window's open. */
  last: number;
  baseVolume: number;
  day: number;
  dayOpen: number;
  dayVolume: number;
  dayValue: number;
  otc: true | undefined;
}

const DAY_MS = 86_400_000;
/** Per-second log-return volatility (~0.6 % per hour). */
const SIGMA = 0.0004;
const REVERSION = 2e-5;
const JUMP_PROBABILITY = 1 / 20_000;
const SURGE_PROBABILITY = 1 / 4_000;

/** Prices under $1 trade in 1/100 cent, others in cents (Massive's sub-penny rule of thumb). */
export function decimalsFor(price: number): number {
  return price < 1 ? 4 : 2;
}

export function roundTo(value: number, decimals: number): number {
  const scale = decimals === 4 ? 10_000 : decimals === 2 ? 100 : Math.pow(10, decimals);
  return Math.round(value * scale) / scale;
}

/**
 * Deterministic per-second aggregates: seeded log-normal random walks (with mild reversion to
 * a reference level, rare 2.5–4 % jumps and volume surges so the pattern engine has work).
 * Each second exactly `min(eventsPerSecond, symbols)` distinct symbols trade, picked by a
 * partial Fisher–Yates shuffle (O(events), not O(symbols)).
 * Determinism: the same seed, symbols and sequence of `generateSecond` calls give the same events.
 */
export class FeedGenerator {
  readonly symbols: readonly string[];
  private readonly random: () => number;
  private readonly walks: SymbolWalk[];
  private readonly order: number[];
  private readonly perSecond: number;
  private lastSecondMs = Number.NEGATIVE_INFINITY;

  constructor(options: GeneratorOptions) {
    if (options.symbols.length === 0)
      throw new RangeError('the simulator needs at least one symbol');
    if (!(options.eventsPerSecond >= 1)) throw new RangeError('eventsPerSecond must be >= 1');
    this.symbols = [...options.symbols];
    this.random = seededRandom(options.seed);
    this.perSecond = Math.min(Math.floor(options.eventsPerSecond), this.symbols.length);
    this.order = this.symbols.map((_, index) => index);
    this.walks = this.symbols.map((symbol) => {
      const reference = referencePrice(symbol);
      const last = Math.max(roundTo(reference, decimalsFor(reference)), 0.0001);
      const volumeUnit = (hashString(`${symbol}:${options.seed}`) % 1000) / 1000;
      return {
        symbol,
        reference,
        level: last,
        last,
        baseVolume: Math.round(50 + volumeUnit * 2_000),
        day: -1,
        dayOpen: last,
        dayVolume: 0,
        dayValue: 0,
        otc: isOtcTicker(symbol) ? true : undefined,
      };
    });
  }

  get eventsPerSecond(): number {
    return this.perSecond;
  }

  /** Events of the feed second starting at `secondStartMs` (a multiple of 1000, increasing). */
  generateSecond(secondStartMs: number): SimAggregate[] {
    if (secondStartMs <= this.lastSecondMs) {
      throw new RangeError(`seconds must increase (${secondStartMs} after ${this.lastSecondMs})`);
    }
    this.lastSecondMs = secondStartMs;
    const events: SimAggregate[] = new Array<SimAggregate>(this.perSecond);
    const order = this.order;
    const n = order.length;
    for (let i = 0; i < this.perSecond; i++) {
      const j = i + Math.floor(this.random() * (n - i));
      const picked = order[j];
      order[j] = order[i];
      order[i] = picked;
      events[i] = this.step(this.walks[picked], secondStartMs);
    }
    return events;
  }

  private step(walk: SymbolWalk, s: number): SimAggregate {
    const random = this.random;
    const day = Math.floor(s / DAY_MS);
    if (day !== walk.day) {
      walk.day = day;
      walk.dayOpen = walk.last;
      walk.dayVolume = 0;
      walk.dayValue = 0;
    }
    let logReturn = SIGMA * gaussian(random) + REVERSION * Math.log(walk.reference / walk.level);
    if (random() < JUMP_PROBABILITY)
      logReturn += (random() < 0.5 ? -1 : 1) * (0.025 + 0.015 * random());
    walk.level *= Math.exp(logReturn);

    const open = walk.last;
    const decimals = decimalsFor(walk.level);
    const tick = decimals === 4 ? 0.0001 : 0.01;
    const close = Math.max(roundTo(walk.level, decimals), tick);
    const wick = Math.abs(gaussian(random)) * SIGMA * walk.level * 0.5;
    const top = Math.max(open, close);
    const bottom = Math.min(open, close);
    const high = Math.max(roundTo(top + wick, decimals), top);
    const low = Math.max(
      Math.min(roundTo(bottom - wick, decimals), bottom),
      Math.min(tick, bottom),
    );
    const vwap = Math.min(high, Math.max(low, roundTo((high + low + close) / 3, 4)));

    // Ordinary seconds stay within ~3× their mean (a thin exponential tail), so
    // High_Volume_Surge fires on the injected surges, not on noise (~1 in 4,000 ticks).
    const ordinary = 0.5 + random() + 0.15 * -Math.log(1 - random());
    let volume = Math.max(1, Math.round(walk.baseVolume * ordinary));
    if (random() < SURGE_PROBABILITY) volume *= 5 + Math.floor(random() * 6);
    walk.dayVolume += volume;
    walk.dayValue += vwap * volume;
    walk.last = close;

    return {
      ev: 'A',
      sym: walk.symbol,
      v: volume,
      av: walk.dayVolume,
      op: walk.dayOpen,
      vw: vwap,
      o: open,
      c: close,
      h: high,
      l: low,
      a: roundTo(walk.dayValue / walk.dayVolume, 4),
      z: Math.max(1, Math.round(volume / (1 + Math.floor(random() * 20)))),
      s,
      e: s + 1000,
      otc: walk.otc,
    };
  }
}
