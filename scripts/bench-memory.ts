/**
 * `npm run bench:memory`: what the correction window costs in memory. The aggregator alone (no
 * database, no sockets) takes BENCH_SYMBOLS symbols (10,000) for the window plus two minutes of
 * feed time, handing its deltas out every second as the writer would, so every bar of the last
 * CORRECTION_WINDOW_MINUTES (16) is held with its per-second values. Reported per density (share
 * of symbols trading in a given second): RSS and heap after a full GC, bytes per held bar.
 */
import { execFileSync } from 'node:child_process';
import { MinuteBarAggregator } from '../src/ingest/bars/aggregator';
import { secondTick } from '../testkit/ticks';
import { seededRandom } from '../testkit/random';
import { envInt, envNumber } from './lib/env';

const MB = 1024 * 1024;

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect) for (let i = 0; i < 3; i++) collect();
}

function measure(symbols: number, density: number, windowMinutes: number) {
  gc();
  const before = process.memoryUsage();
  const aggregator = new MinuteBarAggregator({ correctionWindowMs: windowMinutes * 60_000 });
  const random = seededRandom(11);
  const names = Array.from({ length: symbols }, (_, i) => `S${i.toString(36).toUpperCase()}`);
  const start = Math.floor(Date.now() / 60_000) * 60_000 - (windowMinutes + 10) * 60_000;
  const seconds = (windowMinutes + 2) * 60;
  for (let s = 0; s < seconds; s++) {
    const startMs = start + s * 1000;
    for (const symbol of names) {
      if (random() >= density) continue;
      // Cents, like the feed's prices (a VWAP has 4 decimals): what the compact columns hold.
      const close = Math.round((100 + random()) * 100) / 100;
      aggregator.apply(
        secondTick({
          symbol,
          startMs,
          open: close,
          high: Math.round((close + 0.1) * 100) / 100,
          low: Math.round((close - 0.1) * 100) / 100,
          close,
          volume: 100,
          vwap: close,
        }),
      );
    }
    aggregator.takeDirty();
  }
  gc();
  const after = process.memoryUsage();
  const held = aggregator.barsInMemory;
  return {
    density,
    barsHeld: held,
    rssMb: Math.round(after.rss / MB),
    heapDeltaMb: Math.round(
      (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / MB,
    ),
    bytesPerBar: Math.round(
      (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) /
        Math.max(1, held),
    ),
    keep: aggregator,
  };
}

function main(): void {
  const symbols = envInt('BENCH_SYMBOLS', 10_000, 1, 20_000);
  const windowMinutes = envNumber('CORRECTION_WINDOW_MINUTES', 16, 0, 60);
  const density = envNumber('BENCH_DENSITY', 0, 0, 1);
  if (process.env.BENCH_MEMORY_CHILD === undefined) {
    if ((globalThis as { gc?: unknown }).gc === undefined)
      console.log('(run with node --expose-gc for exact heap figures)');
    console.log(
      `aggregator memory, ${symbols} symbols, ${windowMinutes}-minute correction window full`,
    );
  }
  if (density === 0) {
    // One process per density: what one run frees stays in the process's RSS.
    for (const d of [0.3, 1])
      execFileSync(process.execPath, [...process.execArgv, __filename], {
        stdio: ['ignore', 'inherit', 'inherit'],
        env: { ...process.env, BENCH_DENSITY: String(d), BENCH_MEMORY_CHILD: '1' },
      });
    console.log('  target (PRODUCT §8): RSS < 300 MB');
    return;
  }
  const r = measure(symbols, density, windowMinutes);
  console.log(
    `  ${Math.round(density * 100)} % of symbols trade each second: ${r.barsHeld.toLocaleString('en-US')} bars held, ` +
      `heap +${r.heapDeltaMb} MB (${r.bytesPerBar} B/bar), process RSS ${r.rssMb} MB`,
  );
  r.keep.closeThrough(Infinity);
}

main();
