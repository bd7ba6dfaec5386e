import { performance } from 'node:perf_hooks';
import { openDatabase } from '../ormconfig';
import type { DatabaseConfig } from '../src/config';
import type { BarDelta } from '../src/domain/bar-delta';
import { MINUTE_MS, type MinuteBar } from '../src/domain/minute-bar';
import { highBit, lowBit } from '../src/domain/seconds-mask';
import { redundantBarIndexes } from '../src/migrations/adoption/legacy-report';
import { createOhlcvRepository } from '../src/repositories/ohlcv.repository';
import { SchemaRepository } from '../src/repositories/schema.repository';

export interface IndexCostRound {
  indexes: 'with' | 'without';
  deltasPerSecond: number;
  replacePerSecond: number;
}

export interface IndexCostResult {
  dropped: string[];
  deltasPerRound: number;
  rounds: IndexCostRound[];
  /** Median without / median with. */
  upsertRatio: number;
  replaceRatio: number;
}

const MINUTES_PER_ROUND = 5;
/** Feed time of the rounds: after the legacy rows, one fresh stretch per round. */
const ROUNDS_START_MS = Date.parse('2026-01-05T14:30:00Z');

/** One second of every symbol, as one flush of the live writer delivers it. */
function secondBatch(symbols: readonly string[], minuteMs: number, second: number): BarDelta[] {
  return symbols.map((symbol, i) => {
    const price = 100 + (i % 50) + second / 100;
    return {
      symbol,
      minuteStartMs: minuteMs,
      open: price,
      openSecond: second,
      high: price + 0.05,
      low: price - 0.05,
      close: price + 0.01,
      closeSecond: second,
      volume: 100 + second,
      vwap: price,
      maskLo: lowBit(second),
      maskHi: highBit(second),
    };
  });
}

/**
 * The write-path cost of the old schema's redundant indexes, on an adopted table: TickStock's
 * own upsert path (OhlcvRepository: live second-by-second merges, then REST replaces of the same
 * minutes) with the indexes, without them (dropped as `db:indexes --drop` does), and again,
 * alternating so drift of the machine does not favour either side.
 */
export async function measureIndexCost(
  config: DatabaseConfig,
  symbols: readonly string[],
): Promise<IndexCostResult> {
  const dataSource = await openDatabase(config, 2);
  try {
    const catalog = new SchemaRepository(dataSource);
    const redundant = redundantBarIndexes(await catalog.tableShape('ohlcv_1min'));
    const repository = createOhlcvRepository(dataSource);
    const rounds: IndexCostRound[] = [];
    const order: ('with' | 'without')[] = ['with', 'without', 'with', 'without'];
    for (const [round, indexes] of order.entries()) {
      if (indexes === 'without') for (const ix of redundant) await catalog.dropIndex(ix.name);
      else for (const ix of redundant) if (round > 0) await dataSource.query(ix.definition);
      await dataSource.query('VACUUM ANALYZE ohlcv_1min');
      const firstMinute = ROUNDS_START_MS + round * MINUTES_PER_ROUND * MINUTE_MS;
      let deltas = 0;
      const started = performance.now();
      for (let m = 0; m < MINUTES_PER_ROUND; m++) {
        for (let second = 0; second < 60; second++) {
          const batch = secondBatch(symbols, firstMinute + m * MINUTE_MS, second);
          await repository.upsertDeltas(batch);
          deltas += batch.length;
        }
      }
      const upsertSeconds = (performance.now() - started) / 1000;
      const bars: MinuteBar[] = [];
      for (let m = 0; m < MINUTES_PER_ROUND; m++) {
        for (const [i, symbol] of symbols.entries()) {
          const price = 100 + (i % 50);
          bars.push({
            symbol,
            minuteStartMs: firstMinute + m * MINUTE_MS,
            open: price,
            high: price + 1,
            low: price - 1,
            close: price,
            volume: 6000,
            vwap: price,
          });
        }
      }
      const replaceStart = performance.now();
      await repository.replaceMinuteBars(bars);
      const replaceSeconds = (performance.now() - replaceStart) / 1000;
      rounds.push({
        indexes,
        deltasPerSecond: Math.round(deltas / upsertSeconds),
        replacePerSecond: Math.round(bars.length / replaceSeconds),
      });
      console.log(
        `index cost round ${round + 1}/${order.length} (${indexes}): ${JSON.stringify(rounds[rounds.length - 1])}`,
      );
    }
    const median = (side: 'with' | 'without', key: 'deltasPerSecond' | 'replacePerSecond') => {
      const values = rounds
        .filter((r) => r.indexes === side)
        .map((r) => r[key])
        .sort((a, b) => a - b);
      return (
        (values[Math.floor((values.length - 1) / 2)] + values[Math.floor(values.length / 2)]) / 2
      );
    };
    return {
      dropped: redundant.map((ix) => ix.name),
      deltasPerRound: MINUTES_PER_ROUND * 60 * symbols.length,
      rounds,
      upsertRatio:
        Math.round(
          (median('without', 'deltasPerSecond') / median('with', 'deltasPerSecond')) * 100,
        ) / 100,
      replaceRatio:
        Math.round(
          (median('without', 'replacePerSecond') / median('with', 'replacePerSecond')) * 100,
        ) / 100,
    };
  } finally {
    await dataSource.destroy();
  }
}
