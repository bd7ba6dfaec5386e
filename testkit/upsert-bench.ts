import { performance } from 'node:perf_hooks';
import type { DataSource } from 'typeorm';
import { createOhlcvRepository } from '../src/repositories/ohlcv.repository';
import type { BarDelta } from '../src/domain/bar-delta';
import { MINUTE_MS } from '../src/domain/minute-bar';
import { highBit, lowBit } from '../src/domain/seconds-mask';

export interface UpsertBenchResult {
  rows: number;
  batchSize: number;
  /** Every row a new (symbol, minute). */
  insertRowsPerSec: number;
  /** Every row merges into an existing bar (a new second of it). */
  mergeRowsPerSec: number;
  /** Every row re-sent (already counted): the guard refuses it. */
  duplicateRowsPerSec: number;
}

function syntheticDeltas(
  rows: number,
  symbols: number,
  second: number,
  baseMs: number,
): BarDelta[] {
  const deltas: BarDelta[] = [];
  for (let i = 0; i < rows; i++) {
    const price = 100 + (i % 997) / 100;
    deltas.push({
      symbol: `BENCH${i % symbols}`,
      minuteStartMs: baseMs + Math.floor(i / symbols) * MINUTE_MS,
      open: price,
      openSecond: second,
      high: price + 0.05,
      low: price - 0.05,
      close: price + 0.01,
      closeSecond: second,
      volume: 100 + (i % 50),
      vwap: price,
      maskLo: lowBit(second),
      maskHi: highBit(second),
    });
  }
  return deltas;
}

/**
 * Measures the repository's delta upsert on a migrated database: `rows` new bars, the same bars
 * again with another second (merge path), then the first pass re-sent (refused duplicates).
 * Uses symbols BENCH0..BENCH999 and minutes from 2001-01-01; run it on a scratch database.
 * Not asserted anywhere: the figures are for `npm run bench` and the report.
 */
export async function benchUpsert(
  dataSource: DataSource,
  rows: number,
  options: { batchSize?: number; symbols?: number } = {},
): Promise<UpsertBenchResult> {
  const batchSize = options.batchSize ?? 5_000;
  const symbols = Math.min(options.symbols ?? 1_000, rows);
  const repository = createOhlcvRepository(dataSource);
  const baseMs = Date.UTC(2001, 0, 1);
  const first = syntheticDeltas(rows, symbols, 10, baseMs);
  const second = syntheticDeltas(rows, symbols, 40, baseMs);

  const timePass = async (deltas: BarDelta[]): Promise<number> => {
    const started = performance.now();
    for (let i = 0; i < deltas.length; i += batchSize) {
      await repository.upsertDeltas(deltas.slice(i, i + batchSize));
    }
    return Math.round((deltas.length / (performance.now() - started)) * 1000);
  };
  // Registers the symbols outside the timed passes.
  await repository.upsertDeltas(first.slice(0, symbols));
  const insertRowsPerSec = await timePass(first.slice(symbols));
  const mergeRowsPerSec = await timePass(second);
  const duplicateRowsPerSec = await timePass(second);
  return { rows, batchSize, insertRowsPerSec, mergeRowsPerSec, duplicateRowsPerSec };
}
