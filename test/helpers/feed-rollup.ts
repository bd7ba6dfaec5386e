import type { SimAggregate } from '../../src/ingest/simulator/generator';
import { SimRollup, type ExpectedBar } from '../../scripts/lib/sim-rollup';

/** The soak's independent roll-up serves the tests too (scripts cannot import from test/). */
export { barKey, type ExpectedBar } from '../../scripts/lib/sim-rollup';

/**
 * Independent roll-up of per-second aggregates (written from the bar definition, sharing no
 * code with the aggregator, the writer or the simulator's MinuteBook), keyed by barKey().
 */
export function rollUp(events: readonly SimAggregate[]): Map<string, ExpectedBar> {
  const rollup = new SimRollup();
  rollup.add(events);
  return rollup.expected();
}
