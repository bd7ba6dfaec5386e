/**
 * What the roll-up triggers cost the live write path: live-shaped flushes (N symbols, the
 * current minute: a first batch inserting, a second merging more seconds into the same rows)
 * through the real OhlcvRepository.upsertDeltas, alternating rounds with the roll-up triggers
 * enabled and disabled (ABBA) in the same database, same run. Part of `npm run bench:bars`.
 */
import type { DataSource } from 'typeorm';
import type { BarDelta } from '../src/domain/bar-delta';
import { createOhlcvRepository } from '../src/repositories/ohlcv.repository';
import { percentileOf } from '../testkit/percentile';

export interface WriteCost {
  symbols: number;
  rounds: number;
  /** Median ms of one flush statement (insert and merge batches together). */
  withTriggersMs: number;
  withoutTriggersMs: number;
  ratio: number;
}

export async function measureWriteCost(
  dataSource: DataSource,
  symbols: number,
  rounds: number,
): Promise<WriteCost> {
  const repository = createOhlcvRepository(dataSource);
  const names = Array.from({ length: symbols }, (_, i) => `WR${String(i).padStart(5, '0')}`);
  // Minutes of the current day: past every coverage, as live flushes are.
  const base = Math.floor(Date.now() / 60_000) * 60_000 - rounds * 2 * 60_000;
  const delta = (symbol: string, minute: number, seconds: [number, number]): BarDelta => {
    let maskLo = 0;
    for (let s = seconds[0]; s < seconds[1]; s++) maskLo |= 1 << s;
    return {
      symbol,
      minuteStartMs: minute,
      open: 100,
      openSecond: seconds[0],
      high: 100.5,
      low: 99.5,
      close: 100.25,
      closeSecond: seconds[1] - 1,
      volume: 300,
      vwap: 100.1,
      maskLo,
      maskHi: 0,
    };
  };
  await repository.upsertDeltas(names.map((s) => delta(s, base - 60_000, [0, 1]))); // registers
  const on: number[] = [];
  const off: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const enabled = round % 4 === 0 || round % 4 === 3;
    await dataSource.query(`ALTER TABLE ohlcv_1min ${enabled ? 'ENABLE' : 'DISABLE'} TRIGGER USER`);
    const minute = base + round * 60_000;
    for (const seconds of [
      [0, 10],
      [10, 20],
    ] as [number, number][]) {
      const batch = names.map((s) => delta(s, minute, seconds));
      const t0 = performance.now();
      await repository.upsertDeltas(batch);
      (enabled ? on : off).push(performance.now() - t0);
    }
  }
  await dataSource.query(`ALTER TABLE ohlcv_1min ENABLE TRIGGER USER`);
  const withTriggersMs = percentileOf(on, 50);
  const withoutTriggersMs = percentileOf(off, 50);
  return {
    symbols,
    rounds,
    withTriggersMs: Math.round(withTriggersMs * 100) / 100,
    withoutTriggersMs: Math.round(withoutTriggersMs * 100) / 100,
    ratio: Math.round((withTriggersMs / withoutTriggersMs) * 1000) / 1000,
  };
}
