import type { TickData } from '../src/domain/tick';
import { seededRandom } from './random';
import { secondTick } from './ticks';

export interface SyntheticTickOptions {
  symbols: number;
  /** Seconds of feed time; every symbol gets one `A` aggregate per second. */
  seconds: number;
  seed?: number;
  /** Feed time of the first window, Unix ms (default: a fixed minute boundary). */
  startMs?: number;
  /** Chance per tick of a volume burst (6–10× normal) and of a 2.5–4% jump. */
  burstChance?: number;
  jumpChance?: number;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * A simulator-like stream of per-second aggregates (random walks with occasional volume bursts
 * and price jumps, so the stream rules have something to find), ordered by time then symbol.
 * For the engine bench and pattern tests; prices have two decimals like real quotes.
 */
export function syntheticTicks(options: SyntheticTickOptions): TickData[] {
  const random = seededRandom(options.seed ?? 42);
  const startMs = options.startMs ?? 1_767_225_600_000; // 2026-01-01T00:00:00Z
  const burstChance = options.burstChance ?? 0.003;
  const jumpChance = options.jumpChance ?? 0.001;
  const names = Array.from({ length: options.symbols }, (_, i) => `S${String(i).padStart(4, '0')}`);
  const prices = names.map(() => 20 + random() * 480);
  const ticks: TickData[] = [];
  for (let second = 0; second < options.seconds; second++) {
    const s = startMs + second * 1000;
    for (let i = 0; i < names.length; i++) {
      const open = prices[i];
      let drift = (random() - 0.5) * 0.004 * open;
      if (random() < jumpChance)
        drift = (random() < 0.5 ? -1 : 1) * (0.025 + random() * 0.015) * open;
      const close = Math.max(0.01, round2(open + drift));
      const high = round2(Math.max(open, close) + random() * 0.001 * open);
      const low = Math.max(0.01, round2(Math.min(open, close) - random() * 0.001 * open));
      let volume = 200 + Math.floor(random() * 300);
      if (random() < burstChance) volume *= 6 + Math.floor(random() * 5);
      prices[i] = close;
      ticks.push(
        secondTick({
          symbol: names[i],
          startMs: s,
          open: round2(open),
          high: Math.max(high, round2(open), close),
          low: Math.min(low, round2(open), close),
          close,
          volume,
        }),
      );
    }
  }
  return ticks;
}
