import type { BarRollupRepository } from '../src/repositories/bar-rollup.repository';

/**
 * The bar roll-up repository with day-aligned buckets rolled up from minutes alone (the path
 * before the daily roll-up): what benches and tests compare the roll-up path with.
 */
export function plainMinutes(repository: BarRollupRepository): BarRollupRepository {
  return Object.assign(Object.create(repository) as BarRollupRepository, {
    rollupDays: (window: Parameters<BarRollupRepository['rollupDays']>[0]) =>
      repository.rollup({ ...window, buckets: { kind: 'listed', startsMs: window.startsMs } }),
  });
}
