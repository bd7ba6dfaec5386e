import type { DataSource } from 'typeorm';
import { BarReadRepository } from './bar-read.repository';
import { BarRollupRepository } from './bar-rollup.repository';
import { HealthRepository } from './health.repository';
import { PatternRepository } from './pattern.repository';
import { SymbolRepository } from './symbol.repository';

/** Every repository the API reads through (createApiServices takes them). */
export interface ReadRepositories {
  bars: BarReadRepository;
  /** Bars of any timeframe rolled up from ohlcv_1min. */
  barRollups: BarRollupRepository;
  symbols: SymbolRepository;
  patterns: PatternRepository;
  /** `/readyz`'s database probe. */
  health: HealthRepository;
}

export function createReadRepositories(dataSource: DataSource): ReadRepositories {
  return {
    bars: new BarReadRepository(dataSource),
    barRollups: new BarRollupRepository(dataSource),
    symbols: new SymbolRepository(dataSource),
    patterns: new PatternRepository(dataSource),
    health: new HealthRepository(dataSource),
  };
}
